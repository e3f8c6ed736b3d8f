import type { MapQuality } from '../api/types.js';
import { mulberry32 } from '../api/random.js';
import type { Knn } from './knn.js';

/**
 * How much a 2-D map can be read as the decoder directions' geometry, measured when it is made:
 *
 * - `recall`: over a seeded sample of points, the share of each point's `k` nearest directions (exact
 *   cosine) that are among its `k` nearest points on the map; `chanceRecall` is what a random layout
 *   gets, k / (n − 1).
 * - `nearestCosine`: the mean cosine of each direction to its nearest other one; `randomNearestCosine`
 *   the same for n random directions in d dimensions (the expected maximum of n − 1 cosines, each
 *   close to N(0, 1/d)). When the two are close, the directions are nearly as spread as random ones:
 *   there are few neighbourhoods to draw, and a featureless disc is the data, not the layout.
 */
export type LayoutQuality = MapQuality;

/** Points whose map neighbours are compared (each costs one pass over all n points). */
const SAMPLE = 2000;

export function layoutQuality(knn: Knn, xy: Float32Array, d: number, options: { k?: number; seed?: number } = {}): LayoutQuality {
  const { n } = knn;
  const k = Math.min(options.k ?? 10, knn.k, n - 1);
  if (xy.length !== 2 * n) throw new RangeError(`layoutQuality: ${xy.length / 2} points for a kNN of ${n}`);
  let nearest = 0;
  for (let i = 0; i < n; i++) nearest += 1 - knn.distances[i * knn.k];
  const sample = samplePoints(n, Math.min(SAMPLE, n), options.seed ?? 0);
  let hits = 0;
  const best = new Float64Array(k);
  const bestIdx = new Int32Array(k);
  for (const i of sample) {
    best.fill(Infinity);
    bestIdx.fill(-1);
    const [x, y] = [xy[2 * i], xy[2 * i + 1]];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dist = (xy[2 * j] - x) ** 2 + (xy[2 * j + 1] - y) ** 2;
      if (dist >= best[k - 1]) continue;
      // Insert into the sorted k best.
      let at = k - 1;
      while (at > 0 && best[at - 1] > dist) {
        best[at] = best[at - 1];
        bestIdx[at] = bestIdx[at - 1];
        at--;
      }
      best[at] = dist;
      bestIdx[at] = j;
    }
    const truth = new Set(knn.indices.subarray(i * knn.k, i * knn.k + k));
    for (const j of bestIdx) if (truth.has(j)) hits++;
  }
  return {
    k,
    sampled: sample.length,
    recall: sample.length > 0 ? hits / (sample.length * k) : 0,
    chanceRecall: k / Math.max(1, n - 1),
    nearestCosine: n > 0 ? nearest / n : 0,
    randomNearestCosine: expectedMaxCosine(n - 1, d),
  };
}

/** `count` distinct points of 0..n−1, seeded (all of them when count ≥ n). */
function samplePoints(n: number, count: number, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (count >= n) return all;
  const random = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

/**
 * E[max of m cosines] between a direction and m random ones in d dimensions, each cosine taken as
 * N(0, 1/d) (the normal limit of the exact Beta law; close for d ≥ 32): ∫ x · m φ(x) Φ(x)^(m−1) dx,
 * integrated on a fine grid.
 */
export function expectedMaxCosine(m: number, d: number): number {
  if (m < 1 || d < 1) return 0;
  const sigma = 1 / Math.sqrt(d);
  const steps = 4000;
  const lo = -8 * sigma;
  const hi = Math.min(1, 12 * sigma);
  const h = (hi - lo) / steps;
  let sum = 0;
  for (let s = 0; s <= steps; s++) {
    const x = lo + s * h;
    const z = x / sigma;
    const pdf = Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));
    const cdf = normalCdf(z);
    const density = m * pdf * Math.exp((m - 1) * Math.log(Math.max(cdf, 1e-300)));
    sum += (s === 0 || s === steps ? 0.5 : 1) * x * density;
  }
  return sum * h;
}

/** Φ(z), by the complementary error function (Numerical Recipes' erfc, |error| < 1.2e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}
