import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import { writeSafetensors } from '../../../native/formats/safetensors.js';
import { SHARED } from '../../helpers/shared.js';

export const FIXTURES = `${SHARED}/fixtures`;

/** Writes `files` (relative path -> text, bytes, or a fixture path to copy as `{ copy }`) under `root`. */
export function writeTree(root: string, files: Record<string, string | Uint8Array | { copy: string }>): void {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof content === 'object' && 'copy' in content) copyFileSync(content.copy, path);
    else writeFileSync(path, content);
  }
}

/** A float32 .npy (format 1.0) of zeros, laid out as numpy writes it: header padded to 64 bytes. */
export function npyZeros(shape: number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(10 + header.length + 4 * n);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  return out;
}

/** A Gemma Scope params.npz: np.savez stores members uncompressed, np.savez_compressed deflates them. */
export function gemmaScopeNpz(dIn: number, dSae: number, compressed = false): Uint8Array {
  const members = {
    'W_enc.npy': npyZeros([dIn, dSae]),
    'W_dec.npy': npyZeros([dSae, dIn]),
    'b_enc.npy': npyZeros([dSae]),
    'b_dec.npy': npyZeros([dIn]),
    'threshold.npy': npyZeros([dSae]),
  };
  return zipSync(members, { level: compressed ? 6 : 0 });
}

/** A sparsify sae.safetensors: encoder.weight [d_sae, d_in], encoder.bias, W_dec [d_sae, d_in], b_dec. */
export function writeSparsifyWeights(path: string, dIn: number, dSae: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const t = (shape: number[]) => ({ dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  writeSafetensors(path, { 'encoder.weight': t([dSae, dIn]), 'encoder.bias': t([dSae]), W_dec: t([dSae, dIn]), b_dec: t([dIn]) });
}
