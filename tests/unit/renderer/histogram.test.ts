import { describe, expect, it } from 'vitest';
import { barAt } from '../../../renderer/src/lib/feature/bars.js';
import { MIN_TICK_GAP, histogramGeometry, logTicks, occupiedBins } from '../../../renderer/src/lib/feature/histogram.js';

/** Log-spaced edges as the store makes them: 10^(lo + (hi − lo)·i/n). */
function edges(log10Min: number, log10Max: number, n: number): number[] {
  return Array.from({ length: n + 1 }, (_, i) => 10 ** (log10Min + ((log10Max - log10Min) * i) / n));
}

describe('histogramGeometry', () => {
  const size = { width: 480, height: 120, axis: 20 };

  it('gives log-spaced bins equal widths that tile the plot', () => {
    const g = histogramGeometry(
      edges(-2, 1, 48),
      Array.from({ length: 48 }, (_, i) => i),
      size,
    );
    expect(g.bars).toHaveLength(48);
    expect(g.bars[0].x).toBeCloseTo(0, 9);
    for (const bar of g.bars) expect(bar.width).toBeCloseTo(480 / 48 - 1, 9);
    expect(g.bars[47].x + 480 / 48).toBeCloseTo(480, 9);
  });

  it('scales counts linearly into the plot above the axis, with a visible minimum for a lone count', () => {
    const counts = [0, 1, 500, 1000];
    const g = histogramGeometry(edges(-1, 1, 4), counts, size);
    expect(g.maxCount).toBe(1000);
    expect(g.bars[0].height).toBe(0);
    expect(g.bars[1].height).toBe(1);
    expect(g.bars[2].height).toBeCloseTo(50, 9);
    expect(g.bars[3]).toMatchObject({ y: 0, height: 100 });
    for (const bar of g.bars) expect(bar.y + bar.height).toBeCloseTo(100, 9);
  });

  it('refuses edges that do not fit the counts, and draws nothing for an empty histogram', () => {
    expect(() => histogramGeometry([1, 2], [1, 2], size)).toThrow(/2 counts but 2 edges \(expected 3\)/);
    expect(histogramGeometry([1], [], size).bars).toEqual([]);
  });

  it('places ticks at powers of ten (and 2, 5 within narrow ranges) at their log position', () => {
    expect(logTicks([0.01, 10])).toEqual([0.01, 0.1, 1, 10]);
    expect(logTicks([0.3, 4])).toEqual([0.5, 1, 2]);
    const g = histogramGeometry(edges(-2, 1, 48), new Array(48).fill(1), size);
    expect(g.ticks.map((t) => t.label)).toEqual(['0.01', '0.1', '1', '10']);
    expect(g.ticks[1].x).toBeCloseTo(160, 9);
    expect(g.xOf(1)).toBeCloseTo(320, 9);
  });

  it('draws only the occupied bins, with one empty bin of margin each side', () => {
    const counts = new Array(48).fill(0);
    counts[20] = 3;
    counts[25] = 9;
    expect(occupiedBins(counts)).toEqual([19, 27]);
    expect(occupiedBins([5, 0, 0])).toEqual([0, 2]);
    expect(occupiedBins([0, 0])).toEqual([0, 2]);
    const e = edges(-4, 4, 48);
    const g = histogramGeometry(e, counts, size);
    expect(g.bars.map((b) => b.bin)).toEqual([19, 20, 21, 22, 23, 24, 25, 26]);
    expect(g.bars[0].x).toBeCloseTo(0, 9);
    expect(g.xOf(e[27])).toBeCloseTo(480, 9);
  });

  it('drops tick labels that would overlap', () => {
    const g = histogramGeometry(edges(-4, 4, 48), new Array(48).fill(1), { ...size, width: 200 });
    expect(g.ticks.length).toBeGreaterThan(2);
    for (let i = 1; i < g.ticks.length; i++) expect(g.ticks[i].x - g.ticks[i - 1].x).toBeGreaterThanOrEqual(MIN_TICK_GAP);
    expect(g.ticks[0].value).toBe(1e-4);
  });

  it('barAt finds the bar under a pointer x and nothing outside the bars', () => {
    const g = histogramGeometry(edges(-2, 1, 48), new Array(48).fill(1), size);
    expect(barAt(g.bars, 5)?.bin).toBe(0);
    expect(barAt(g.bars, 10.5)?.bin).toBe(1);
    expect(barAt(g.bars, 479)?.bin).toBe(47);
    expect(barAt(g.bars, -1)).toBeNull();
    expect(barAt(g.bars, 600)).toBeNull();
  });
});

describe('histogram count axis', () => {
  it('labels a few round counts at the heights the bars use', () => {
    const counts = [0, 3, 120, 870, 40, 0];
    const e = Array.from({ length: 7 }, (_, i) => 0.1 * 2 ** i);
    const g = histogramGeometry(e, counts, { width: 300, height: 132, axis: 18 });
    expect(g.countTicks.length).toBeGreaterThan(0);
    expect(g.countTicks.length).toBeLessThanOrEqual(5);
    const tallest = g.bars.find((b) => b.count === 870)!;
    for (const t of g.countTicks) {
      expect(Number.isInteger(t.value) && t.value > 0 && t.value <= 870).toBe(true);
      // a tick at count c sits at the top of a bar of count c: linear from the baseline
      expect(t.y).toBeCloseTo(114 - (t.value / 870) * tallest.height, 6);
    }
  });
});

describe('linear histograms (an import keeps its export’s bins)', () => {
  it('draws equal-width bins from an edge at or below zero, with linear ticks', () => {
    const e = [-0.25, 0.75, 1.75, 2.75, 3.75];
    const g = histogramGeometry(e, [5, 9, 0, 2], { width: 400, height: 132, axis: 18, scale: 'linear' });
    expect(g.bars.map((b) => b.count)).toEqual([5, 9, 0, 2]);
    const widths = g.bars.map((b) => b.width + 1);
    for (const w of widths) expect(w).toBeCloseTo(100, 6);
    expect(g.xOf(1.75)).toBeCloseTo(200, 6);
    expect(g.ticks.map((t) => t.value)).toContain(2);
  });
  it('a log histogram with a non-positive edge still draws nothing (a log axis has no zero)', () => {
    expect(histogramGeometry([0, 1, 2], [1, 1], { width: 100, height: 100, axis: 10 }).bars).toEqual([]);
  });
});
