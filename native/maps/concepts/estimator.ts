import { pinvTolerance, symmetricEigen } from './eigen.js';
import { choleskySolve, dot, matTVec, matVec, norm } from './linalg.js';

/**
 * The vector representation of a concept from its words' whitened unembeddings g_w (Park et al.
 * 2024, §4 and their code's `estimate_single_dir_from_embeddings`):
 *   h = Cov(g_w)^† E(g_w),  ĥ = h / ‖h‖,  ℓ̄_w = (ĥᵀ E(g_w)) ĥ,
 * with Cov the Ledoit–Wolf shrunk covariance (sklearn's `ledoit_wolf`). An LDA-like direction: it
 * favours directions in which the words agree (small variance) and differ from zero (large mean).
 * The scale makes the words' mean projection on ℓ̄_w equal ‖ℓ̄_w‖², i.e. ⟨g(y), ℓ̄_w⟩ / ‖ℓ̄_w‖² is
 * 1 on average over the concept's words.
 */
export interface ConceptEstimate {
  /** [d] ℓ̄_w in the whitened space */
  vector: Float64Array;
  norm: number;
  nTokens: number;
  /** Ledoit–Wolf shrinkage in [0, 1] */
  shrinkage: number;
  /** Standard deviation over the words of ⟨g(y), ℓ̄_w⟩ / ‖ℓ̄_w‖² (whose mean is 1). */
  spread: number;
}

export class ConceptEstimateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConceptEstimateError';
  }
}

/** Rows i, j → xᵢ·xⱼ for the n ≤ d case ([n, n]), or columns → the scatter Xᵀ X ([d, d]) when n > d. */
export type CrossProduct = (xc: Float64Array, n: number, d: number, byRows: boolean) => Float64Array | Promise<Float64Array>;

/** Plain float64 cross products; the engine passes an ONNX one for large n·d·min(n, d). */
export function crossProductTs(xc: Float64Array, n: number, d: number, byRows: boolean): Float64Array {
  const k = byRows ? n : d;
  const out = new Float64Array(k * k);
  if (byRows) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += xc[i * d + c] * xc[j * d + c];
        out[i * n + j] = s;
        out[j * n + i] = s;
      }
    }
  } else {
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let i = 0; i < d; i++) {
        const xi = xc[row + i];
        if (xi === 0) continue;
        for (let j = 0; j < d; j++) out[i * d + j] += xi * xc[row + j];
      }
    }
  }
  return out;
}

/**
 * sklearn's `ledoit_wolf_shrinkage` on centred rows, from the squared row norms and the cross
 * product (‖XᵀX‖²_F = ‖XXᵀ‖²_F, so either serves). Returns the shrinkage and μ = tr(S)/d.
 */
export function ledoitWolf(rowNorms2: Float64Array, cross: Float64Array, n: number, d: number): { shrinkage: number; mu: number } {
  let sumNorm2 = 0;
  let beta_ = 0;
  for (const r of rowNorms2) {
    sumNorm2 += r;
    beta_ += r * r;
  }
  const mu = sumNorm2 / n / d;
  if (d === 1) return { shrinkage: 0, mu };
  let delta_ = 0;
  for (const c of cross) delta_ += c * c;
  delta_ /= n * n;
  let beta = (beta_ / n - delta_) / (d * n);
  const delta = (delta_ - 2 * mu * (sumNorm2 / n) + d * mu * mu) / d;
  beta = Math.min(Math.max(beta, 0), delta);
  return { shrinkage: beta === 0 || !(delta > 0) ? 0 : beta / delta, mu };
}

/** Centred copy of rows [n, d] and their mean [d]. */
function centre(rows: ArrayLike<number>, n: number, d: number): { xc: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c] += rows[r * d + c];
  for (let c = 0; c < d; c++) mean[c] /= n;
  const xc = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) xc[r * d + c] = rows[r * d + c] - mean[c];
  return { xc, mean };
}

/**
 * Cov^† m for Cov = β XcᵀXc + α I (β = (1 − s)/n, α = s·μ). With α > 0 the matrix is positive
 * definite: Cholesky on the smaller of the n×n form (Woodbury) and the d×d one. With α = 0 (no
 * shrinkage, e.g. two words) a true pseudo-inverse through an eigendecomposition.
 */
