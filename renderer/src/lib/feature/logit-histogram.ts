import { scaleLinear } from 'd3-scale';
import type { LogitHistogram } from '../../../../native/api/types.js';
import { binBar, countScale, countTicks, type Bar, type CountTick } from './bars.js';
import { formatAct } from './format.js';

/**
 * Geometry of the logit histogram (sae_vis's): equal-width bins of W_dec[f]·W_U over the vocabulary
 * on a linear x axis, tokens per bin on a linear y axis. Bars left of zero are suppressed tokens,
 * right of it boosted ones. Pure: the component draws it.
 */

export interface LogitBar extends Bar {
  i: number;
  /** which side of zero the bin lies on ('both' when it straddles it) */
  side: 'boost' | 'suppress' | 'both';
}

export interface LogitHistogramGeometry {
  bars: LogitBar[];
  ticks: { value: number; x: number; label: string }[];
  countTicks: CountTick[];
  /** x of logit effect 0, null when 0 is outside the range */
  zeroX: number | null;
}

export function logitHistogramGeometry(h: LogitHistogram, size: { width: number; height: number; axis: number }): LogitHistogramGeometry {
  if (h.edges.length !== h.counts.length + 1) throw new Error(`logit histogram has ${h.counts.length} counts but ${h.edges.length} edges`);
  const plot = size.height - size.axis;
  const [lo, hi] = [h.edges[0], h.edges[h.edges.length - 1]];
  const x = scaleLinear().domain([lo, hi]).range([0, size.width]);
  const y = countScale(h.counts, plot);
  const bars = h.counts.map((count, i): LogitBar => {
    const [a, b] = [h.edges[i], h.edges[i + 1]];
    // Half a pixel at least: the tails are what the histogram is read for.
    return { i, ...binBar(a, b, count, x, y, plot, 0.5), side: b <= 0 ? 'suppress' : a >= 0 ? 'boost' : 'both' };
  });
  const ticks = x.ticks(5).map((value) => ({ value, x: x(value), label: value > 0 ? `+${formatAct(value)}` : formatAct(value) }));
  return { bars, ticks, countTicks: countTicks(y), zeroX: lo <= 0 && hi >= 0 ? x(0) : null };
}
