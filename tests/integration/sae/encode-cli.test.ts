import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors } from '../../../native/formats/safetensors.js';
import type { HostTensor } from '../../../native/formats/tensor.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { relativeError } from '../../helpers/numeric.js';
import { SHARED } from '../../helpers/shared.js';

const SAES = `${SHARED}/fixtures/saes`;
const scratch = tempDir('encode-cli');
afterAll(() => scratch.cleanup());

const CASES = [
  { folder: 'saelens-relu', sae: `${SAES}/saelens-relu`, acts: 'feature_acts', out: 'sae_out', k: 0 },
  { folder: 'saelens-topk', sae: `${SAES}/saelens-topk`, acts: 'feature_acts', out: 'sae_out', k: 8 },
  { folder: 'openai-topk', sae: `${SAES}/openai-topk/layer_1.pt`, acts: 'latents', out: 'recons', k: 6 },
] as const;

/** Every tensor of a safetensors file, as written. */
function readAll(path: string): Map<string, HostTensor> {
  const file = openSafetensors(path);
  try {
    return new Map([...file.entries.keys()].map((name) => [name, file.read(name)] as const));
  } finally {
    file.close();
  }
}

const refs = (folder: string) => readAll(`${SAES}/${folder}/refs.safetensors`);

let count = 0;
function inputFile(tensors: Record<string, HostTensor>): string {
  const path = join(scratch.path, `input-${count++}.safetensors`);
  writeSafetensors(path, tensors);
  return path;
}

async function encode(sae: string, input: string, ...extra: string[]) {
  const out = join(scratch.path, `out-${count++}.safetensors`);
  const result = await loupe('encode', '--sae', sae, '--input', input, '--out', out, ...extra);
  return { ...result, path: out };
}

/** The dense [n, dSae] array of a sparse pair of [n, k] indices and values. */
function scatter(indices: BigInt64Array, values: Float32Array, n: number, dSae: number): Float32Array {
  const k = values.length / n;
  const dense = new Float32Array(n * dSae);
  for (let t = 0; t < n; t++) for (let j = 0; j < k; j++) dense[t * dSae + Number(indices[t * k + j])] = values[t * k + j];
  return dense;
}

describe('loupe encode reproduces the PyTorch fixtures', () => {
  for (const c of CASES) {
    it(`${c.folder}: x -> feature_acts and sae_out within 1e-4 relative error`, async () => {
      const r = refs(c.folder);
      const { code, out, err, path: outPath } = await encode(c.sae, `${SAES}/${c.folder}/refs.safetensors`);
      expect(err).toBe('');
      expect(code).toBe(0);
      const written = readAll(outPath);
      expect([...written.keys()].sort()).toEqual(['feature_acts', 'sae_out']);
      const acts = written.get('feature_acts')!;
      expect(acts.dtype).toBe('F32');
      expect(acts.shape).toEqual(r.get(c.acts)!.shape);
      expect(relativeError(acts.data as Float32Array, r.get(c.acts)!.data as Float32Array)).toBeLessThan(1e-4);
      expect(written.get('sae_out')!.shape).toEqual([54, 64]);
      expect(relativeError(written.get('sae_out')!.data as Float32Array, r.get(c.out)!.data as Float32Array)).toBeLessThan(1e-4);
      expect(JSON.parse(out.split('\n')[0])).toMatchObject({ out: outPath, sae: c.sae, provider: 'cpu', tokens: 54 });
    });
  }

  for (const c of CASES.filter((c) => c.k > 0)) {
    it(`${c.folder}: --sparse writes the same activations as [n, k] indices and values`, async () => {
      const input = `${SAES}/${c.folder}/refs.safetensors`;
      const dense = readAll((await encode(c.sae, input)).path);
      const { code, out, path: outPath } = await encode(c.sae, input, '--sparse');
      expect(code).toBe(0);
      const sparse = readAll(outPath);
      expect([...sparse.keys()].sort()).toEqual(['feature_indices', 'feature_values', 'sae_out']);
      const indices = sparse.get('feature_indices')!;
      const values = sparse.get('feature_values')!;
      expect([indices.dtype, values.dtype]).toEqual(['I64', 'F32']);
      expect(indices.shape).toEqual([54, c.k]);
      expect(values.shape).toEqual([54, c.k]);
      const denseActs = dense.get('feature_acts')!;
      expect(scatter(indices.data as BigInt64Array, values.data as Float32Array, 54, denseActs.shape[1])).toEqual(denseActs.data);
      expect(sparse.get('sae_out')!.data).toEqual(dense.get('sae_out')!.data);
      expect(
        JSON.parse(out)
          .tensors.map((t: { name: string }) => t.name)
          .sort(),
      ).toEqual(['feature_indices', 'feature_values', 'sae_out']);
    });
  }

  it('reads any float dtype and shape [..., d_in] under the key --key names', async () => {
    const r = refs('saelens-relu');
    const x = r.get('x')!.data as Float32Array;
    const input = inputFile({ resid: { dtype: 'F64', shape: [2, 27, 64], data: Float64Array.from(x) } });
    const { code, path } = await encode(`${SAES}/saelens-relu`, input, '--key', 'resid');
    expect(code).toBe(0);
    const written = readAll(path);
    expect(written.get('feature_acts')!.shape).toEqual([54, 512]);
    expect(relativeError(written.get('feature_acts')!.data as Float32Array, r.get('feature_acts')!.data as Float32Array)).toBeLessThan(
      1e-4,
    );
  });
});

