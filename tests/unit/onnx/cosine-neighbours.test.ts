import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import { cosineTopK, unitRows } from '../../../native/onnx/cosine-neighbours.js';

/** [n, d] rows with norms spread over two decades, so the top-k has to normalise them. */
function randomRows(n: number, d: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const rows = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const scale = 0.1 + 10 * random();
    for (let j = 0; j < d; j++) rows[i * d + j] = (random() - 0.5) * scale;
  }
  return rows;
}

/** Per query, every key by descending cosine, in float64: the plain reference. */
function bruteForce(
  queries: Float32Array,
  nQ: number,
  keys: Float32Array,
  nK: number,
  d: number,
  excludeSelf: boolean,
): { index: number; cosine: number }[][] {
  const norm = (m: Float32Array, i: number) => Math.hypot(...m.subarray(i * d, (i + 1) * d));
  return Array.from({ length: nQ }, (_, i) => {
    const all = [];
    for (let j = 0; j < nK; j++) {
      if (excludeSelf && i === j) continue;
      let dot = 0;
      for (let t = 0; t < d; t++) dot += queries[i * d + t] * keys[j * d + t];
      all.push({ index: j, cosine: dot / (norm(queries, i) * norm(keys, j)) });
    }
    return all.sort((a, b) => b.cosine - a.cosine);
  });
}

describe('cosineTopK', () => {
  it("finds each query's top k keys of another matrix, as a float64 loop does, in any block size", async () => {
    const [nQ, nK, d, k] = [37, 53, 12, 5];
    const queries = randomRows(nQ, d, 1);
    const keys = randomRows(nK, d, 2);
    const want = bruteForce(queries, nQ, keys, nK, d, false);
    const progress: number[] = [];
    const got = await cosineTopK({ queries, nQueries: nQ, keys, nKeys: nK, d, k, blockRows: 8, onProgress: (f) => progress.push(f) });
    const whole = await cosineTopK({ queries, nQueries: nQ, keys, nKeys: nK, d, k });
    expect(progress.at(-1)).toBe(1);
    expect(progress).toHaveLength(Math.ceil(nQ / 8));
    for (let i = 0; i < nQ; i++) {
      for (let r = 0; r < k; r++) {
        expect(got.cosines[i * k + r]).toBeCloseTo(want[i][r].cosine, 5);
        // ties are measure-zero for random rows: the order is the reference's
        expect(got.indices[i * k + r]).toBe(want[i][r].index);
      }
    }
    expect(Array.from(whole.indices)).toEqual(Array.from(got.indices));
  });

  it('leaves a row out of its own neighbours with excludeSelf, even when a duplicate ties with it', async () => {
    const d = 4;
    const rows = randomRows(6, d, 3);
    rows.copyWithin(4 * d, 1 * d, 2 * d); // row 4 duplicates row 1
    const got = await cosineTopK({ queries: rows, nQueries: 6, keys: rows, nKeys: 6, d, k: 3, excludeSelf: true });
    const want = bruteForce(rows, 6, rows, 6, d, true);
    for (let i = 0; i < 6; i++) {
      const found = Array.from(got.indices.subarray(i * 3, i * 3 + 3));
      expect(found).not.toContain(i);
      expect(got.cosines[i * 3]).toBeCloseTo(want[i][0].cosine, 5);
    }
    expect(got.indices[1 * 3]).toBe(4);
    expect(got.indices[4 * 3]).toBe(1);
  });

  it('fills −1 and cosine 0 where there are fewer keys than k', async () => {
    const got = await cosineTopK({
      queries: Float32Array.of(1, 0, 0, 1),
      nQueries: 2,
      keys: Float32Array.of(2, 0, 1, 1),
      nKeys: 2,
      d: 2,
      k: 3,
    });
    expect(Array.from(got.indices)).toEqual([0, 1, -1, 1, 0, -1]);
    expect(got.cosines[0]).toBeCloseTo(1, 6);
    expect(got.cosines[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(got.cosines[2]).toBe(0);
    expect(got.cosines[3]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(got.cosines[4]).toBeCloseTo(0, 6);
  });

  it('names the bad row or shape of its input', async () => {
    await expect(
      cosineTopK({ queries: new Float32Array(5), nQueries: 2, keys: new Float32Array(6), nKeys: 2, d: 3, k: 1 }),
    ).rejects.toThrow('unitRows: rows [2, 3] need 6 values, got 5');
    await expect(
      cosineTopK({ queries: new Float32Array(6), nQueries: 2, keys: Float32Array.of(1, 0, 0, 0, Infinity, 0), nKeys: 2, d: 3, k: 1 }),
    ).rejects.toThrow('unitRows: row 1 has a non-finite value');
  });
});

describe('unitRows', () => {
  it('scales each row to length 1 and keeps a zero row zero', () => {
    expect(Array.from(unitRows(Float32Array.of(3, 4, 0, 0, -2, 0), 3, 2))).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, -1, 0]);
  });
});
