import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import { cosineKnn } from '../../../native/maps/knn.js';
import { unitRows } from '../../../native/onnx/cosine-neighbours.js';

/** [n, d] Gaussian-ish rows with norms spread over two decades, so the kNN has to normalise them. */
function randomRows(n: number, d: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const rows = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const scale = 0.1 + 10 * random();
    for (let j = 0; j < d; j++) rows[i * d + j] = (random() + random() + random() - 1.5) * scale;
  }
  return rows;
}

/** Every row's other rows by ascending 1 − cos, in float64: the plain reference. */
function bruteForce(rows: Float32Array, n: number, d: number): { index: number; distance: number }[][] {
  const norms = Array.from({ length: n }, (_, i) => Math.hypot(...rows.subarray(i * d, (i + 1) * d)));
  return Array.from({ length: n }, (_, i) => {
    const others = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let dot = 0;
      for (let t = 0; t < d; t++) dot += rows[i * d + t] * rows[j * d + t];
      others.push({ index: j, distance: 1 - dot / (norms[i] * norms[j]) });
    }
    return others.sort((a, b) => a.distance - b.distance);
  });
}

describe('cosineKnn', () => {
  it('finds the same neighbours as a brute-force kNN of 300 random rows, in blocks', async () => {
    const [n, d, k] = [300, 24, 10];
    const rows = randomRows(n, d, 11);
    const progress: number[] = [];
    // 64-row blocks: four full ones and a short last one.
    const knn = await cosineKnn(rows, n, d, k, { blockRows: 64, onProgress: (f) => progress.push(f) });
    const ref = bruteForce(rows, n, d);
    expect(progress).toEqual([64, 128, 192, 256, 300].map((r) => r / n));
    let compared = 0;
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < k; r++) {
        expect(knn.distances[i * k + r]).toBeCloseTo(ref[i][r].distance, 6);
        // Where two candidates are within float32 rounding of each other either order is right.
        const gap = Math.min(ref[i][r].distance - (ref[i][r - 1]?.distance ?? -1), ref[i][r + 1].distance - ref[i][r].distance);
        if (gap < 1e-5) continue;
        expect(knn.indices[i * k + r]).toBe(ref[i][r].index);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0.99 * n * k);
  });

  it('drops the row itself even when a duplicate ties with it, and keeps distances at or above 0', async () => {
    const [n, d, k] = [40, 8, 3];
    const rows = randomRows(n, d, 5);
    // Row 7 is row 3 scaled (the same direction); row 20 is row 3 exactly.
    for (let t = 0; t < d; t++) {
      rows[7 * d + t] = 2 * rows[3 * d + t];
      rows[20 * d + t] = rows[3 * d + t];
    }
    const knn = await cosineKnn(rows, n, d, k);
    for (let i = 0; i < n; i++) {
      const ids = Array.from(knn.indices.subarray(i * k, (i + 1) * k));
      expect(ids).not.toContain(i);
      expect(new Set(ids).size).toBe(k);
      for (let r = 0; r < k; r++) expect(knn.distances[i * k + r]).toBeGreaterThanOrEqual(0);
    }
    for (const [row, twins] of [
      [3, [7, 20]],
      [7, [3, 20]],
      [20, [3, 7]],
    ] as const) {
      expect(Array.from(knn.indices.subarray(row * k, row * k + 2)).sort((a, b) => a - b)).toEqual([...twins]);
      expect(knn.distances[row * k]).toBeLessThan(1e-6);
      expect(knn.distances[row * k + 1]).toBeLessThan(1e-6);
    }
  });

  it('treats a zero row (a dead feature) as orthogonal to everything', async () => {
    const [n, d, k] = [20, 6, 4];
    const rows = randomRows(n, d, 9);
    rows.fill(0, 5 * d, 6 * d);
    const knn = await cosineKnn(rows, n, d, k);
    expect(Array.from(knn.distances.subarray(5 * k, 6 * k))).toEqual([1, 1, 1, 1]);
    expect(Array.from(knn.indices.subarray(5 * k, 6 * k))).not.toContain(5);
    expect(knn.distances.every(Number.isFinite)).toBe(true);
  });

  it('scales rows to unit length', () => {
    const unit = unitRows(Float32Array.of(3, 4, 0, 0, 0, 0), 3, 2);
    expect(Array.from(unit)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0, 0, 0]);
  });

  it('refuses arguments that cannot make a kNN, saying which', async () => {
    await expect(cosineKnn(new Float32Array(12), 4, 3, 4)).rejects.toThrow('k = 4 neighbours need at least 5 rows, got 4');
    await expect(cosineKnn(new Float32Array(11), 4, 3, 2)).rejects.toThrow('rows [4, 3] need 12 values, got 11');
    await expect(cosineKnn(Float32Array.of(1, NaN, 0, 1, 1, 1), 3, 2, 1)).rejects.toThrow('row 0 has a non-finite value');
  });
});
