/**
 * Contrastive activation addition (Rimsky et al., 2023): the steering vector is the mean activation
 * over positive prompts minus the mean over negative ones, at one hook. Here it is read in an SAE's
 * terms: the cosine of each decoder direction with it, the change in each feature's mean activation
 * between the two sets (the SAE's encoder view), and how much of the vector a few decoder directions
 * explain (least squares on those directions: ‖proj‖² / ‖v‖²).
 */

/** Mean of `rows` [n, d] row-major. */
export function meanRows(rows: Float32Array, n: number, d: number): Float64Array {
  if (n < 1) throw new RangeError('a mean needs at least one row');
  const out = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) out[j] += rows[r * d + j];
  for (let j = 0; j < d; j++) out[j] /= n;
  return out;
}

/** cos(W_dec[i], v) for every feature: wDec [dSae, d] row-major. */
export function decoderCosines(wDec: Float32Array, dSae: number, v: ArrayLike<number>): Float64Array {
  const d = v.length;
  let vv = 0;
  for (let j = 0; j < d; j++) vv += v[j] * v[j];
  const out = new Float64Array(dSae);
  for (let i = 0; i < dSae; i++) {
    let dot = 0;
    let ww = 0;
    for (let j = 0; j < d; j++) {
      const w = wDec[i * d + j];
      dot += w * v[j];
      ww += w * w;
    }
    out[i] = ww > 0 && vv > 0 ? dot / Math.sqrt(ww * vv) : 0;
  }
  return out;
}

/** Indices of the k largest |scores|, largest first (ties: lower index first). */
export function topByMagnitude(scores: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: scores.length }, (_, i) => i)
    .sort((a, b) => Math.abs(scores[b]) - Math.abs(scores[a]) || a - b)
    .slice(0, Math.max(0, k));
}

export interface LeastSquaresFit {
  /** one coefficient per chosen feature: v ≈ Σ c_i · W_dec[i] */
  coefficients: number[];
  /** ‖Σ c_i W_dec[i]‖² / ‖v‖², in [0, 1] */
  explained: number;
}

/**
 * The least-squares fit of v [d] by the chosen decoder rows (normal equations, solved by Gaussian
 * elimination with partial pivoting and a tiny ridge so parallel directions do not blow up).
 */
export function fitDirections(wDec: Float32Array, d: number, chosen: readonly number[], v: ArrayLike<number>): LeastSquaresFit {
  const k = chosen.length;
  const row = (i: number) => wDec.subarray(chosen[i] * d, (chosen[i] + 1) * d);
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += a[j] * b[j];
    return s;
  };
  const a = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => dot(row(i), row(j)) + (i === j ? 1e-9 : 0)));
  const b = Array.from({ length: k }, (_, i) => dot(row(i), v));
  const c = solve(a, b);
  const fitted = new Float64Array(d);
  c.forEach((ci, i) => row(i).forEach((w, j) => (fitted[j] += ci * w)));
  const vv = dot(v, v);
  return { coefficients: c, explained: vv > 0 ? Math.min(1, dot(fitted, fitted) / vv) : 0 };
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const p = m[col][col];
    if (Math.abs(p) < 1e-30) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / p;
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((r, i) => (Math.abs(r[i]) < 1e-30 ? 0 : r[n] / r[i]));
}