describe('loupe encode refuses bad input with a specific message', () => {
  const x = refs('saelens-relu').get('x')!.data as Float32Array;

  it('names a missing --key tensor and lists the keys present', async () => {
    const { code, err, path } = await encode(
      `${SAES}/saelens-relu`,
      inputFile({ acts: { dtype: 'F32', shape: [54, 64], data: x }, ids: { dtype: 'I64', shape: [1], data: BigInt64Array.of(1n) } }),
    );
    expect(code).toBe(1);
    expect(err).toMatch(/no "x" tensor \(the file has acts, ids\); choose one with --key/);
    expect(existsSync(path)).toBe(false);
  });

  it("names both widths and the SAE when the last dimension is not the SAE's d_in", async () => {
    const narrow = x.filter((_, i) => i % 64 < 32);
    const { code, err } = await encode(`${SAES}/saelens-relu`, inputFile({ x: { dtype: 'F32', shape: [54, 32], data: narrow } }));
    expect(code).toBe(1);
    expect(err).toMatch(/tensor "x" has shape \[54, 32\], last dimension 32, but the SAE \S*saelens-relu reads d_in = 64 values per token/);
  });

  it('counts non-finite inputs and names the first', async () => {
    const bad = x.slice();
    bad[3 * 64 + 5] = Number.NaN;
    bad[7 * 64] = Number.POSITIVE_INFINITY;
    bad[9 * 64 + 1] = Number.NaN;
    const { code, err } = await encode(`${SAES}/saelens-relu`, inputFile({ x: { dtype: 'F32', shape: [54, 64], data: bad } }));
    expect(code).toBe(1);
    expect(err).toMatch(
      /tensor "x" has 2 NaN and 1 infinite values, first at \[3, 5\] \(NaN\); the SAE cannot encode non-finite activations/,
    );
  });

  it('refuses a tensor that is not floating point', async () => {
    const { code, err } = await encode(
      `${SAES}/saelens-relu`,
      inputFile({ x: { dtype: 'I32', shape: [1, 64], data: new Int32Array(64) } }),
    );
    expect(code).toBe(1);
    expect(err).toMatch(/tensor "x" is I32; expected a float tensor \(F32, F16, BF16, F64\)/);
  });

  it('refuses --sparse for an SAE without a TopK activation', async () => {
    const { code, err } = await encode(`${SAES}/saelens-relu`, `${SAES}/saelens-relu/refs.safetensors`, '--sparse');
    expect(code).toBe(1);
    expect(err).toMatch(/--sparse needs a TopK SAE; \S*saelens-relu has a relu activation/);
  });

  it('says why an SAE cannot be read: missing, or not a checkpoint', async () => {
    const input = `${SAES}/saelens-relu/refs.safetensors`;
    const missing = await encode(join(scratch.path, 'no-such-sae'), input);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read the SAE: \S*no-such-sae: does not exist or cannot be read/);
    const folder = join(scratch.path, 'broken');
    mkdirSync(folder);
    writeFileSync(join(folder, 'layer_0.pt'), 'not a zip archive at all');
    const broken = await encode(join(folder, 'layer_0.pt'), input);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/cannot read the SAE: \S*layer_0\.pt: not a zip archive/);
  });

  it('names a missing input file and a missing required flag', async () => {
    const missing = await encode(`${SAES}/saelens-relu`, join(scratch.path, 'absent.safetensors'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/--input \S*absent\.safetensors: no such file/);
    const noSae = await loupe('encode', '--input', `${SAES}/saelens-relu/refs.safetensors`, '--out', join(scratch.path, 'o.safetensors'));
    expect(noSae.code).toBe(2);
    expect(noSae.err).toMatch(/missing required flag --sae/);
  });
});
