// Sharded checkpoints (model.safetensors.index.json + shards) are read lazily, tensor by tensor, and
// a broken one names the file and the tensor. The shards are the llama-tiny fixture split as the hub
// splits checkpoints.
import { closeSync, copyFileSync, ftruncateSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors } from '../../../native/formats/safetensors.js';
import { bytesOf } from '../../../native/formats/tensor.js';
import type { HostTensor } from '../../../native/formats/tensor.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer, openStateDict } from '../../../native/models/load.js';
import { take } from '../../../native/models/weights.js';
import { FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { relativeError } from '../../helpers/numeric.js';

const LLAMA = join(FIXTURES, 'families', 'llama-tiny');
const SHARDS = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
const scratch = tempDir('sharded');
afterAll(() => scratch.cleanup());

function fixtureTensors(): Record<string, HostTensor> {
  const f = openSafetensors(join(LLAMA, 'model.safetensors'));
  const all = Object.fromEntries([...f.entries.keys()].map((n) => [n, f.read(n)]));
  f.close();
  return all;
}

const shardOf = (name: string) =>
  name.includes('layers.1.') || name === 'lm_head.weight' || name === 'model.norm.weight' ? SHARDS[1] : SHARDS[0];

/**
 * Writes a safetensors file whose last tensor is `holeBytes` of never-written zeros: a sparse file, as
 * large as its header says, costing no disk. Reading such a shard whole would need `holeBytes` of memory.
 */
function writeWithHole(path: string, tensors: Record<string, HostTensor>, holeBytes: number): void {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  header['unused.padding'] = { dtype: 'U8', shape: [holeBytes], data_offsets: [offset, offset + holeBytes] };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, Buffer.from(json));
    for (const t of Object.values(tensors)) writeSync(fd, bytesOf(t.data));
    ftruncateSync(fd, 8 + json.length + offset + holeBytes);
  } finally {
    closeSync(fd);
  }
}

/** The fixture as two shards with an index; `edit` may change a shard's tensors before it is written. */
function shardedLlama(name: string, edit: (shard: string, tensors: Record<string, HostTensor>) => void = () => {}): string {
  const dir = join(scratch.path, name);
  mkdirSync(dir);
  copyFileSync(join(LLAMA, 'config.json'), join(dir, 'config.json'));
  const all = fixtureTensors();
  for (const shard of SHARDS) {
    const here = Object.fromEntries(Object.entries(all).filter(([n]) => shardOf(n) === shard));
    edit(shard, here);
    writeSafetensors(join(dir, shard), here);
  }
  writeFileSync(
    join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: {}, weight_map: Object.fromEntries(Object.keys(all).map((n) => [n, shardOf(n)])) }),
  );
  return dir;
}

async function logitsError(dir: string): Promise<number> {
  const refs = openSafetensors(join(LLAMA, 'refs.safetensors'));
  const ids = refs.read('input_ids');
  const want = refs.readFloat32('logits').data;
  refs.close();
  const { outputs } = await runForward(
    loadTransformer(dir).weights,
    { dims: ids.shape, data: ids.data as BigInt64Array },
    { hooks: [], logits: true },
  );
  return relativeError(outputs.get('logits')!.data, want);
}

describe('sharded safetensors checkpoints', () => {
  it('read tensor by tensor at their offsets: a shard with 16 GiB it never needs loads to the reference logits', async () => {
    const dir = shardedLlama('with-hole');
    const hole = 16 * 2 ** 30;
    const all = fixtureTensors();
    writeWithHole(join(dir, SHARDS[1]), Object.fromEntries(Object.entries(all).filter(([n]) => shardOf(n) === SHARDS[1])), hole);
    expect(statSync(join(dir, SHARDS[1])).size).toBeGreaterThan(hole);
    expect(await logitsError(dir)).toBeLessThan(1e-4);
  });

  it('name the missing shard and the tensor the index puts there', () => {
    const dir = shardedLlama('missing-shard');
    rmSync(join(dir, SHARDS[1]));
    expect(() => loadTransformer(dir)).toThrow(`${join(dir, 'model.safetensors.index.json')}: shard ${SHARDS[1]} is missing`);
    // Opened straight from the index (as a registered model is), the first tensor asked for names it.
    const dict = openStateDict(join(dir, 'model.safetensors.index.json'));
    expect(() => take(dict, 'lm_head.weight', [640, 64])).toThrow(
      `shard ${SHARDS[1]} is missing (model.safetensors.index.json puts tensor "lm_head.weight" there)`,
    );
    dict.close();
  });

  it('name the shard and the tensor when the index lists a tensor its shard does not hold', () => {
    const dir = shardedLlama('absent-tensor', (shard, tensors) => {
      if (shard === SHARDS[1]) delete tensors['model.layers.1.mlp.up_proj.weight'];
    });
    expect(() => loadTransformer(dir)).toThrow(
      `${join(dir, SHARDS[1])}: no tensor "model.layers.1.mlp.up_proj.weight", though model.safetensors.index.json puts it in this shard`,
    );
  });

  it('refuse a shard name that is a path, naming the tensor', () => {
    const dir = shardedLlama('path-shard');
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { 'model.embed_tokens.weight': '../elsewhere.safetensors' } }),
    );
    expect(() => loadTransformer(dir)).toThrow(/bad shard name "\.\.\/elsewhere\.safetensors" for tensor "model\.embed_tokens\.weight"/);
  });
});
