import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors } from '../../../native/formats/safetensors.js';
import type { HostTensor } from '../../../native/formats/tensor.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import { checkpointZip, statePickle } from '../../unit/formats/fixtures-writers/torch.js';
import type { StateValue } from '../../unit/formats/fixtures-writers/torch.js';
import { tempDir } from '../../helpers/tmp.js';
import { relativeError } from '../../helpers/numeric.js';
import { SHARED } from '../../helpers/shared.js';

const GPT2 = `${SHARED}/fixtures/gpt2-tiny`;
const scratch = tempDir('gpt2-layouts');
afterAll(() => scratch.cleanup());

const refs = openSafetensors(`${GPT2}/refs.safetensors`);
const inputIds = refs.read('input_ids');
const ids = { dims: inputIds.shape, data: inputIds.data as BigInt64Array };
const hooks = [...refs.entries.keys()].filter((n) => n.startsWith('blocks.'));
afterAll(() => refs.close());

/** gpt2-tiny's tensors, renamed by `rename` (null drops one). */
function fixtureTensors(rename: (name: string) => string | null = (n) => n): Record<string, HostTensor> {
  const src = openSafetensors(`${GPT2}/model.safetensors`);
  const out: Record<string, HostTensor> = {};
  for (const name of src.entries.keys()) {
    const to = rename(name);
    if (to !== null) out[to] = src.read(name);
  }
  src.close();
  return out;
}

/** A folder with gpt2-tiny's config.json and the given weight files. */
function modelDir(name: string, files: Record<string, Record<string, HostTensor>> = {}): string {
  const dir = join(scratch.path, name);
  mkdirSync(dir);
  copyFileSync(`${GPT2}/config.json`, join(dir, 'config.json'));
  for (const [file, tensors] of Object.entries(files)) writeSafetensors(join(dir, file), tensors);
  return dir;
}

async function expectRefs(dir: string, logitsScale = 1): Promise<void> {
  const { outputs } = await runForward(loadTransformer(dir).weights, ids, { hooks, logits: true });
  for (const name of hooks) expect(relativeError(outputs.get(name)!.data, refs.readFloat32(name).data), name).toBeLessThan(1e-4);
  const logits = refs.readFloat32('logits').data.map((v) => v * logitsScale);
  expect(relativeError(outputs.get('logits')!.data, logits)).toBeLessThan(1e-4);
}

describe('Hugging Face GPT-2 layouts', () => {
  it('loads GPT2Model keys without the transformer. prefix, with attention-mask buffers and an lm_head equal to wte', async () => {
    const tensors = fixtureTensors((n) => n.replace(/^transformer\./, ''));
    tensors['h.0.attn.bias'] = { dtype: 'F32', shape: [1, 1, 32, 32], data: new Float32Array(32 * 32) };
    tensors['h.0.attn.masked_bias'] = { dtype: 'F32', shape: [], data: Float32Array.of(-1e4) };
    tensors['lm_head.weight'] = tensors['wte.weight'];
    await expectRefs(modelDir('no-prefix', { 'model.safetensors': tensors }));
  });

  it('uses an lm_head that differs from wte as an untied unembedding', async () => {
    const tensors = fixtureTensors();
    const wte = tensors['transformer.wte.weight'];
    tensors['lm_head.weight'] = { ...wte, data: (wte.data as Float32Array).map((v) => v / 2) };
    await expectRefs(modelDir('untied', { 'model.safetensors': tensors }), 0.5);
  });

  it('reads weights sharded across safetensors files by model.safetensors.index.json', async () => {
    const all = fixtureTensors();
    const names = Object.keys(all);
    const shards = [names.slice(0, 10), names.slice(10)].map((part) => Object.fromEntries(part.map((n) => [n, all[n]])));
    const dir = modelDir('sharded');
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(join(dir, file), shard);
      for (const n of Object.keys(shard)) weightMap[n] = file;
    });
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    await expectRefs(dir);
  });

  it('reads a pytorch_model.bin written as a torch.save zip', async () => {
    const all = fixtureTensors();
    const state: Record<string, StateValue> = {};
    const storages: Record<string, Uint8Array> = {};
    Object.entries(all).forEach(([name, t], i) => {
      const strides = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
      state[name] = { storageType: 'FloatStorage', key: String(i), storageNumel: t.data.length, offset: 0, shape: t.shape, strides };
      storages[String(i)] = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    });
    const dir = modelDir('torch-bin');
    writeFileSync(join(dir, 'pytorch_model.bin'), checkpointZip({ pickle: statePickle(state), storages, byteorder: 'little' }));
    await expectRefs(dir);
  });

  it('names a missing tensor and a tensor of the wrong shape, with the file', () => {
    const missing = fixtureTensors((n) => (n === 'transformer.h.1.mlp.c_fc.bias' ? null : n));
    expect(() => loadTransformer(modelDir('missing', { 'model.safetensors': missing }))).toThrow(
      /model\.safetensors: missing tensor "transformer\.h\.1\.mlp\.c_fc\.bias" \(expected shape \[256\]\)/,
    );
    const wrong = fixtureTensors();
    wrong['transformer.wpe.weight'] = { dtype: 'F32', shape: [16, 64], data: new Float32Array(16 * 64) };
    expect(() => loadTransformer(modelDir('wrong-shape', { 'model.safetensors': wrong }))).toThrow(
      /tensor "transformer\.wpe\.weight" has shape \[16, 64\], expected \[32, 64\]/,
    );
  });
});
