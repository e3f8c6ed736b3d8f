import { FormatError, allocate, bytesOf, dtypeSize, numel, viewAs } from './tensor.js';
import type { DType, TensorData } from './tensor.js';

/** A view into a flat storage, as torch describes tensors: offset, sizes and strides in elements. */
export interface StridedView {
  offset: number;
  shape: number[];
  strides: number[];
}

/**
 * Copies a strided view of `storage` (raw little-endian bytes of `dtype`) into a new row-major array.
 * Non-contiguous views (transposes, slices, Fortran order) are gathered element by element.
 */
export function materialise(file: string, what: string, dtype: DType, storage: Uint8Array, v: StridedView): TensorData {
  const size = dtypeSize(dtype);
  const storageNumel = Math.floor(storage.length / size);
  const n = numel(v.shape);
  checkView(file, what, v, storageNumel, n);
  if (n === 0) return allocate(dtype, 0);
  if (isContiguous(v)) return viewAs(dtype, storage.slice(v.offset * size, (v.offset + n) * size));
  const out = allocateOrFail(file, what, dtype, n);
  // Copy by 32-bit (or byte/16-bit) words rather than typed elements so NaN payloads stay bit-exact.
  const wordBytes = Math.min(size, 4);
  const words = size / wordBytes;
  const src = wordsOf(storage, wordBytes);
  const dst = wordsOf(bytesOf(out), wordBytes);
  const rank = v.shape.length;
  const index = new Array<number>(rank).fill(0);
  let from = v.offset;
  for (let i = 0; i < n; i++) {
    for (let w = 0; w < words; w++) dst[i * words + w] = src[from * words + w];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < v.shape[d]) {
        from += v.strides[d];
        break;
      }
      from -= (v.shape[d] - 1) * v.strides[d];
      index[d] = 0;
    }
  }
  return out;
}

function checkView(file: string, what: string, v: StridedView, storageNumel: number, n: number): void {
  const desc = `${what}: view (offset ${v.offset}, shape [${v.shape.join(', ')}], strides [${v.strides.join(', ')}])`;
  const ints = [v.offset, ...v.shape, ...v.strides];
  if (v.shape.length !== v.strides.length || !ints.every((x) => Number.isSafeInteger(x) && x >= 0)) {
    throw new FormatError(file, `${desc} must have non-negative integer offset, sizes and strides of equal rank`);
  }
  if (!Number.isSafeInteger(n)) throw new FormatError(file, `${desc} has more elements than can be counted`);
  if (n === 0) return;
  let last = v.offset;
  for (let d = 0; d < v.shape.length; d++) last += (v.shape[d] - 1) * v.strides[d];
  if (last >= storageNumel) {
    throw new FormatError(file, `${desc} reaches element ${last} of a storage that holds ${storageNumel}`);
  }
}

/** A stride-0 view can claim far more elements than its storage holds; fail cleanly, not with a RangeError. */
function allocateOrFail(file: string, what: string, dtype: DType, n: number): TensorData {
  try {
    return allocate(dtype, n);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new FormatError(file, `${what}: ${n} elements of ${dtype} do not fit in memory`);
  }
}

function isContiguous(v: StridedView): boolean {
  let expected = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    if (v.shape[d] !== 1 && v.strides[d] !== expected) return false;
    expected *= v.shape[d];
  }
  return true;
}

function wordsOf(bytes: Uint8Array, wordBytes: number): Uint8Array | Uint16Array | Uint32Array {
  const b = bytes.byteOffset % wordBytes === 0 ? bytes : bytes.slice();
  if (wordBytes === 4) return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  if (wordBytes === 2) return new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2);
  return b;
}
