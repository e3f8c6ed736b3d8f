/** Display helpers for comparisons: similarities, metrics, feature names. */

export function formatSimilarity(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(2);
}

/** A metric value with its own precision; null prints as a dash. */
export function formatMetric(value: number | null | undefined, kind: 'ratio' | 'percent' | 'count' | 'loss'): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (kind === 'percent') return `${(value * 100).toFixed(value < 0.01 && value > 0 ? 2 : 1)}%`;
  if (kind === 'count') return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
  if (kind === 'loss') return value.toFixed(3);
  return value.toFixed(3);
}

/** "#42 label" or "#42" when unlabelled. */
export function featureName(index: number, label: string): string {
  return label ? `#${index} ${label}` : `#${index}`;
}

/** Which value of a metric row is best, for highlighting: lower or higher is better. */
export function bestIndex(values: readonly (number | null)[], better: 'lower' | 'higher'): number {
  let best = -1;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    if (best < 0 || (better === 'lower' ? v < (values[best] as number) : v > (values[best] as number))) best = i;
  });
  return best;
}
