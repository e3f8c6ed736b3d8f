import { mulberry32 } from '../../corpus/shuffle.js';
import { ConceptEstimateError } from './estimator.js';
import { cosine, norm, subtract } from './linalg.js';

/**
 * Park et al.'s hierarchical orthogonality: for an edge parent → child, ℓ̄_parent ⊥ ℓ̄_child − ℓ̄_parent
 * in the causal inner product. Reported as cos(ℓ̄_p, ℓ̄_c − ℓ̄_p), next to the same statistic for
 * "shuffled words": the vocabulary permuted at random, so every concept keeps its size and every
 * child stays inside its parent, but its tokens no longer mean anything. What nesting alone does
 * to the cosine shows up in the baseline; what meaning adds shows up in the difference.
 */
export interface EdgeOrthogonality {
  parent: number;
  child: number;
  /** cos(ℓ̄_p, ℓ̄_c − ℓ̄_p); null when the child's vector equals the parent's */
  cosine: number | null;
  baseline: { mean: number; std: number; n: number } | null;
}

export type EstimateVector = (tokenIds: readonly number[]) => Promise<Float64Array>;

/** cos(ℓ̄_p, ℓ̄_c − ℓ̄_p), or null when ℓ̄_c = ℓ̄_p. */
export function edgeCosine(parent: ArrayLike<number>, child: ArrayLike<number>): number | null {
  const diff = subtract(child, parent);
  return norm(diff) === 0 || norm(parent) === 0 ? null : cosine(parent, diff);
}

/** A seeded permutation of 0..n−1 (Fisher–Yates). */
export function permutation(n: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

async function vectorsOf(concepts: readonly (readonly number[])[], estimate: EstimateVector, map?: Int32Array): Promise<(Float64Array | null)[]> {
  const out: (Float64Array | null)[] = [];
  for (const ids of concepts) {
    try {
      out.push(await estimate(map ? ids.map((id) => map[id]) : ids));
    } catch (error) {
      if (!(error instanceof ConceptEstimateError)) throw error;
      out.push(null);
    }
  }
  return out;
}

/**
 * The edge statistic for each edge over concepts given as token-id lists, with `shuffles`
 * permutations of a vocabulary of `vocabSize` tokens as the baseline (seeded: the same call gives
 * the same numbers).
 */
export async function edgeOrthogonality(
  concepts: readonly (readonly number[])[],
  vectors: readonly (Float64Array | null)[],
  edges: readonly { parent: number; child: number }[],
  options: { vocabSize: number; shuffles: number; seed: number; estimate: EstimateVector; signal?: AbortSignal },
): Promise<EdgeOrthogonality[]> {
  const samples: number[][] = edges.map(() => []);
  for (let s = 0; s < options.shuffles; s++) {
    options.signal?.throwIfAborted();
    const shuffled = await vectorsOf(concepts, options.estimate, permutation(options.vocabSize, options.seed + s));
    edges.forEach((e, i) => {
      const p = shuffled[e.parent];
      const c = shuffled[e.child];
      const cos = p && c ? edgeCosine(p, c) : null;
      if (cos !== null) samples[i].push(cos);
    });
  }
  return edges.map((e, i) => {
    const p = vectors[e.parent];
    const c = vectors[e.child];
    return { parent: e.parent, child: e.child, cosine: p && c ? edgeCosine(p, c) : null, baseline: summary(samples[i]) };
  });
}

function summary(values: number[]): { mean: number; std: number; n: number } | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), n: values.length };
}
