import { extent } from 'd3-array';
import { line } from 'd3-shape';
import { scaleLinear, scaleLog } from 'd3-scale';
import type { TrainPoint } from '../../../../native/api/types.js';

/** The curves the Train view draws, each against tokens seen. */
export const curveMetrics = [
  { key: 'nmse', title: 'Normalised MSE', log: true },
  { key: 'l0', title: 'L0 (active latents per token)', log: false },
  { key: 'deadFraction', title: 'Dead fraction', log: false },
  { key: 'loss', title: 'Loss', log: true },
] as const satisfies readonly { key: keyof TrainPoint; title: string; log: boolean }[];

export type CurveKey = (typeof curveMetrics)[number]['key'];

export interface CurveGeometry {
  path: string;
  xTicks: { at: number; label: string }[];
  yTicks: { at: number; label: string }[];
  /** the last point, in pixels, for a marker */
  last: { x: number; y: number; value: number } | null;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

function tickLabel(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1000) return compact.format(v);
  if (abs >= 1) return String(Number(v.toPrecision(3)));
  return v.toPrecision(2).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * One metric against tokens seen in a width × height box (margins inside): a d3 line path and axis
 * ticks. A log y axis for quantities that fall over orders of magnitude, when every value is > 0.
 */
export function curveGeometry(
  points: readonly TrainPoint[],
  key: CurveKey,
  log: boolean,
  width: number,
  height: number,
  margin = { left: 44, right: 10, top: 8, bottom: 22 },
): CurveGeometry {
  const finite = points.filter((p) => Number.isFinite(p[key]));
  const xs = extent(finite, (p) => p.tokensSeen) as [number, number] | [undefined, undefined];
  const ys = extent(finite, (p) => p[key]) as [number, number] | [undefined, undefined];
  const x = scaleLinear()
    .domain([0, Math.max(1, xs[1] ?? 1)])
    .range([margin.left, width - margin.right]);
  const useLog = log && finite.length > 0 && (ys[0] ?? 0) > 0;
  const [lo, hi] = [ys[0] ?? 0, ys[1] ?? 1];
  const y = useLog
    ? scaleLog()
        .domain(lo === hi ? [lo / 2, hi * 2] : [lo, hi])
        .range([height - margin.bottom, margin.top])
        .nice()
    : scaleLinear()
        .domain(lo === hi ? [Math.min(0, lo), hi === 0 ? 1 : Math.max(0, hi) * 1.1] : [Math.min(0, lo), hi])
        .range([height - margin.bottom, margin.top])
        .nice();
  const path =
    line<TrainPoint>()
      .x((p) => x(p.tokensSeen))
      .y((p) => y(p[key]))(finite) ?? '';
  const lastPoint = finite.at(-1);
  const yTicks = (useLog ? y.ticks(4).filter((_, i, all) => all.length <= 5 || i % Math.ceil(all.length / 5) === 0) : y.ticks(4)).map(
    (v) => ({ at: y(v), label: tickLabel(v) }),
  );
  return {
    path,
    xTicks: x.ticks(4).map((v) => ({ at: x(v), label: tickLabel(v) })),
    yTicks,
    last: lastPoint ? { x: x(lastPoint.tokensSeen), y: y(lastPoint[key]), value: lastPoint[key] } : null,
  };
}
