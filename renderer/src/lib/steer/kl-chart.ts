import { max } from 'd3-array';
import { scaleBand, scaleLinear } from 'd3-scale';
import type { SteerStepData } from '../../../../native/api/types.js';

export interface KlBar {
  step: number;
  x: number;
  y: number;
  width: number;
  height: number;
  kl: number;
}

export interface KlGeometry {
  bars: KlBar[];
  yTicks: { at: number; label: string }[];
  /** the watched tokens' probability per step under each model, as line paths on the same steps (empty without) */
  watched: { steered: string; clean: string };
  /** the watched lines' own scale, 0 to this probability (its label sits on the right axis) */
  watchedTop: { at: number; label: string } | null;
  baseline: number;
}

/**
 * KL(steered ‖ clean) per generated token as bars in a width × height box, for `nSteps` steps (so
 * the axis does not rescale as tokens stream in), with the watched tokens' mass as two lines on
 * their own 0–max scale (right axis) sharing the x axis.
 */
export function klGeometry(
  steps: readonly SteerStepData[],
  nSteps: number,
  width: number,
  height: number,
  margin = { left: 40, right: 8, top: 8, bottom: 18 },
): KlGeometry {
  const x = scaleBand<number>()
    .domain(Array.from({ length: Math.max(1, nSteps) }, (_, i) => i))
    .range([margin.left, width - margin.right])
    .paddingInner(0.2);
  const top = Math.max(0.01, max(steps, (s) => s.kl ?? 0) ?? 0);
  const y = scaleLinear()
    .domain([0, top])
    .range([height - margin.bottom, margin.top])
    .nice();
  const watchMax = max(steps, (s) => (s.watched ? Math.max(s.watched.steered, s.watched.clean) : 0)) ?? 0;
  const p = scaleLinear()
    .domain([0, Math.min(1, Math.max(1e-3, watchMax))])
    .range([height - margin.bottom, margin.top])
    .nice();
  const bars = steps
    .filter((s) => s.kl !== null && x(s.step) !== undefined)
    .map((s) => ({
      step: s.step,
      x: x(s.step)!,
      width: x.bandwidth(),
      y: y(s.kl!),
      height: y(0) - y(s.kl!),
      kl: s.kl!,
    }));
  const centre = (s: SteerStepData) => x(s.step)! + x.bandwidth() / 2;
  const withWatch = steps.filter((s) => s.watched && x(s.step) !== undefined);
  const path = (pick: (s: SteerStepData) => number) =>
    withWatch.map((s, i) => `${i === 0 ? 'M' : 'L'}${centre(s).toFixed(1)},${p(pick(s)).toFixed(1)}`).join('');
  return {
    bars,
    yTicks: y.ticks(3).map((v) => ({ at: y(v), label: String(Number(v.toPrecision(2))) })),
    watched: { steered: path((s) => s.watched!.steered), clean: path((s) => s.watched!.clean) },
    watchedTop: withWatch.length > 0 ? { at: p(p.domain()[1]), label: String(Number(p.domain()[1].toPrecision(2))) } : null,
    baseline: y(0),
  };
}
