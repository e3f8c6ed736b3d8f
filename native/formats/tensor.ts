import { decodeBf16, decodeF16 } from './float16.js';

export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL' | 'U16' | 'U32' | 'U64';

export type TensorData =
  | Float64Array
  | Float32Array
  | Uint16Array /* F16 and BF16 raw bits, U16 */
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array /* U8 and BOOL */
  | Uint32Array
  | BigUint64Array;

/** A tensor in host memory, row-major (C order), shape in elements. */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/** A malformed or unsupported file; the message already says what, where and what was expected. */
export class FormatError extends Error {
  /** the message without the file name, for wrapping in another error that names the same file */
  readonly reason: string;
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'FormatError';
    this.reason = message;
  }
}

export const DTYPES: readonly DType[] = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'U16', 'U32', 'U64'];

const BYTES: Record<DType, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  // Unsigned integers: delphi's latent caches store locations as U16 or U32.
  U16: 2,
  U32: 4,
  U64: 8,
};

export function isDType(s: unknown): s is DType {
  return typeof s === 'string' && Object.hasOwn(BYTES, s);
}

export function dtypeSize(dtype: DType): number {
  return BYTES[dtype];
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Views `bytes` (little-endian, as every format we read stores them) as the dtype's typed array.
 * The bytes must start at an offset aligned to the element size; callers read into fresh buffers.
 */
export function viewAs(dtype: DType, bytes: Uint8Array): TensorData {
  const { buffer, byteOffset, byteLength } = bytes;
  const n = byteLength / BYTES[dtype];
  if (byteOffset % BYTES[dtype] !== 0) return viewAs(dtype, bytes.slice());
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer, byteOffset, n);
    case 'F32':
      return new Float32Array(buffer, byteOffset, n);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buffer, byteOffset, n);
    case 'I64':
      return new BigInt64Array(buffer, byteOffset, n);
    case 'I32':
      return new Int32Array(buffer, byteOffset, n);
    case 'I16':
      return new Int16Array(buffer, byteOffset, n);
    case 'I8':
      return new Int8Array(buffer, byteOffset, n);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buffer, byteOffset, n);
    case 'U16':
      return new Uint16Array(buffer, byteOffset, n);
    case 'U32':
      return new Uint32Array(buffer, byteOffset, n);
    case 'U64':
      return new BigUint64Array(buffer, byteOffset, n);
  }
}

/** A zeroed typed array of `n` elements of the dtype. */
export function allocate(dtype: DType, n: number): TensorData {
  return viewAs(dtype, new Uint8Array(n * BYTES[dtype]));
}

/** The raw little-endian bytes behind a tensor's data (a view, not a copy). */
export function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Converts any dtype to float32; F16/BF16 decode exactly, I64 beyond 2^24 rounds as float32 does.
 * F32 data is returned as is (shared, not copied).
 */
export function toFloat32(t: HostTensor): Float32Array {
  const { data } = t;
  if (t.dtype === 'F32') return data as Float32Array;
  const out = new Float32Array(data.length);
  decodeFloat32Into(t.dtype, data, out, 0);
  return out;
}

/** Decodes `data` of any dtype as float32 into `out` at `offset` (the streaming form of toFloat32). */
export function decodeFloat32Into(dtype: DType, data: TensorData, out: Float32Array, offset: number): void {
  if (dtype === 'F16') decodeF16(data as Uint16Array, out, offset);
  else if (dtype === 'BF16') decodeBf16(data as Uint16Array, out, offset);
  else if (data instanceof BigInt64Array || data instanceof BigUint64Array)
    for (let i = 0; i < data.length; i++) out[offset + i] = Number(data[i]);
  else out.set(data, offset);
}
