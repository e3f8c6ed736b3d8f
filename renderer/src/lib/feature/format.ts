/** Number formats of the feature page: activations, densities, correlations. */

/** An activation with 3 significant digits, without exponent noise for the usual range (0.001–9999). */
export function formatAct(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs < 0.001) return value.toExponential(1);
  return Number(value.toPrecision(3)).toString();
}

/** A firing density as a percentage with 2–3 significant digits: 0.0123 → "1.23%", 4e-5 → "0.004%". */
export function formatDensity(density: number): string {
  if (!Number.isFinite(density)) return '—';
  if (density === 0) return '0%';
  const percent = density * 100;
  if (percent >= 10) return `${percent.toFixed(1)}%`;
  return `${Number(percent.toPrecision(2))}%`;
}

/** "1 in N tokens", rounded to a readable N (119, 3.4k, 120k); empty for 0. */
export function formatOneIn(density: number): string {
  if (!(density > 0)) return '';
  const n = 1 / density;
  if (n < 1.05) return 'every token';
  if (n < 1000) return `1 in ${Math.round(n)}`;
  if (n < 1e6) return `1 in ${Number((n / 1000).toPrecision(2))}k`;
  return `1 in ${Number((n / 1e6).toPrecision(2))}M`;
}

/** A signed value in [−1, 1] (cosine, correlation) with two decimals; "—" for null. */
export function formatUnit(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value.toFixed(2);
}

/** An integer count with thousands separators (stable across locales in tests: en-US grouping). */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** part / whole as a percentage (0 decimals from 10% up, 1 below); the raw part when whole is 0. */
export function formatPercentOf(part: number, whole: number): string {
  if (!(whole > 0)) return formatCount(part);
  const percent = (part / whole) * 100;
  return `${percent >= 10 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}
