import { describe, expect, it } from 'vitest';
import { estimateConcept } from '../../../native/maps/concepts/estimator.js';
import { cosine, dot } from '../../../native/maps/concepts/linalg.js';
import { edgeCosine, edgeOrthogonality } from '../../../native/maps/concepts/orthogonality.js';
import { computeWhitening, whitenRows } from '../../../native/maps/concepts/whitening.js';
import { syntheticUnembedding } from './synthetic-unembedding.js';

const names = ['animal', 'mammal', 'bird', 'fish'] as const;
const edges = [1, 2, 3].map((child) => ({ parent: 0, child }));

function gather(rows: ArrayLike<number>, d: number, ids: readonly number[]): Float64Array {
  const out = new Float64Array(ids.length * d);
  ids.forEach((id, r) => {
    for (let c = 0; c < d; c++) out[r * d + c] = rows[id * d + c];
  });
  return out;
}

function moments(rows: ArrayLike<number>, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c] += rows[r * d + c] / n;
  const cov = new Float64Array(d * d);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) cov[i * d + j] += ((rows[r * d + i] - mean[i]) * (rows[r * d + j] - mean[j])) / n;
  return { mean, cov };
}

function maxDeviationFromIdentity(cov: Float64Array, d: number): number {
  let worst = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) worst = Math.max(worst, Math.abs(cov[i * d + j] - (i === j ? 1 : 0)));
  return worst;
}

describe('a hierarchy that holds exactly in a synthetic unembedding', () => {
  const syn = syntheticUnembedding();
  const { d, dVocab } = syn;

  it('is built white: mean 0 and covariance I in its own coordinates', () => {
    const { mean, cov } = moments(syn.g, dVocab, d);
    expect(Math.max(...mean.map(Math.abs))).toBeLessThan(1e-12);
    expect(maxDeviationFromIdentity(cov, d)).toBeLessThan(1e-12);
    for (const e of edges) expect(edgeCosine(syn.truth[names[e.parent]], syn.truth[names[e.child]])).toBeCloseTo(0, 14);
  });

  it('is recovered by whitening γ (ONNX Runtime) and the estimator: same Gram matrix, same token projections, orthogonal edges', async () => {
    const whitening = await computeWhitening(syn.gamma, dVocab, d);
    expect(whitening.rank).toBe(d);
    const g = await whitenRows(syn.gamma, dVocab, whitening);
    const white = moments(g, dVocab, d);
    expect(Math.max(...white.mean.map(Math.abs))).toBeLessThan(1e-5);
    expect(maxDeviationFromIdentity(white.cov, d)).toBeLessThan(1e-4);

    const estimates = await Promise.all(names.map((n) => estimateConcept(gather(g, d, syn.concepts[n]), syn.concepts[n].length, d)));
    const vectors = estimates.map((e) => e.vector);
    // g = Q g_true for an orthogonal Q, so ℓ = Q ℓ_true: inner products and token projections are the truth's.
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const truth = dot(syn.truth[names[i]], syn.truth[names[j]]);
        expect(Math.abs(dot(vectors[i], vectors[j]) - truth)).toBeLessThan(1e-4 * Math.abs(truth) + 1e-5);
      }
    }
    for (let r = 0; r < dVocab; r += 7) {
      for (let i = 0; i < 4; i++) {
        const truth = dot(syn.g.subarray(r * d, (r + 1) * d), syn.truth[names[i]]);
        expect(Math.abs(dot(g.subarray(r * d, (r + 1) * d), vectors[i]) - truth)).toBeLessThan(1e-4 * (1 + Math.abs(truth)));
      }
    }
    for (const e of edges) expect(Math.abs(edgeCosine(vectors[e.parent], vectors[e.child]) as number)).toBeLessThan(1e-4);
    // The children are a simplex around the parent: their differences are 120° apart.
    expect(
      cosine(
        vectors[1].map((v, i) => v - vectors[0][i]),
        vectors[2].map((v, i) => v - vectors[0][i]),
      ),
    ).toBeCloseTo(-0.5, 4);
  });

  it('is not orthogonal in the raw unembedding space: the causal inner product is what makes it hold', async () => {
    const gamma64 = Float64Array.from(syn.gamma);
    const raw = await Promise.all(names.map((n) => estimateConcept(gather(gamma64, d, syn.concepts[n]), syn.concepts[n].length, d)));
    const worst = Math.max(...edges.map((e) => Math.abs(edgeCosine(raw[e.parent].vector, raw[e.child].vector) as number)));
    expect(worst).toBeGreaterThan(0.05);
  });

  it('reports the edges against a shuffled-words baseline that is reproducible', async () => {
    const whitening = await computeWhitening(syn.gamma, dVocab, d);
    const g = Float64Array.from(await whitenRows(syn.gamma, dVocab, whitening));
    const concepts = names.map((n) => syn.concepts[n]);
    const estimate = async (ids: readonly number[]) => (await estimateConcept(gather(g, d, ids), ids.length, d)).vector;
    const vectors = await Promise.all(concepts.map(estimate));
    const options = { vocabSize: dVocab, shuffles: 12, seed: 5, estimate };
    const first = await edgeOrthogonality(concepts, vectors, edges, options);
    const again = await edgeOrthogonality(concepts, vectors, edges, options);
    expect(again).toEqual(first);
    for (const e of first) {
      expect(Math.abs(e.cosine as number)).toBeLessThan(1e-4);
      expect(e.baseline?.n).toBe(12);
      expect(e.baseline?.std).toBeGreaterThan(0);
    }
  });
});
