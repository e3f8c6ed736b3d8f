/**
 * Typed arrays ↔ SQLite BLOBs. Every BLOB in the store is little-endian, whatever the host: the
 * database file moves between machines. Hosts we ship to are all little-endian; a big-endian one
 * fails here, at load, instead of reading garbage later.
 */
if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) {
  throw new Error('Loupe stores little-endian BLOBs and this host is big-endian');
}

export class BlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobError';
  }
}

/** A view on the array's bytes (no copy); better-sqlite3 copies it when binding. */
export function bytesOf(array: Int32Array | Uint32Array | Float32Array | Uint16Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * better-sqlite3 hands BLOBs back as Buffers that may sit at any offset of a shared ArrayBuffer;
 * a typed array over them needs an aligned copy.
 */
function aligned(blob: Uint8Array, width: number, what: string): ArrayBuffer {
  if (blob.byteLength % width !== 0) throw new BlobError(`${what}: ${blob.byteLength} bytes is not a whole number of ${width}-byte values`);
  return blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength) as ArrayBuffer;
}

export function int32FromBlob(blob: Uint8Array, what: string): Int32Array {
  return new Int32Array(aligned(blob, 4, what));
}

export function uint32FromBlob(blob: Uint8Array, what: string): Uint32Array {
  return new Uint32Array(aligned(blob, 4, what));
}

export function float32FromBlob(blob: Uint8Array, what: string): Float32Array {
  return new Float32Array(aligned(blob, 4, what));
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Largest finite float16. */
export const float16Max = 65504;

/** IEEE 754 binary16 bits of `value`, rounded to nearest even; callers clamp to ±float16Max first. */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  let mantissa = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    // A float16 subnormal: the full 24-bit significand shifted down, rounded to nearest even.
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const middle = 1 << (shift - 1);
    return sign | (rest > middle || (rest === middle && half & 1) ? half + 1 : half);
  }
  const half = (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | (rest > 0x1000 || (rest === 0x1000 && half & 1) ? half + 1 : half);
}

let float16Table: Float32Array | undefined;

/** All 65,536 float16 values, decoded once: a table lookup beats bit twiddling per token. */
function float16Values(): Float32Array {
  if (float16Table) return float16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) table[h] = mantissa ? NaN : sign * Infinity;
    else table[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  float16Table = table;
  return table;
}

export function float16Value(bits: number): number {
  return float16Values()[bits & 0xffff];
}
