import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import type { CanonicalSae } from '../../../native/sae/index.js';
import { decodeReference, encodeReference } from '../../../native/sae/index.js';
import { npyBytes, npzBytes } from '../formats/fixtures-writers/numpy.js';
import { checkpointZip, statePickle } from '../formats/fixtures-writers/torch.js';
import type { StateValue, TensorSpec } from '../formats/fixtures-writers/torch.js';
import { relativeError } from '../../helpers/numeric.js';
import { forward } from './library-forward.js';
import type { TokenForward } from './library-forward.js';

/** The shared golden fixtures live beside the repository, in ../shared/fixtures. */
export const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));

/** A seeded generator of normal-ish values (mulberry32 + Box–Muller), so random SAEs are reproducible. */
export function randn(seed: number): (n: number, scale?: number) => Float32Array {
  const uniform = mulberry32(seed);
  return (n, scale = 1) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = scale * Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
    return out;
  };
}

/** [cols, rows] from [rows, cols], row-major; for writing libraries' transposed layouts. */
export function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

type Leaf = { shape: number[]; data: Float32Array | Int32Array | BigInt64Array };
export type StateDict = { [key: string]: Leaf | number | string | boolean | null | StateDict };

const STORAGE: Record<string, string> = { Float32Array: 'FloatStorage', Int32Array: 'IntStorage', BigInt64Array: 'LongStorage' };

function isLeaf(v: unknown): v is Leaf {
  return typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;
}

/** Writes a state dict the way torch.save does (zip of pickle + raw storages), one storage per tensor. */
export function writeCheckpoint(path: string, state: StateDict): void {
  const storages: Record<string, Uint8Array> = {};
  const toSpec = (v: StateDict[string]): StateValue => {
    if (!isLeaf(v)) {
      if (v === null || typeof v !== 'object') return v;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toSpec(x)]));
    }
    const key = String(Object.keys(storages).length);
    storages[key] = new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength).slice();
    const strides = v.shape.map((_, i) => v.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const spec: TensorSpec = {
      storageType: STORAGE[v.data.constructor.name],
      key,
      storageNumel: v.data.length,
      offset: 0,
      shape: v.shape,
      strides,
    };
    return spec;
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, checkpointZip({ name: 'archive', pickle: statePickle(toSpec(state)), storages, byteorder: 'little' }));
}

/** A float32 .npz as numpy.savez writes it. */
export function writeNpz(path: string, arrays: Record<string, { shape: number[]; data: Float32Array }>): void {
  const members: Record<string, Uint8Array> = {};
  for (const [name, a] of Object.entries(arrays)) {
    members[name] = npyBytes({ descr: '<f4', shape: a.shape, data: new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength) });
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, npzBytes(members, true));
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2));
}

/**
 * The reference encoder/decoder on a loaded SAE agree with the library's own forward pass over x [n, dIn],
 * and the inputs are such that the activation gates some latents and passes others.
 */
export function expectAgreement(sae: CanonicalSae, x: Float32Array, n: number, token: (xt: Float32Array) => TokenForward): void {
  const lib = forward(x, n, sae.dIn, sae.dSae, token);
  const acts = encodeReference(sae, x, n);
  expect(lib.acts.some((v) => v !== 0) && lib.acts.some((v) => v === 0)).toBe(true);
  expect(relativeError(acts, lib.acts)).toBeLessThan(1e-5);
  expect(relativeError(decodeReference(sae, acts, n, x), lib.out)).toBeLessThan(1e-5);
}
