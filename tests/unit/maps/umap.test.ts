import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import { cosineKnn } from '../../../native/maps/knn.js';
import type { Knn } from '../../../native/maps/knn.js';
import { defaultEpochs, normalizeLayout, umapKnnInput, umapLayout } from '../../../native/maps/umap.js';

const d = 32;
const groups = 4;
const perGroup = 40;

/** [groups · perGroup, d]: tight bundles of directions around 4 random unit directions, interleaved. */
function bundles(seed: number): Float32Array {
  const random = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: groups }, () => Array.from({ length: d }, gauss));
  const rows = new Float32Array(groups * perGroup * d);
  for (let i = 0; i < groups * perGroup; i++) {
    const c = centres[i % groups];
    const norm = Math.hypot(...c);
    for (let t = 0; t < d; t++) rows[i * d + t] = c[t] / norm + 0.05 * gauss();
  }
  return rows;
}

let knnOnce: Promise<Knn> | undefined;
const bundleKnn = () => (knnOnce ??= cosineKnn(bundles(3), groups * perGroup, d, 14));

describe('umapLayout', () => {
  it('hands umap-js each point first at distance exactly 0, then its neighbours', () => {
    const knn: Knn = {
      n: 3,
      k: 2,
      indices: Int32Array.of(2, 1, 0, 2, 1, 0),
      distances: Float32Array.of(0.25, 0.5, 0.125, 0.75, 0.25, 0.5),
    };
    expect(umapKnnInput(knn)).toEqual({
      indices: [
        [0, 2, 1],
        [1, 0, 2],
        [2, 1, 0],
      ],
      distances: [
        [0, 0.25, 0.5],
        [0, 0.125, 0.75],
        [0, 0.25, 0.5],
      ],
    });
    expect(umapKnnInput(knn, 1).indices).toEqual([
      [0, 2],
      [1, 0],
      [2, 1],
    ]);
  });

  it('keeps clusters of directions together: each point is nearest its own group’s centre', async () => {
    const knn = await bundleKnn();
    const epochs: number[] = [];
    const xy = await umapLayout(knn, { seed: 7, onEpoch: (e) => epochs.push(e) });
    expect(epochs).toEqual(Array.from({ length: defaultEpochs(knn.n) }, (_, i) => i + 1));
    const centres = Array.from({ length: groups }, (_, g) => {
      const members = Array.from({ length: perGroup }, (_, m) => m * groups + g);
      return [0, 1].map((axis) => members.reduce((s, i) => s + xy[2 * i + axis], 0) / perGroup);
    });
    for (let i = 0; i < knn.n; i++) {
      const dist = centres.map(([cx, cy]) => Math.hypot(xy[2 * i] - cx, xy[2 * i + 1] - cy));
      expect(dist.indexOf(Math.min(...dist))).toBe(i % groups);
    }
    // Each group is small next to the gaps between groups.
    const spread = Math.max(
      ...Array.from({ length: knn.n }, (_, i) => Math.hypot(xy[2 * i] - centres[i % groups][0], xy[2 * i + 1] - centres[i % groups][1])),
    );
    let gap = Infinity;
    for (let a = 0; a < groups; a++)
      for (let b = a + 1; b < groups; b++) gap = Math.min(gap, Math.hypot(centres[a][0] - centres[b][0], centres[a][1] - centres[b][1]));
    expect(spread).toBeLessThan(gap / 2);
  });

  it('is reproducible for a seed, and another seed draws another map', async () => {
    const knn = await bundleKnn();
    const a = await umapLayout(knn, { seed: 1, nEpochs: 50 });
    const b = await umapLayout(knn, { seed: 1, nEpochs: 50 });
    const c = await umapLayout(knn, { seed: 2, nEpochs: 50 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('fits the map into the unit square, keeping its aspect ratio', async () => {
    const xy = await umapLayout(await bundleKnn(), { seed: 4, nEpochs: 50 });
    const xs = xy.filter((_, i) => i % 2 === 0);
    const ys = xy.filter((_, i) => i % 2 === 1);
    const [w, h] = [Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
    expect(Math.max(w, h)).toBeCloseTo(1, 6);
    expect(Math.min(...xs, ...ys)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs, ...ys)).toBeLessThanOrEqual(1);
    expect(
      Array.from(
        normalizeLayout([
          [0, 0],
          [4, 1],
          [2, 0.5],
        ]),
      ),
    ).toEqual([0, 0.375, 1, 0.625, 0.5, 0.5]);
  });

  it('stops between epochs when its signal is aborted', async () => {
    const controller = new AbortController();
    const run = umapLayout(await bundleKnn(), { seed: 1, signal: controller.signal, onEpoch: (e) => e === 3 && controller.abort() });
    await expect(run).rejects.toThrow(/abort/i);
  });

  it('lays out maps too small for UMAP without it', async () => {
    expect(Array.from(await umapLayout({ n: 1, k: 0, indices: new Int32Array(0), distances: new Float32Array(0) }))).toEqual([0.5, 0.5]);
    const two = await umapLayout({ n: 2, k: 1, indices: Int32Array.of(1, 0), distances: Float32Array.of(0.5, 0.5) });
    expect(two).toHaveLength(4);
    // Three points with two neighbours each: umap-js needs more points than neighbours + 1, so it gets one.
    const three = await umapLayout(
      { n: 3, k: 2, indices: Int32Array.of(1, 2, 0, 2, 0, 1), distances: Float32Array.of(0.1, 0.2, 0.1, 0.3, 0.2, 0.3) },
      { nEpochs: 10 },
    );
    expect(three).toHaveLength(6);
  });
});
