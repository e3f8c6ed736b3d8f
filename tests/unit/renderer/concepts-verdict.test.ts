import { describe, expect, it } from 'vitest';
import type { ConceptEdge } from '../../../native/api/types.js';
import {
  dropReasonLabel,
  edgeStrips,
  formatP,
  verdictLabel,
  verdictSummary,
  verdictTone,
} from '../../../renderer/src/lib/concepts/edge-verdict.js';

const edge = (cosine: number | null, p5: number, p95: number, verdict: ConceptEdge['verdict']): ConceptEdge => ({
  parent: 0,
  child: 1,
  cosine,
  baseline: { mean: (p5 + p95) / 2, std: 0.06, n: 40, p5, p95 },
  verdict,
});

describe('edge verdicts as the page states them', () => {
  it('words each verdict plainly and colours only a real finding', () => {
    expect(verdictLabel({ kind: 'beyond-chance', p: 0.024 })).toBe('orthogonal beyond chance');
    expect(verdictLabel({ kind: 'not-distinguishable', p: 0.4 })).toBe('not distinguishable from shuffled');
    expect(verdictLabel({ kind: 'less-orthogonal', p: 0.02 })).toBe('less orthogonal than shuffled');
    expect(verdictLabel({ kind: 'too-few-shuffles', p: 0.09, needed: 19 })).toBe('too few shuffles (needs 19)');
    expect(verdictLabel(undefined)).toBe('no verdict');
    expect(verdictTone({ kind: 'beyond-chance', p: 0.024 })).toBe('good');
    expect(verdictTone({ kind: 'less-orthogonal', p: 0.02 })).toBe('bad');
    expect(verdictTone({ kind: 'not-distinguishable', p: 0.4 })).toBe('plain');
  });

  it('formats permutation p-values and counts the edges beyond chance', () => {
    expect(formatP(1 / 41)).toBe('0.024');
    expect(formatP(0.2439)).toBe('0.24');
    expect(formatP(1)).toBe('1');
    const edges = [
      edge(0.001, -0.1, 0.1, { kind: 'beyond-chance', p: 1 / 41 }),
      edge(0.05, -0.1, 0.1, { kind: 'not-distinguishable', p: 0.5 }),
      edge(0.3, -0.1, 0.1, { kind: 'less-orthogonal', p: 1 / 41 }),
    ];
    expect(verdictSummary(edges)).toBe('1 of 3 edges orthogonal beyond chance, 1 less orthogonal than shuffled');
    expect(verdictSummary(edges.slice(1, 2))).toBe('0 of 1 edge orthogonal beyond chance');
  });

  it('draws every row on one scale symmetric around 0', () => {
    const strips = edgeStrips([edge(-0.2, -0.1, 0.1, null), edge(0.05, -0.05, 0.15, null)], 108, 4);
    // extent 0.2 → [−0.2, 0.2] onto [4, 104]
    const [a, b] = [strips[0].band?.[0] ?? NaN, strips[0].band?.[1] ?? NaN];
    for (const [got, want] of [
      [strips[0].observed ?? NaN, 4],
      [strips[0].zero, 54],
      [a, 29],
      [b, 79],
      [strips[0].mean ?? NaN, 54],
    ])
      expect(got).toBeCloseTo(want, 9);
    expect(strips[1].observed).toBeCloseTo(66.5, 9);
    expect(strips[1].band?.[1]).toBeCloseTo(91.5, 9);
    expect(edgeStrips([{ parent: 0, child: 1, cosine: null, baseline: null }], 100)[0]).toMatchObject({
      band: null,
      mean: null,
      observed: null,
      zero: 50,
    });
  });

  it('names each drop reason', () => {
    expect(dropReasonLabel('word-piece')).toBe('token is a word piece');
    expect(dropReasonLabel('pieces')).toBe('not one token');
  });
});
