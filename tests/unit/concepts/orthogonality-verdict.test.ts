import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import { estimateConcept } from '../../../native/maps/concepts/estimator.js';
import { edgeOrthogonality, orthogonalityVerdict, quantile, summary } from '../../../native/maps/concepts/orthogonality.js';
import { computeWhitening, whitenRows } from '../../../native/maps/concepts/whitening.js';
import { syntheticUnembedding } from './synthetic-unembedding.js';

function gather(rows: ArrayLike<number>, d: number, ids: readonly number[]): Float64Array {
  const out = new Float64Array(ids.length * d);
  ids.forEach((id, r) => {
    for (let c = 0; c < d; c++) out[r * d + c] = rows[id * d + c];
  });
  return out;
}

/** Standard normal draws (Box–Muller) from a seeded generator. */
function gaussian(seed: number): () => number {
  const random = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe('the permutation verdict of one edge', () => {
  const spread = Array.from({ length: 39 }, (_, i) => -0.2 + (0.4 * i) / 38);

  it('is beyond chance when |cos| is below every shuffle, p = 1/(N+1)', () => {
    const shuffled = spread.map((v) => (Math.abs(v) < 0.05 ? 0.05 * Math.sign(v || 1) : v));
    expect(orthogonalityVerdict(0.001, shuffled)).toEqual({ kind: 'beyond-chance', p: 1 / 40 });
  });

  it('is not distinguishable when |cos| sits in the middle of the shuffles', () => {
    const v = orthogonalityVerdict(0.1, spread);
    expect(v.kind).toBe('not-distinguishable');
    // |s| ≤ 0.1 for 19 of the 39 shuffles (−0.1 … 0.1 in steps of 0.4/38), plus the observed one.
    expect(v.p).toBeCloseTo(20 / 40, 12);
  });

  it('is less orthogonal when |cos| exceeds every shuffle, and needs 19 shuffles to say anything at 5%', () => {
    expect(orthogonalityVerdict(-0.5, spread)).toEqual({ kind: 'less-orthogonal', p: 1 / 40 });
    expect(orthogonalityVerdict(0.0, spread.slice(0, 18))).toEqual({ kind: 'too-few-shuffles', p: 1 / 19, needed: 19 });
    expect(orthogonalityVerdict(0.0, spread.slice(0, 19)).kind).toBe('beyond-chance');
  });

  it('summarises the shuffles with numpy-style percentiles', () => {
    expect(quantile([0, 1, 2, 3, 4], 0.05)).toBeCloseTo(0.2, 12);
    const s = summary([3, 1, 2, 4, 0]);
    expect(s).toMatchObject({ n: 5, mean: 2, p5: 0.2 });
    expect(s?.p95).toBeCloseTo(3.8, 12);
    expect(s?.std).toBeCloseTo(Math.SQRT2, 12);
  });
});

describe('the verdict end to end: estimator, shuffled vocabularies, permutation test', () => {
  it('finds a hierarchy that holds exactly (synthetic unembedding) orthogonal beyond chance', async () => {
    const syn = syntheticUnembedding();
    const { d, dVocab } = syn;
    const whitening = await computeWhitening(syn.gamma, dVocab, d);
    const g = Float64Array.from(await whitenRows(syn.gamma, dVocab, whitening));
    const names = ['animal', 'mammal', 'bird', 'fish'] as const;
    const concepts = names.map((n) => syn.concepts[n]);
    const estimate = async (ids: readonly number[]) => (await estimateConcept(gather(g, d, ids), ids.length, d)).vector;
    const vectors = await Promise.all(concepts.map(estimate));
    const edges = [1, 2, 3].map((child) => ({ parent: 0, child }));
    const result = await edgeOrthogonality(concepts, vectors, edges, { vocabSize: dVocab, shuffles: 39, seed: 7, estimate });
    for (const e of result) {
      expect(Math.abs(e.cosine as number)).toBeLessThan(1e-4);
      expect(e.baseline?.n).toBe(39);
      expect(e.verdict).toEqual({ kind: 'beyond-chance', p: 1 / 40 });
      // The shuffles are nowhere near that orthogonal: their spread is that of random directions.
      expect(e.baseline?.std).toBeGreaterThan(0.05);
    }
  });

  it('calls random directions beyond chance about as often as alpha says, not more', async () => {
    // A random whitened vocabulary: nested word sets (a parent of 40 tokens and a child of its first
    // 12) have no structure but the nesting, so the observed edge is one more draw from the shuffles.
    const d = 16;
    const dVocab = 300;
    const parent = Array.from({ length: 40 }, (_, i) => i);
    const child = parent.slice(0, 12);
    const trials = 60;
    let beyond = 0;
    let less = 0;
    for (let t = 0; t < trials; t++) {
      const next = gaussian(1000 + t);
      const g = Float64Array.from({ length: dVocab * d }, next);
      const estimate = async (ids: readonly number[]) => (await estimateConcept(gather(g, d, ids), ids.length, d)).vector;
      const vectors = [await estimate(parent), await estimate(child)];
      const [edge] = await edgeOrthogonality([parent, child], vectors, [{ parent: 0, child: 1 }], {
        vocabSize: dVocab,
        shuffles: 19,
        seed: 50 + t,
        estimate,
      });
      if (edge.verdict?.kind === 'beyond-chance') beyond++;
      if (edge.verdict?.kind === 'less-orthogonal') less++;
    }
    // Each side is a 5% test: Binomial(60, 0.05) exceeds 9 with probability under 0.002.
    expect(beyond).toBeLessThanOrEqual(9);
    expect(less).toBeLessThanOrEqual(9);
    expect(beyond + less).toBeLessThan(trials / 4);
  });
});
