import { describe, expect, it } from 'vitest';
import { fromDense } from '../../../native/sae/sparse-acts.js';
import { mulberry32 } from '../../../native/api/random.js';
import { CoactivationStats, bestMatches } from '../../../native/maps/matching.js';
import type { ParentCandidates } from '../../../native/maps/matching.js';

/** [n, d] sparse non-negative activations: each entry fires with probability p. */
function randomActs(n: number, d: number, p: number, next: () => number): Float32Array {
  return Float32Array.from({ length: n * d }, () => (next() < p ? next() * 3 : 0));
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / n;
  const [ma, mb] = [mean(a), mean(b)];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('CoactivationStats', () => {
  it('gives each candidate pair the Pearson correlation of the dense activations, over batches', () => {
    const next = mulberry32(3);
    const [n, dN, dW, k] = [300, 5, 7, 3];
    const narrow = randomActs(n, dN, 0.3, next);
    // Wide feature w echoes narrow feature w % dN half the time, so correlations span a range.
    const wide = randomActs(n, dW, 0.2, next).map((v, i) => (next() < 0.5 ? narrow[Math.floor(i / dW) * dN + ((i % dW) % dN)] : v));
    const parents = Int32Array.from({ length: dW * k }, (_, i) => (Math.floor(i / k) + (i % k)) % dN);
    const candidates: ParentCandidates = {
      nWide: dW,
      nNarrow: dN,
      n: k,
      parents,
      cosines: Float32Array.from({ length: dW * k }, (_, i) => 1 - (i % k) / 10),
    };
    const stats = new CoactivationStats([dN, dW], [candidates]);
    for (const [from, to] of [
      [0, 120],
      [120, 300],
    ]) {
      stats.add([
        fromDense(narrow.subarray(from * dN, to * dN), to - from, dN),
        fromDense(wide.subarray(from * dW, to * dW), to - from, dW),
      ]);
    }
    expect(stats.tokens).toBe(n);
    const column = (m: Float32Array, d: number, f: number) => Array.from({ length: n }, (_, t) => m[t * d + f]);
    for (let w = 0; w < dW; w++) {
      for (let r = 0; r < k; r++)
        expect(stats.correlation(0, w, r)).toBeCloseTo(pearson(column(wide, dW, w), column(narrow, dN, parents[w * k + r])), 10);
    }
    const m = bestMatches(stats, 0);
    for (let w = 0; w < dW; w++) {
      const corrs = Array.from({ length: k }, (_, r) => stats.correlation(0, w, r));
      const best = corrs.indexOf(Math.max(...corrs));
      expect(m.corrParent[w]).toBe(parents[w * k + best]);
      expect(m.corrParentCos[w]).toBeCloseTo(candidates.cosines[w * k + best], 6);
      expect(m.cosParent[w]).toBe(parents[w * k]);
    }
    expect(Array.from(stats.density(0))).toEqual(
      Array.from({ length: dN }, (_, f) => Math.fround(column(narrow, dN, f).filter((v) => v > 0).length / n)),
    );
  });

  it('has no correlation for a feature that never fires, and refuses mismatched inputs', () => {
    const candidates: ParentCandidates = { nWide: 2, nNarrow: 2, n: 1, parents: Int32Array.of(0, 1), cosines: Float32Array.of(0.9, 0.8) };
    const stats = new CoactivationStats([2, 2], [candidates]);
    stats.add([fromDense(Float32Array.of(1, 0, 2, 0, 0, 0), 3, 2), fromDense(Float32Array.of(1, 0, 3, 0, 1, 0), 3, 2)]);
    expect(stats.correlation(0, 0, 0)).toBeCloseTo(pearson([1, 3, 1], [1, 2, 0]), 10);
    expect(Number.isNaN(stats.correlation(0, 1, 0))).toBe(true);
    expect(bestMatches(stats, 0).corrParent[1]).toBe(-1);
    expect(() => new CoactivationStats([2, 3], [candidates])).toThrow(/pair 0: candidates of \[2 → 2\] for SAEs of 3 and 2 features/);
    expect(() => stats.add([fromDense(new Float32Array(2), 1, 2), fromDense(new Float32Array(4), 2, 2)])).toThrow(/same tokens/);
  });
});
