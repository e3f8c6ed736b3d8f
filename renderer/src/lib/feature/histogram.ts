import { max } from 'd3-array';
import { scaleLinear, scaleLog } from 'd3-scale';
import { binBar, countScale, countTicks, type Bar, type CountTick } from './bars.js';
import { formatAct } from './format.js';

/**
 * Geometry of a feature's activation histogram: log-spaced bins (as the index stores them) drawn on
 * a log x axis, so each bin has the same width, and counts on a linear y axis. Pure: the component
 * turns it into SVG.
 */

/** lo, hi: the bin's activation range [lo, hi) */
export interface HistogramBar extends Bar {
  /** Bin index. */
  bin: number;
}

export interface HistogramTick {
  value: number;
  x: number;
  label: string;
}

export interface HistogramGeometry {
  bars: HistogramBar[];
  ticks: HistogramTick[];
  /** x of an activation value on the chart (clamped to the plot). */
  xOf: (value: number) => number;
  maxCount: number;
  /** the count axis: a few round counts and their heights (y, px from the top) */
  countTicks: CountTick[];
}

export interface HistogramSize {
  width: number;
  height: number;
  /** Space kept below the bars for the axis. */
  axis: number;
  /** log (the index's bins, default) or linear (an import's bins, as its export has them) */
  scale?: 'log' | 'linear';
}

/** Labels closer than this (px) would overlap: the later one is dropped. */
export const MIN_TICK_GAP = 40;

/**
 * The bins worth drawing: from the first to the last non-empty bin, with one empty bin of margin on
 * each side where there is one. The index's bins span a fixed range of decades so that every
 * feature's histogram can be stored alike; most features use a few of them.
 */
export function occupiedBins(counts: readonly number[]): [number, number] {
  const first = counts.findIndex((c) => c > 0);
  if (first < 0) return [0, counts.length];
  let last = counts.length - 1;
  while (counts[last] === 0) last--;
  return [Math.max(0, first - 1), Math.min(counts.length, last + 2)];
}

/**
 * Bars and axis ticks for `edges` ([nBins + 1], positive, increasing) and `counts` ([nBins]), over
 * the occupied bins only. A bin with a count gets at least 1 px of height so a lone firing is
 * visible next to a tall mode. Throws when the edges do not fit the counts (a corrupt histogram
 * must not draw silently wrong).
 */
export function histogramGeometry(edges: readonly number[], counts: readonly number[], size: HistogramSize): HistogramGeometry {
  if (edges.length !== counts.length + 1)
    throw new Error(`histogram has ${counts.length} counts but ${edges.length} edges (expected ${counts.length + 1})`);
  const linear = size.scale === 'linear';
  if (counts.length === 0 || (!linear && !(edges[0] > 0))) return { bars: [], ticks: [], xOf: () => 0, maxCount: 0, countTicks: [] };
  const [from, to] = occupiedBins(counts);
  const plot = size.height - size.axis;
  const x = (linear ? scaleLinear() : scaleLog()).domain([edges[from], edges[to]]).range([0, size.width]).clamp(true);
  const maxCount = max(counts) ?? 0;
  const y = countScale(counts, plot);
  const bars: HistogramBar[] = [];
  for (let bin = from; bin < to; bin++) bars.push({ bin, ...binBar(edges[bin], edges[bin + 1], counts[bin], x, y, plot) });
  const tickValues = linear ? scaleLinear().domain([edges[from], edges[to]]).ticks(5) : logTicks([edges[from], edges[to]]);
  const ticks = spaced(tickValues.map((value) => ({ value, x: x(value), label: formatAct(value) })));
  return { bars, ticks, xOf: (value) => x(value), maxCount, countTicks: countTicks(y) };
}

/** Ticks left to right, dropping any closer than MIN_TICK_GAP to the last one kept. */
function spaced(ticks: HistogramTick[]): HistogramTick[] {
  const kept: HistogramTick[] = [];
  for (const tick of ticks) if (kept.length === 0 || tick.x - kept[kept.length - 1].x >= MIN_TICK_GAP) kept.push(tick);
  return kept;
}

/**
 * Powers of ten inside the domain; when the domain spans less than two decades, 1-2-5 steps as
 * well, so a narrow histogram still gets at least two labelled ticks.
 */
export function logTicks([lo, hi]: [number, number]): number[] {
  const ticks: number[] = [];
  const steps = Math.log10(hi / lo) < 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of steps) {
      const value = Number((m * 10 ** e).toPrecision(12));
      if (value >= lo * (1 - 1e-9) && value <= hi * (1 + 1e-9)) ticks.push(value);
    }
  }
  return ticks;
}