function solveShrunk(
  xc: Float64Array,
  cross: Float64Array,
  n: number,
  d: number,
  byRows: boolean,
  alpha: number,
  beta: number,
  m: Float64Array,
): Float64Array {
  if (alpha > 0 && beta === 0) return m.map((v) => v / alpha);
  if (alpha > 0 && byRows) {
    // (αI + β XᵀX)⁻¹ m = (m − Xᵀ (α/β I + X Xᵀ)⁻¹ X m) / α
    const k = Float64Array.from(cross);
    for (let i = 0; i < n; i++) k[i * n + i] += alpha / beta;
    const y = choleskySolve(k, n, matVec(xc, n, d, m));
    const back = matTVec(xc, n, d, y);
    return m.map((v, i) => (v - back[i]) / alpha);
  }
  if (alpha > 0) {
    const c = cross.map((v) => beta * v);
    for (let i = 0; i < d; i++) c[i * d + i] += alpha;
    return choleskySolve(c, d, m);
  }
  return pseudoInverseApply(xc, cross, n, d, byRows, beta, m);
}

/** (β XcᵀXc)^† m via the eigendecomposition of the smaller cross product. */
function pseudoInverseApply(
  xc: Float64Array,
  cross: Float64Array,
  n: number,
  d: number,
  byRows: boolean,
  beta: number,
  m: Float64Array,
): Float64Array {
  const k = byRows ? n : d;
  const eig = symmetricEigen(cross, k);
  const tol = pinvTolerance(eig);
  const out = new Float64Array(d);
  for (let j = 0; j < k; j++) {
    const lambda = eig.values[j];
    if (lambda <= tol) continue;
    const u = eig.vectors.subarray(j * k, (j + 1) * k);
    // By rows, u is an eigenvector of XXᵀ; v = Xᵀu/√λ is the matching unit eigenvector of XᵀX.
    const v = byRows ? matTVec(xc, n, d, u).map((x) => x / Math.sqrt(lambda)) : u;
    const w = dot(v, m) / (beta * lambda);
    for (let i = 0; i < d; i++) out[i] += w * v[i];
  }
  return out;
}

/** ℓ̄_w from the whitened unembeddings of a concept's tokens, rows [n, d]. */
export async function estimateConcept(
  rows: ArrayLike<number>,
  n: number,
  d: number,
  cross: CrossProduct = crossProductTs,
): Promise<ConceptEstimate> {
  if (!Number.isInteger(n) || n < 1) throw new ConceptEstimateError(`a concept needs at least one token, got ${n}`);
  if (rows.length !== n * d) throw new ConceptEstimateError(`rows [${n}, ${d}] need ${n * d} values, got ${rows.length}`);
  const { xc, mean } = centre(rows, n, d);
  const byRows = n <= d;
  const products = await cross(xc, n, d, byRows);
  const rowNorms2 = new Float64Array(n);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) rowNorms2[r] += xc[r * d + c] ** 2;
  const { shrinkage, mu } = ledoitWolf(rowNorms2, products, n, d);
  const h = solveShrunk(xc, products, n, d, byRows, shrinkage * mu, (1 - shrinkage) / n, mean);
  const hNorm = norm(h);
  if (!(hNorm > 0) || !Number.isFinite(hNorm)) {
    throw new ConceptEstimateError(
      `the ${n} token vectors give no direction (their mean is ${norm(mean) === 0 ? 'zero' : 'outside the span of their covariance'})`,
    );
  }
  const unit = h.map((v) => v / hNorm);
  const length = dot(unit, mean);
  const vector = unit.map((v) => v * length);
  return { vector, norm: Math.abs(length), nTokens: n, shrinkage, spread: projectionSpread(rows, n, d, vector) };
}

function projectionSpread(rows: ArrayLike<number>, n: number, d: number, vector: Float64Array): number {
  const n2 = dot(vector, vector);
  if (n2 === 0 || n < 2) return 0;
  let sum = 0;
  let sum2 = 0;
  for (let r = 0; r < n; r++) {
    let p = 0;
    for (let c = 0; c < d; c++) p += rows[r * d + c] * vector[c];
    p /= n2;
    sum += p;
    sum2 += p * p;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sum2 / n - mean * mean));
}
