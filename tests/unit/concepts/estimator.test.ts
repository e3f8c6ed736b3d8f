import { describe, expect, it } from 'vitest';
import { ConceptEstimateError, crossProductTs, estimateConcept, ledoitWolf } from '../../../native/maps/concepts/estimator.js';
import type { CrossProduct } from '../../../native/maps/concepts/estimator.js';
import { dot } from '../../../native/maps/concepts/linalg.js';
import { gramOfColumns, productTransposed } from '../../../native/maps/concepts/products.js';

/** The rows numpy used for the reference values below: sin(0.7 i + 1.3 c + 0.1 i c) + 0.5. */
function rows(n: number, d: number): Float64Array {
  return Float64Array.from(
    { length: n * d },
    (_, k) => Math.sin(0.7 * Math.floor(k / d) + 1.3 * (k % d) + 0.1 * Math.floor(k / d) * (k % d)) + 0.5,
  );
}

/**
 * Park et al.'s estimator run in numpy on `rows(n, d)`: sklearn's ledoit_wolf_shrinkage written out as
 * sklearn does it (X2ᵀX2 and (XᵀX)² sums), the shrunk covariance, np.linalg.pinv(cov) @ mean, then
 * normalised and scaled by mean · direction.
 */
const numpy = [
  {
    n: 7,
    d: 5,
    shrinkage: 0.2763075249171501,
    vector: [0.5405307422698901, 0.36173332599266733, 0.7314635932770693, 0.3938296523956492, 0.28363615175775786],
  },
  {
    n: 4,
    d: 6,
    shrinkage: 0.3298720579974402,
    vector: [0.9763428312104528, 0.8304468747762624, 0.515186625836229, 0.5442151931876078, 0.3778655719323322, 0.2405511018047803],
  },
  {
    n: 12,
    d: 12,
    shrinkage: 0.6669625473069632,
    vector: [
      0.5113066928594862, 0.5543335815136868, 0.46002799685654566, 0.5313910792953056, 0.5145772767118125, 0.5395581900581317,
      0.5608350261660918, 0.4616631348294104, 0.5244779154772368, 0.5571991100960951, 0.5035977667596258, 0.49567033390813225,
    ],
  },
];

/** The ONNX Runtime cross products the engine uses for large concepts. */
const onnxCross: CrossProduct = async (xc, n, d, byRows) => {
  const x = Float32Array.from(xc);
  if (!byRows) return gramOfColumns(x, n, d);
  return Float64Array.from(await productTransposed(x, n, x, n, d));
};

describe('estimateConcept (Park et al. LDA-like estimator with Ledoit–Wolf shrinkage)', () => {
  it.each(numpy)('matches numpy + sklearn formulas for $n words in $d dimensions', async ({ n, d, shrinkage, vector }) => {
    const estimate = await estimateConcept(rows(n, d), n, d);
    expect(estimate.shrinkage).toBeCloseTo(shrinkage, 12);
    estimate.vector.forEach((v, i) => expect(v).toBeCloseTo(vector[i], 10));
    expect(estimate.nTokens).toBe(n);
  });

  it('scales the vector so the words project to 1 on average: mean ⟨g, ℓ⟩ / ‖ℓ‖² = 1', async () => {
    const n = 30;
    const d = 16;
    const x = rows(n, d);
    const { vector } = await estimateConcept(x, n, d);
    let mean = 0;
    for (let r = 0; r < n; r++) mean += dot(x.subarray(r * d, (r + 1) * d), vector) / dot(vector, vector) / n;
    expect(mean).toBeCloseTo(1, 12);
  });

  it('gives the same vector through the n×n (Woodbury) and d×d paths, and through ONNX Runtime products', async () => {
    // 20 words in 20 dimensions go the n ≤ d way; add one word and they go the d × d way.
    const d = 20;
    const small = await estimateConcept(rows(20, d), 20, d);
    const padded = rows(21, d);
    padded.set(padded.subarray(19 * d, 20 * d), 20 * d); // the 21st word repeats the 20th
    const big = await estimateConcept(padded, 21, d);
    const viaTs = await estimateConcept(padded, 21, d, crossProductTs);
    const viaOnnx = await estimateConcept(padded, 21, d, onnxCross);
    expect(small.vector.length).toBe(d);
    viaTs.vector.forEach((v, i) => expect(v).toBeCloseTo(big.vector[i], 12));
    viaOnnx.vector.forEach((v, i) => expect(Math.abs(v - big.vector[i])).toBeLessThan(1e-4 * Math.hypot(...big.vector)));
  });

  it('falls back to a true pseudo-inverse when there is no shrinkage (two words)', async () => {
    // Two centred words are ±v: Ledoit–Wolf gives shrinkage 0 and the covariance has rank 1.
    const x = Float64Array.from([1, 2, 0, 3, 0, 1, 1, 3]);
    const estimate = await estimateConcept(x, 2, 4);
    expect(estimate.shrinkage).toBe(0);
    // Cov = v vᵀ with v = (a − b)/2; Cov† m = v (v·m)/‖v‖⁴, so the direction is ±v̂.
    const v = [0.5, 0.5, -0.5, 0];
    const cos = dot(estimate.vector, v) / Math.hypot(...estimate.vector) / Math.hypot(...v);
    expect(Math.abs(cos)).toBeCloseTo(1, 12);
  });

  it('refuses words that give no direction, and rows of the wrong size', async () => {
    await expect(estimateConcept(new Float64Array(12), 3, 4)).rejects.toThrow(ConceptEstimateError);
    await expect(estimateConcept(new Float64Array(12), 3, 4)).rejects.toThrow('their mean is zero');
    await expect(estimateConcept(new Float64Array(11), 3, 4)).rejects.toThrow('rows [3, 4] need 12 values, got 11');
  });

  it('ledoitWolf gives no shrinkage for one feature and identical words', () => {
    expect(ledoitWolf(Float64Array.from([1, 1]), Float64Array.from([1]), 2, 1).shrinkage).toBe(0);
    expect(ledoitWolf(new Float64Array(3), new Float64Array(9), 3, 3).shrinkage).toBe(0);
  });
});
