import { max } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import type { LogitHistogram } from '../../../../native/api/types.js';
import { formatAct, formatCount } from './format.js';

/**
 * Geometry of the logit histogram (sae_vis's): equal-width bins of W_dec[f]·W_U over the vocabulary
 * on a linear x axis, tokens per bin on a linear y axis. Bars left of zero are suppressed tokens,
 * right of it boosted ones. Pure: the component draws it.
 */

export interface LogitBar {
  i: number;
  lo: number;
  hi: number;
  count: number;
  x: number;
  width: number;
  y: number;
  height: number;
  /** which side of zero the bin lies on ('both' when it straddles it) */
  side: 'boost' | 'suppress' | 'both';
}

export interface LogitHistogramGeometry {
  bars: LogitBar[];
  ticks: { value: number; x: number; label: string }[];
  countTicks: { value: number; y: number; label: string }[];
  /** x of logit effect 0, null when 0 is outside the range */
  zeroX: number | null;
}

export function logitHistogramGeometry(h: LogitHistogram, size: { width: number; height: number; axis: number }): LogitHistogramGeometry {
  if (h.edges.length !== h.counts.length + 1) throw new Error(`logit histogram has ${h.counts.length} counts but ${h.edges.length} edges`);
  const plot = size.height - size.axis;
  const [lo, hi] = [h.edges[0], h.edges[h.edges.length - 1]];
  const x = scaleLinear().domain([lo, hi]).range([0, size.width]);
  const y = scaleLinear().domain([0, Math.max(1, max(h.counts) ?? 0)]).range([plot, 0]);
  const bars = h.counts.map((count, i): LogitBar => {
    const [a, b] = [h.edges[i], h.edges[i + 1]];
    const [x0, x1] = [x(a), x(b)];
    // A lone token in a tail bin still gets a pixel: the tails are what the histogram is read for.
    const height = count > 0 ? Math.max(1, plot - y(count)) : 0;
    return { i, lo: a, hi: b, count, x: x0, width: Math.max(0.5, x1 - x0 - (x1 - x0 >= 4 ? 1 : 0)), y: plot - height, height, side: b <= 0 ? 'suppress' : a >= 0 ? 'boost' : 'both' };
  });
  const ticks = x.ticks(5).map((value) => ({ value, x: x(value), label: value > 0 ? `+${formatAct(value)}` : formatAct(value) }));
  const countTicks = y.ticks(3).filter((v) => v > 0 && Number.isInteger(v)).map((value) => ({ value, y: y(value), label: formatCount(value) }));
  return { bars, ticks, countTicks, zeroX: lo <= 0 && hi >= 0 ? x(0) : null };
}

/** The bar under x, or null. */
export function logitBarAt(bars: readonly LogitBar[], px: number): LogitBar | null {
  for (let i = bars.length - 1; i >= 0; i--) if (px >= bars[i].x) return px <= bars[i].x + bars[i].width + 1 ? bars[i] : null;
  return null;
}
