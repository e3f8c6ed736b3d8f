// A model whose float32 weights exceed protobuf's 2 GiB runs, and costs no second copy of them: a
// Llama generated at test time (seeded, bf16 on disk, 3 shards), run by `loupe run` in a child
// process that reports its own peak resident memory, checked against a plain TypeScript reference.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors } from '../../../native/formats/safetensors.js';
import { writeBigLlama } from '../../helpers/big-llama.js';
import type { LlamaSpec } from '../../helpers/big-llama.js';
import { llamaReference, llamaShape } from '../../helpers/llama-reference.js';
import { FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { relativeError } from '../../helpers/numeric.js';

const scratch = tempDir('large-model');
afterAll(() => scratch.cleanup());

/**
 * 2 × 288,000 × 1,024 embedding and lm_head values (2.36 GB in float32) plus two small blocks:
 * 2.45 GB of float32 weights, 1.22 GB of bf16 on disk.
 */
const SPEC: LlamaSpec = { nLayers: 2, dModel: 1024, nHeads: 8, nKvHeads: 2, dMlp: 2816, dVocab: 288_000, seed: 11 };
const IDS = [1, 287_999, 150_001, 42, 287_998, 9, 200_000];
const HOOKS = ['blocks.0.hook_resid_pre', 'blocks.0.hook_resid_mid', 'blocks.1.hook_resid_post', 'ln_final.hook_normalized'];
const LOGIT_POSITIONS = [0, 3, 6];

/**
 * The reference's own reader: the index's weight_map, the shard's JSON header, the bytes of one bf16
 * tensor widened to float32 (bf16 is the top half of a float32). No code shared with the loader.
 */
function bf16Reader(dir: string): (name: string) => Float32Array {
  const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
  return (name) => {
    const fd = openSync(join(dir, index.weight_map[name]), 'r');
    try {
      const prefix = Buffer.alloc(8);
      readSync(fd, prefix, 0, 8, 0);
      const headerLength = Number(prefix.readBigUInt64LE());
      const header = Buffer.alloc(headerLength);
      readSync(fd, header, 0, headerLength, 8);
      const entry = (JSON.parse(header.toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>)[name];
      expect(entry.dtype).toBe('BF16');
      const [begin, end] = entry.data_offsets;
      const out = new Float32Array((end - begin) / 2);
      const bits = new Uint32Array(out.buffer);
      const chunk = Buffer.alloc(1 << 24);
      for (let done = 0; done < end - begin; done += chunk.length) {
        const n = readSync(fd, chunk, 0, Math.min(chunk.length, end - begin - done), 8 + headerLength + begin + done);
        for (let i = 0; i < n / 2; i++) bits[done / 2 + i] = chunk.readUInt16LE(2 * i) << 16;
      }
      return out;
    } finally {
      closeSync(fd);
    }
  };
}

function rows(values: Float64Array[]): Float32Array {
  const out = new Float32Array(values.length * values[0].length);
  values.forEach((row, i) => out.set(row, i * row.length));
  return out;
}

describe('the plain TypeScript Llama reference', () => {
  it("reproduces transformers' hooks and logits on the llama-tiny fixture (relative error < 1e-4)", () => {
    const dir = join(FIXTURES, 'families', 'llama-tiny');
    const shape = llamaShape(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>);
    const weights = openSafetensors(join(dir, 'model.safetensors'));
    const refs = openSafetensors(join(dir, 'refs.safetensors'));
    const ids = refs.read('input_ids');
    const seq = ids.shape[1];
    const first = Array.from(ids.data as BigInt64Array, Number).slice(0, seq);
    const positions = Array.from({ length: seq }, (_, i) => i);
    const ref = llamaReference(shape, (n) => weights.readFloat32(n).data, first, positions);
    for (const hook of ['blocks.0.hook_resid_mid', 'blocks.1.hook_resid_post', 'ln_final.hook_normalized']) {
      const want = refs.readFloat32(hook).data.subarray(0, seq * shape.dModel);
      expect(relativeError(rows(ref.hooks.get(hook)!), want), hook).toBeLessThan(1e-4);
    }
    const logits = refs.readFloat32('logits').data.subarray(0, seq * shape.dVocab);
    expect(relativeError(rows(positions.map((p) => ref.logits.get(p)!)), logits)).toBeLessThan(1e-4);
    weights.close();
    refs.close();
  });
});

describe('a model over 2 GiB of float32 weights', () => {
  it('runs through `loupe run` from bf16 shards, matching the reference, with peak RSS under 1.5 × its float32 weights', () => {
    const dir = join(scratch.path, 'llama-big');
    mkdirSync(dir);
    const f32Bytes = writeBigLlama(dir, SPEC);
    expect(f32Bytes).toBeGreaterThan(2 ** 31);
    const idsPath = join(scratch.path, 'ids.safetensors');
    writeSafetensors(idsPath, { input_ids: { dtype: 'I64', shape: [1, IDS.length], data: BigInt64Array.from(IDS, BigInt) } });
    const out = join(scratch.path, 'out.safetensors');

    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '..', '..', 'helpers', 'peak-rss-loupe.ts'),
        'run',
        '--model',
        dir,
        '--ids',
        idsPath,
        '--hooks',
        HOOKS.join(','),
        '--logits',
        '--out',
        out,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    expect(child.stderr).toBe('');
    const { code, peakRssBytes } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { code: number; peakRssBytes: number };
    expect(code).toBe(0);
    process.stdout.write(
      `large model: ${(f32Bytes / 2 ** 30).toFixed(2)} GiB float32 weights, peak RSS ${(peakRssBytes / 2 ** 30).toFixed(2)} GiB (${(peakRssBytes / f32Bytes).toFixed(2)}×)\n`,
    );
    expect(peakRssBytes).toBeLessThan(1.5 * f32Bytes);

    const ref = llamaReference(
      llamaShape(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>),
      bf16Reader(dir),
      IDS,
      LOGIT_POSITIONS,
    );
    const written = openSafetensors(out);
    for (const hook of HOOKS) {
      const got = written.readFloat32(hook);
      expect(got.shape, hook).toEqual([1, IDS.length, SPEC.dModel]);
      expect(relativeError(got.data, rows(ref.hooks.get(hook)!)), hook).toBeLessThan(1e-4);
    }
    const logits = written.readFloat32('logits');
    expect(logits.shape).toEqual([1, IDS.length, SPEC.dVocab]);
    for (const p of LOGIT_POSITIONS) {
      const got = logits.data.subarray(p * SPEC.dVocab, (p + 1) * SPEC.dVocab);
      expect(relativeError(got, Float32Array.from(ref.logits.get(p)!)), `logits at ${p}`).toBeLessThan(1e-4);
    }
    written.close();
  }, 300_000);
});
