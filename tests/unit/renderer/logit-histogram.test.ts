import { describe, expect, it } from 'vitest';
import type { LogitHistogram } from '../../../native/api/types.js';
import { barAt } from '../../../renderer/src/lib/feature/bars.js';
import { logitHistogramGeometry } from '../../../renderer/src/lib/feature/logit-histogram.js';

const histogram: LogitHistogram = {
  key: { saeId: 's', index: 0 },
  dVocab: 1011,
  edges: [-0.2, -0.1, 0, 0.1, 0.2],
  counts: [10, 500, 500, 1],
  min: -0.2,
  max: 0.2,
  mean: 0,
  std: 0.05,
};

describe('logit histogram geometry', () => {
  it('places equal-width bars on a linear axis, sided by zero, a lone tail token still a pixel tall', () => {
    const g = logitHistogramGeometry(histogram, { width: 400, height: 118, axis: 18 });
    expect(g.bars.map((b) => [Math.round(b.x * 1e6) / 1e6, b.side])).toEqual([
      [0, 'suppress'],
      [100, 'suppress'],
      [200, 'boost'],
      [300, 'boost'],
    ]);
    expect(g.bars.map((b) => Math.round(b.width * 1e6) / 1e6)).toEqual([99, 99, 99, 99]);
    expect(g.bars[1].height).toBeCloseTo(100, 9);
    expect(g.bars[3].height).toBe(1);
    expect(g.bars[3].y + g.bars[3].height).toBeCloseTo(100, 9);
    expect(g.zeroX).toBeCloseTo(200, 9);
    expect(g.ticks.map((t) => t.label)).toContain('+0.1');
    expect(barAt(g.bars, 250)?.i).toBe(2);
    expect(barAt(g.bars, 450)).toBeNull();
  });

  it('marks a bin across zero and has no zero line when the range is one-sided', () => {
    const straddling = logitHistogramGeometry(
      { ...histogram, edges: [-0.05, 0.05, 0.15], counts: [3, 4] },
      { width: 200, height: 60, axis: 10 },
    );
    expect(straddling.bars[0].side).toBe('both');
    const positive = logitHistogramGeometry({ ...histogram, edges: [0.1, 0.2, 0.3], counts: [3, 4] }, { width: 200, height: 60, axis: 10 });
    expect(positive.zeroX).toBeNull();
    expect(() => logitHistogramGeometry({ ...histogram, counts: [1] }, { width: 200, height: 60, axis: 10 })).toThrow(
      /1 counts but 5 edges/,
    );
  });
});
