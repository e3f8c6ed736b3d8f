import { symmetricEigen, spectralFunction } from './eigen.js';
import { centredProduct, productTransposed, rowMoments } from './products.js';
import type { ProductOptions } from './products.js';

/**
 * The causal inner product of Park et al. (2024, "The Geometry of Categorical and Hierarchical
 * Concepts in Large Language Models"), estimated by whitening the unembedding:
 *   g(y) = Cov(γ)^(−1/2) (γ(y) − E[γ]),
 * so that the Euclidean inner product of g's is the causal one. A residual-stream direction λ pairs
 * with unembeddings as λᵀγ(y) = (Cov^(1/2) λ)ᵀ g(y) + const, so it maps into the same space by the
 * inverse transpose of the whitening, Cov(γ)^(1/2) λ: features and tokens can be drawn together.
 */
export interface Whitening {
  dModel: number;
  dVocab: number;
  /** [dModel] E[γ] */
  mean: Float64Array;
  /** [dModel, dModel] symmetric Cov(γ)^(−1/2), with 0 on directions the vocabulary does not span */
  whiten: Float64Array;
  /** [dModel, dModel] symmetric Cov(γ)^(1/2): maps residual-stream directions into the whitened space */
  unwhiten: Float64Array;
  /** [dModel] eigenvalues of Cov(γ), ascending */
  eigenvalues: Float64Array;
  /** eigenvalues counted as non-zero */
  rank: number;
}

/**
 * Eigenvalues below this fraction of the largest count as zero: the covariance is accumulated in
 * float32, so smaller ones are rounding, and their inverse square roots would amplify noise.
 */
export const relativeRankTolerance = 1e-6;

/** Cov(γ), its eigendecomposition and both square roots, for an unembedding γ [dVocab, dModel]. */
export async function computeWhitening(
  gamma: Float32Array,
  dVocab: number,
  dModel: number,
  options: ProductOptions = {},
): Promise<Whitening> {
  if (dVocab < 2) throw new RangeError(`computeWhitening: a covariance needs at least 2 tokens, got ${dVocab}`);
  const { mean, cov } = await rowMoments(gamma, dVocab, dModel, options);
  const eig = symmetricEigen(cov, dModel);
  const largest = eig.values[dModel - 1];
  if (!(largest > 0)) throw new RangeError('computeWhitening: the unembedding vectors are all equal (zero covariance)');
  const tol = largest * relativeRankTolerance;
  const whiten = spectralFunction(eig, (v) => (v > tol ? 1 / Math.sqrt(v) : 0));
  const unwhiten = spectralFunction(eig, (v) => (v > tol ? Math.sqrt(v) : 0));
  const rank = eig.values.filter((v) => v > tol).length;
  return { dModel, dVocab, mean, whiten, unwhiten, eigenvalues: eig.values, rank };
}

/** g = (γ − mean) · Cov^(−1/2) for every row of γ [n, dModel] → [n, dModel] float32 (the whitening is symmetric). */
export function whitenRows(gamma: Float32Array, n: number, w: Whitening, options: ProductOptions = {}): Promise<Float32Array> {
  return centredProduct(gamma, n, w.dModel, w.mean, w.whiten, w.dModel, options);
}

/** Cov^(1/2) λ for each row λ of `rows` [n, dModel] (SAE decoder rows) → [n, dModel] float32. */
export function mapResidualDirections(rows: Float32Array, n: number, w: Whitening, options: ProductOptions = {}): Promise<Float32Array> {
  // rows · unwhitenᵀ = rows · unwhiten (symmetric).
  return productTransposed(rows, n, Float32Array.from(w.unwhiten), w.dModel, w.dModel, options);
}
