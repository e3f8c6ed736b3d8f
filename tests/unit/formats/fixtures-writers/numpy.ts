import { zipSync } from 'fflate';
import { concatBytes } from './tmp.js';

export interface NpySpec {
  descr: string; // e.g. '<f4', '|O', "[('a', '<f4')]" (written verbatim)
  shape: number[];
  fortranOrder?: boolean;
  data: Uint8Array;
  version?: 1 | 2 | 3;
  quoteDescr?: boolean; // false for structured descrs written as a list literal
}

/** .npy bytes as numpy.lib.format writes them: magic, version, length, dict padded so data is 64-aligned. */
export function npyBytes(spec: NpySpec): Uint8Array {
  const version = spec.version ?? 1;
  const descr = spec.quoteDescr === false ? spec.descr : `'${spec.descr}'`;
  const shape = spec.shape.length === 1 ? `(${spec.shape[0]},)` : `(${spec.shape.join(', ')})`;
  let dict = `{'descr': ${descr}, 'fortran_order': ${spec.fortranOrder ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const prefix = version === 1 ? 10 : 12;
  dict += ' '.repeat(63 - ((prefix + dict.length) % 64)) + '\n';
  const head = new Uint8Array(prefix);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(head.buffer);
  if (version === 1) v.setUint16(8, dict.length, true);
  else v.setUint32(8, dict.length, true);
  return concatBytes([head, new TextEncoder().encode(dict), spec.data]);
}

/** An .npz archive (deflated like numpy.savez_compressed unless `stored`). */
export function npzBytes(members: Record<string, Uint8Array>, stored = false): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(members)) files[`${name}.npy`] = bytes;
  return zipSync(files, { level: stored ? 0 : 6 });
}
