/**
 * Each library's own encode/decode, transcribed from its source in plain loops over its own tensor
 * layout (not the canonical one), so tests can hold a reader's transposes and folds to the library.
 */

/** y = x·M for M [inDim, outDim] row-major (SAELens-style W_enc / W_dec). */
export function vecMat(x: ArrayLike<number>, m: Float32Array, inDim: number, outDim: number): Float64Array {
  const y = new Float64Array(outDim);
  for (let i = 0; i < inDim; i++) for (let j = 0; j < outDim; j++) y[j] += x[i] * m[i * outDim + j];
  return y;
}

/** y = M·x for M [outDim, inDim] row-major (nn.Linear weight). */
export function linear(m: Float32Array, x: ArrayLike<number>, outDim: number, inDim: number): Float64Array {
  const y = new Float64Array(outDim);
  for (let o = 0; o < outDim; o++) for (let i = 0; i < inDim; i++) y[o] += m[o * inDim + i] * x[i];
  return y;
}

export const add = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (v, i) => v + b[i]);
export const sub = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (v, i) => v - b[i]);
export const relu = (a: ArrayLike<number>) => Float64Array.from(a, (v) => Math.max(v, 0));

/** torch.topk + scatter into zeros: the k largest values kept, the rest 0. */
export function topk(a: Float64Array, k: number): Float64Array {
  const keep = Array.from(a.keys())
    .sort((p, q) => a[q] - a[p])
    .slice(0, k);
  const out = new Float64Array(a.length);
  for (const j of keep) out[j] = a[j];
  return out;
}

/** Norm of each row of M [rows, cols]. */
export function rowNorms(m: Float32Array, rows: number, cols: number): Float64Array {
  return Float64Array.from({ length: rows }, (_, r) => Math.hypot(...m.subarray(r * cols, (r + 1) * cols)));
}

/** Norm of each column of M [rows, cols]. */
export function colNorms(m: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c] += m[r * cols + c] ** 2;
  return out.map(Math.sqrt);
}

/** openai's LN: (x − μ) / (std + 1e-5) with torch.std's Bessel correction. */
export function layerNorm(x: ArrayLike<number>): { y: Float64Array; mu: number; std: number } {
  const d = x.length;
  const mu = Array.from(x).reduce((a, b) => a + b, 0) / d;
  const centred = Float64Array.from(x, (v) => v - mu);
  const std = Math.sqrt(centred.reduce((a, v) => a + v * v, 0) / (d - 1));
  return { y: centred.map((v) => v / (std + 1e-5)), mu, std };
}

export interface TokenForward {
  /** [dSae] */ acts: ArrayLike<number>;
  /** [dIn] */ out: ArrayLike<number>;
}

/** Runs a per-token forward over x [n, dIn]; returns acts [n, dSae] and reconstructions [n, dIn]. */
export function forward(x: Float32Array, n: number, dIn: number, dSae: number, token: (xt: Float32Array) => TokenForward) {
  const acts = new Float32Array(n * dSae);
  const out = new Float32Array(n * dIn);
  for (let t = 0; t < n; t++) {
    const r = token(x.subarray(t * dIn, (t + 1) * dIn));
    acts.set(Float32Array.from(r.acts), t * dSae);
    out.set(Float32Array.from(r.out), t * dIn);
  }
  return { acts, out };
}
