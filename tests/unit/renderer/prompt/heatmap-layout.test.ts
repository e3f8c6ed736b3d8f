import { describe, expect, it } from 'vitest';
import { cellRect, fitText, heatmapLayout, hitTest } from '../../../../renderer/src/lib/prompt/heatmap-layout.js';

const opts = { left: 100, top: 50, right: 20, cellHeight: 10, minCell: 12, maxCell: 30 };

describe('heatmapLayout', () => {
  it('fits the cells to the width given, within the narrowest and widest cell', () => {
    expect(heatmapLayout(20, 4, 520, opts)).toMatchObject({ cellWidth: 20, width: 520, height: 90 });
    expect(heatmapLayout(2, 4, 520, opts)).toMatchObject({ cellWidth: 30, width: 180 });
    // Too many tokens for the width: cells stay readable and the drawing is wider (it scrolls).
    expect(heatmapLayout(255, 24, 520, opts)).toMatchObject({ cellWidth: 12, width: 100 + 255 * 12 + 20, height: 50 + 240 });
  });

  it('hit-tests cells, row labels and column labels, and nothing outside', () => {
    const layout = heatmapLayout(20, 4, 520, opts);
    expect(hitTest(layout, 100, 50)).toEqual({ token: 0, feature: 0 });
    expect(hitTest(layout, 100 + 20 * 5 + 19, 50 + 10 * 3 + 9)).toEqual({ token: 5, feature: 3 });
    expect(hitTest(layout, 40, 65)).toEqual({ token: null, feature: 1 });
    expect(hitTest(layout, 130, 10)).toEqual({ token: 1, feature: null });
    expect(hitTest(layout, 40, 10)).toBeNull();
    expect(hitTest(layout, 100 + 20 * 20 + 1, 60)).toBeNull();
    expect(hitTest(layout, 130, 50 + 40)).toBeNull();
    expect(hitTest(layout, -1, 60)).toBeNull();
  });

  it('places cell (t, f) where the hit test finds it', () => {
    const layout = heatmapLayout(20, 4, 520, opts);
    const r = cellRect(layout, 7, 2);
    expect(r).toEqual({ x: 240, y: 70, width: 20, height: 10 });
    expect(hitTest(layout, r.x + r.width / 2, r.y + r.height / 2)).toEqual({ token: 7, feature: 2 });
  });
});

describe('fitText', () => {
  const measure = (s: string) => s.length * 7;

  it('keeps text that fits and cuts the rest with an ellipsis inside the width', () => {
    expect(fitText('commas', 100, measure)).toBe('commas');
    const cut = fitText('a label far too long for the row', 70, measure);
    expect(cut.endsWith('…')).toBe(true);
    expect(measure(cut)).toBeLessThanOrEqual(70);
    expect(cut).toBe('a label f…');
    expect(fitText('abc', 3, measure)).toBe('');
  });
});
