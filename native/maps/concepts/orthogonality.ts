import { mulberry32 } from '../../api/random.js';
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
  baseline: BaselineSummary | null;
  /** null without a cosine or a baseline */
  verdict: OrthogonalityVerdict | null;
}

/** The shuffled cosines of one edge. */
export interface BaselineSummary {
  n: number;
  mean: number;
  std: number;
  /** 5th and 95th percentiles (linear interpolation between order statistics) */
  p5: number;
  p95: number;
}

/**
 * The permutation test of one edge. The question is Park et al.'s: is the parent orthogonal to the
 * child's difference, more than nesting alone makes it? Under the null (the words' meaning plays no
 * part) the observed cosine is one more draw from the shuffled ones, so with N shuffles
 *   p = (1 + #{shuffles with |cos| ≤ |observed|}) / (N + 1)
 * is a valid one-sided p-value for "closer to orthogonal than chance" (the +1 counts the observed
 * statistic itself; Phipson & Smyth 2010). Below `alpha` the edge is orthogonal beyond chance; the
 * mirror test (|cos| ≥ |observed|) flags an edge farther from orthogonal than shuffled words. With
 * fewer than 1/alpha − 1 shuffles no p-value can reach alpha, and the verdict says so.
 */
export type OrthogonalityVerdict =
  | { kind: 'beyond-chance'; p: number }
  | { kind: 'not-distinguishable'; p: number }
  | { kind: 'less-orthogonal'; p: number }
  | { kind: 'too-few-shuffles'; p: number; needed: number };

/** The significance level of the verdicts. */
export const verdictAlpha = 0.05;

export function orthogonalityVerdict(observed: number, shuffled: readonly number[], alpha = verdictAlpha): OrthogonalityVerdict {
  const n = shuffled.length;
  const size = Math.abs(observed);
  let closer = 0;
  let farther = 0;
  for (const s of shuffled) {
    if (Math.abs(s) <= size) closer++;
    if (Math.abs(s) >= size) farther++;
  }
  const p = (1 + closer) / (n + 1);
  const needed = Math.ceil(1 / alpha) - 1;
  if (n < needed) return { kind: 'too-few-shuffles', p, needed };
  if (p <= alpha) return { kind: 'beyond-chance', p };
  const pFarther = (1 + farther) / (n + 1);
  if (pFarther <= alpha) return { kind: 'less-orthogonal', p: pFarther };
  return { kind: 'not-distinguishable', p };
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

async function vectorsOf(
  concepts: readonly (readonly number[])[],
  estimate: EstimateVector,
  map?: Int32Array,
): Promise<(Float64Array | null)[]> {
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
    const cosine = p && c ? edgeCosine(p, c) : null;
    const baseline = summary(samples[i]);
    return {
      parent: e.parent,
      child: e.child,
      cosine,
      baseline,
      verdict: cosine === null || baseline === null ? null : orthogonalityVerdict(cosine, samples[i]),
    };
  });
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function summary(values: readonly number[]): BaselineSummary | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  const sorted = [...values].sort((a, b) => a - b);
  return { n: values.length, mean, std: Math.sqrt(variance), p5: quantile(sorted, 0.05), p95: quantile(sorted, 0.95) };
}
