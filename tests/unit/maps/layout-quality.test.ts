import { describe, expect, it } from 'vitest';
import { cosineKnn } from '../../../native/maps/knn.js';
import { expectedMaxCosine, layoutQuality } from '../../../native/maps/layout-quality.js';
import { mulberry32 } from '../../../native/api/random.js';

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe('map layout quality', () => {
  it('scores a layout that is the data itself at recall 1, and a random one near chance', async () => {
    // Directions on a circle in the first two of 8 dimensions: the 2-D layout (cos, sin) keeps every neighbourhood.
    const n = 300;
    const d = 8;
    const rows = new Float32Array(n * d);
    const xy = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n;
      rows[i * d] = Math.cos(a);
      rows[i * d + 1] = Math.sin(a);
      xy[2 * i] = Math.cos(a);
      xy[2 * i + 1] = Math.sin(a);
    }
    const knn = await cosineKnn(rows, n, d, 10);
    const exact = layoutQuality(knn, xy, d);
    expect(exact.recall).toBeGreaterThan(0.95);
    expect(exact.chanceRecall).toBeCloseTo(10 / 299, 10);
    const random = mulberry32(3);
    const scrambled = Float32Array.from(xy, () => random());
    expect(layoutQuality(knn, scrambled, d).recall).toBeLessThan(0.15);
  });

  it('expects the nearest of m random directions at the cosine a simulation finds', () => {
    const [m, d] = [500, 64];
    const random = mulberry32(11);
    const vectors = Array.from({ length: m + 1 }, () => {
      const v = Array.from({ length: d }, () => gaussian(random));
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
    let total = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      let best = -1;
      for (let j = 0; j <= m; j++)
        if (j !== t)
          best = Math.max(
            best,
            vectors[t].reduce((s, x, k) => s + x * vectors[j][k], 0),
          );
      total += best;
    }
    expect(expectedMaxCosine(m, d)).toBeCloseTo(total / trials, 1);
    expect(Math.abs(expectedMaxCosine(m, d) - total / trials)).toBeLessThan(0.02);
  });
});
