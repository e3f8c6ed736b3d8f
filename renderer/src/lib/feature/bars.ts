import { max } from 'd3-array';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { formatCount } from './format.js';

/**
 * What the feature page's histograms share (activations on a log or linear axis, logit effects on a
 * linear one): bins as bars over a plot `plot` px tall, a linear count axis, the bar under the pointer.
 */

/** One bin [lo, hi) as a rectangle, px from the chart's top left. */
export interface Bar {
  lo: number;
  hi: number;
  count: number;
  x: number;
  width: number;
  y: number;
  height: number;
}

export interface CountTick {
  value: number;
  /** px from the top */
  y: number;
  label: string;
}

/** Counts 0..max on a plot `plot` px tall (0 at the bottom). */
export function countScale(counts: readonly number[], plot: number): ScaleLinear<number, number> {
  return scaleLinear()
    .domain([0, Math.max(1, max(counts) ?? 0)])
    .range([plot, 0]);
}

/** A few round, whole counts on the count axis. */
export function countTicks(y: ScaleLinear<number, number>): CountTick[] {
  return y
    .ticks(3)
    .filter((v) => v > 0 && Number.isInteger(v))
    .map((value) => ({ value, y: y(value), label: formatCount(value) }));
}

/**
 * The bar of bin [lo, hi) holding `count`: a 1-px gap to the next bar only when bars are wide enough
 * that it does not swallow them (at least `minWidth` px wide), and at least 1 px tall when the bin
 * has a count, so a lone firing or a lone tail token is visible next to a tall mode.
 */
export function binBar(
  lo: number,
  hi: number,
  count: number,
  x: (v: number) => number,
  y: (c: number) => number,
  plot: number,
  minWidth = 0,
): Bar {
  const [x0, x1] = [x(lo), x(hi)];
  const height = count > 0 ? Math.max(1, plot - y(count)) : 0;
  return { lo, hi, count, x: x0, width: Math.max(minWidth, x1 - x0 - (x1 - x0 >= 4 ? 1 : 0)), y: plot - height, height };
}

/** The bar under x (bars tile the width, left to right), or null. */
export function barAt<B extends Bar>(bars: readonly B[], x: number): B | null {
  if (bars.length === 0) return null;
  const last = bars[bars.length - 1];
  if (x < bars[0].x || x > last.x + last.width + 1) return null;
  for (let i = bars.length - 1; i >= 0; i--) if (x >= bars[i].x) return bars[i];
  return null;
}
