import { BlobError, float16Bits, float16Max, float16Value } from './blob-codec.js';

/**
 * One feature's activations over one token window, as stored in `feature_examples.acts`.
 *
 * Float16, not float32: the values only colour tokens (8 bits of colour per channel) and label
 * tooltips (3 significant digits), and float16 keeps 11 significant bits (relative error ≤ 2⁻¹¹
 * ≈ 4.9e-4) over 6e-5 … 65504, which covers SAE activations; the exact maximum of each example is
 * kept separately as a REAL. A 32,768-feature index holds 1.6 M examples, so halving them matters.
 * Most example windows are mostly zeros (a feature fires on a few tokens), so the codec picks the
 * smaller of two layouts:
 *
 *   byte 0      1 = dense, 2 = sparse
 *   byte 1      0 (reserved)
 *   bytes 2–3   nTokens, uint16 LE
 *   dense:      nTokens × float16 LE
 *   sparse:     nnz × (uint16 position, float16 value), positions ascending
 */
const dense = 1;
const sparse = 2;
const headerBytes = 4;

/** Encodes `[nTokens]` activations. Refuses NaN (SQLite would keep garbage); clamps |x| > 65504. */
export function encodeActs(acts: Float32Array): Uint8Array {
  const n = acts.length;
  if (n === 0 || n > 0xffff) throw new BlobError(`activations: window of ${n} tokens, expected 1 to 65535`);
  let nonzero = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(acts[i])) throw new BlobError(`activations: NaN at token ${i}`);
    if (acts[i] !== 0) nonzero++;
  }
  const isSparse = 4 * nonzero < 2 * n;
  const out = new Uint8Array(headerBytes + (isSparse ? 4 * nonzero : 2 * n));
  const view = new DataView(out.buffer);
  out[0] = isSparse ? sparse : dense;
  view.setUint16(2, n, true);
  const half = (x: number) => float16Bits(Math.max(-float16Max, Math.min(float16Max, x)));
  if (!isSparse) {
    for (let i = 0; i < n; i++) view.setUint16(headerBytes + 2 * i, half(acts[i]), true);
    return out;
  }
  let at = headerBytes;
  for (let i = 0; i < n; i++) {
    if (acts[i] === 0) continue;
    view.setUint16(at, i, true);
    view.setUint16(at + 2, half(acts[i]), true);
    at += 4;
  }
  return out;
}

/** `[nTokens]` activations back from a stored BLOB. */
export function decodeActs(blob: Uint8Array, what = 'activations'): Float32Array {
  if (blob.byteLength < headerBytes) throw new BlobError(`${what}: ${blob.byteLength} bytes, shorter than the 4-byte header`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const kind = blob[0];
  const n = view.getUint16(2, true);
  const out = new Float32Array(n);
  const body = blob.byteLength - headerBytes;
  if (kind === dense) {
    if (body !== 2 * n) throw new BlobError(`${what}: dense block of ${n} tokens needs ${2 * n} bytes, has ${body}`);
    for (let i = 0; i < n; i++) out[i] = float16Value(view.getUint16(headerBytes + 2 * i, true));
    return out;
  }
  if (kind !== sparse) throw new BlobError(`${what}: unknown encoding ${kind}, expected 1 (dense) or 2 (sparse)`);
  if (body % 4 !== 0) throw new BlobError(`${what}: sparse block of ${body} bytes is not whole (position, value) pairs`);
  for (let at = headerBytes; at < blob.byteLength; at += 4) {
    const position = view.getUint16(at, true);
    if (position >= n) throw new BlobError(`${what}: position ${position} outside a window of ${n} tokens`);
    out[position] = float16Value(view.getUint16(at + 2, true));
  }
  return out;
}
