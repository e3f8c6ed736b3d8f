import { max, median } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import type { PromptResult } from '../../../../native/api/types.js';
import { displayToken } from '../feature/token-display.js';

/**
 * The geometry of the Prompt view's reconstruction row: one bar per token, its height the SAE's
 * reconstruction error there (‖x − x̂‖² / ‖x‖²). The scale runs to 1 at least (an SAE that output 0
 * would score 1), so texts and SAEs compare at a glance; worse tokens stretch it.
 */

export interface ReconstructionCell {
  i: number;
  text: string;
  /** ‖x − x̂‖² / ‖x‖², null where ‖x‖ = 0 */
  value: number | null;
  /** bar height, px */
  height: number;
}

export interface ReconstructionRow {
  cells: ReconstructionCell[];
  /** the scale's top value */
  top: number;
  /** y (px from the bars' top) of the text's overall error, null without one */
  overallY: number | null;
  overall: number | null;
  median: number | null;
  worst: ReconstructionCell | null;
}

export function reconstructionRow(result: PromptResult, barHeight: number): ReconstructionRow | null {
  const r = result.reconstruction;
  if (!r) return null;
  const values = r.relativeError.filter((v): v is number => v !== null);
  const top = Math.max(1, max(values) ?? 0);
  const y = scaleLinear().domain([0, top]).range([0, barHeight]).clamp(true);
  const cells = result.tokens.map((t, i) => {
    const value = r.relativeError[i] ?? null;
    return { i, text: displayToken(t.text).text, value, height: value === null ? 0 : y(value) };
  });
  const worst = cells.reduce<ReconstructionCell | null>(
    (w, c) => (c.value !== null && (w === null || c.value > (w.value ?? -1)) ? c : w),
    null,
  );
  return {
    cells,
    top,
    overall: r.overall,
    overallY: r.overall === null ? null : barHeight - y(r.overall),
    median: median(values) ?? null,
    worst,
  };
}

/** An error ratio with 2 significant digits (0.031, 0.42, 1.3). */
export function formatRatio(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value === 0 ? '0' : Number(value.toPrecision(2)).toString();
}
