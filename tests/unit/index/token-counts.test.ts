import { describe, expect, it } from 'vitest';
import { TokenCounts, tokenCountsWorstCaseBytes } from '../../../native/index/accumulators/token-counts.js';
import { mulberry32 } from '../../../native/api/random.js';

/** Zipf-ish firings: feature f fires on token ~ f-dependent skewed ids; some features dense, some rare. */
function firings(n: number, dSae: number, dVocab: number, seed: number): [number, number][] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const f = Math.floor(random() ** 2 * dSae);
    const t = Math.floor(random() ** (1 + (f % 5)) * dVocab);
    return [f, t];
  });
}

/** The plain reference: a Map per feature. */
function reference(pairs: [number, number][]): Map<number, Map<number, number>> {
  const out = new Map<number, Map<number, number>>();
  for (const [f, t] of pairs) {
    const m = out.get(f) ?? new Map<number, number>();
    m.set(t, (m.get(t) ?? 0) + 1);
    out.set(f, m);
  }
  return out;
}

function referenceTop(m: Map<number, number> | undefined, n: number): { tokenId: number; count: number }[] {
  return [...(m ?? new Map<number, number>())]
    .map(([tokenId, count]) => ({ tokenId, count }))
    .sort((a, b) => b.count - a.count || a.tokenId - b.tokenId)
    .slice(0, n);
}

/** Every counted (feature, token, count), sorted: the table's contents whatever its slot layout. */
function everything(counts: TokenCounts): number[][] {
  const out: number[][] = [];
  for (let f = 0; f < counts.dSae; f++) counts.forEach(f, (t, c) => out.push([f, t, c]));
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

describe('TokenCounts', () => {
  const dSae = 64;
  const dVocab = 3000;
  const pairs = firings(200_000, dSae, dVocab, 5);
  const ref = reference(pairs);

  it('counts every (feature, token) pair exactly and lists the true top n, ties by token id', () => {
    const counts = new TokenCounts(dSae, dVocab, 1 << 30);
    for (const [f, t] of pairs) counts.add(f, t);
    for (let f = 0; f < dSae; f++) {
      expect(counts.top(f, 10)).toEqual(referenceTop(ref.get(f), 10));
      const all: [number, number][] = [];
      counts.forEach(f, (t, c) => all.push([t, c]));
      expect(new Map(all)).toEqual(ref.get(f) ?? new Map());
      expect(counts.uncounted[f]).toBe(0);
    }
    expect(counts.pairs()).toBe([...ref.values()].reduce((n, m) => n + m.size, 0));
    expect(counts.top(0, 0)).toEqual([]);
  });

  it('switches a feature that fires on most of the vocabulary to a dense array, with the same counts', () => {
    const counts = new TokenCounts(2, 100, 1 << 20);
    for (let t = 0; t < 100; t++) for (let r = 0; r <= t % 7; r++) counts.add(1, t);
    counts.add(0, 5);
    expect(counts.bytes).toBe(100 * 4 + 16 * 8);
    expect(counts.top(1, 3)).toEqual([
      { tokenId: 6, count: 7 },
      { tokenId: 13, count: 7 },
      { tokenId: 20, count: 7 },
    ]);
    expect(counts.top(0, 3)).toEqual([{ tokenId: 5, count: 1 }]);
  });

  it('never holds more than its cap: new tokens go uncounted, every kept count stays exact', () => {
    const cap = 40_000;
    const counts = new TokenCounts(dSae, dVocab, cap);
    for (const [f, t] of pairs) counts.add(f, t);
    expect(counts.bytes).toBeLessThanOrEqual(cap);
    let uncounted = 0;
    for (let f = 0; f < dSae; f++) {
      const truth = ref.get(f) ?? new Map<number, number>();
      let kept = 0;
      const taken = new Set<number>();
      counts.forEach(f, (t, c) => {
        expect(c).toBe(truth.get(t));
        kept += c;
        taken.add(t);
      });
      const fires = [...truth.values()].reduce((a, b) => a + b, 0);
      expect(kept + counts.uncounted[f]).toBe(fires);
      // A token the table never took has all its firings among the uncounted ones.
      for (const [t, c] of truth) if (!taken.has(t)) expect(c).toBeLessThanOrEqual(counts.uncounted[f]);
      uncounted += counts.uncounted[f];
    }
    expect(uncounted).toBeGreaterThan(0);
  });

  it('resumes from its bytes exactly as if it had never stopped, with and without a cap reached', () => {
    for (const cap of [1 << 30, 40_000]) {
      const whole = new TokenCounts(dSae, dVocab, cap);
      for (const [f, t] of pairs) whole.add(f, t);
      let part = new TokenCounts(dSae, dVocab, cap);
      pairs.forEach(([f, t], i) => {
        if (i % 50_000 === 0) part = TokenCounts.deserialize(dSae, dVocab, cap, part.serialize());
        part.add(f, t);
      });
      expect(part.bytes).toBe(whole.bytes);
      expect(everything(part)).toEqual(everything(whole));
      expect(part.uncounted).toEqual(whole.uncounted);
      for (let f = 0; f < dSae; f++) expect(part.top(f, 10)).toEqual(whole.top(f, 10));
    }
  });

  it('refuses bytes for another shape, cut short or with tokens outside the vocabulary', () => {
    const counts = new TokenCounts(4, 50, 1 << 20);
    counts.add(1, 7);
    const bytes = counts.serialize();
    expect(() => TokenCounts.deserialize(5, 50, 1 << 20, bytes)).toThrow(/written for 4 features and 50 tokens, not 5 and 50/);
    expect(() => TokenCounts.deserialize(4, 50, 1 << 20, bytes.slice(0, bytes.length - 4))).toThrow(/cut short/);
    expect(() => counts.add(0, 50)).toThrow(/token id 50 is outside the vocabulary of 50/);
  });

  it('bounds its memory by the dense size per feature and by 20 bytes per possible firing', () => {
    expect(tokenCountsWorstCaseBytes(4096, 4096, 1e12)).toBe(4096 * 4096 * 4 + 4096 * 4);
    expect(tokenCountsWorstCaseBytes(32_768, 50_257, 1_000_000 * 32)).toBe(20 * 32e6 + 32_768 * 128 + 50_257 * 4);
  });
});
