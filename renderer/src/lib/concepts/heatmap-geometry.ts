import { interpolateRdBu } from 'd3-scale-chromatic';

/** A cosine in [−1, 1] as a diverging colour: red for +1, white at 0, blue for −1. */
export function cosineColour(value: number | null, missing: string): string {
  if (value === null || !Number.isFinite(value)) return missing;
  return interpolateRdBu((1 - Math.max(-1, Math.min(1, value))) / 2);
}

/** Cell size for n × n cells in a box, whole pixels, between 12 (a label's line) and 28. */
export function cellSize(n: number, width: number, height: number): number {
  if (n === 0) return 0;
  return Math.max(12, Math.min(28, Math.floor(Math.min(width, height) / n)));
}

/** The cell under a pixel, or null outside the grid. */
export function cellAt(px: number, py: number, n: number, size: number): { row: number; col: number } | null {
  const col = Math.floor(px / size);
  const row = Math.floor(py / size);
  return row >= 0 && col >= 0 && row < n && col < n ? { row, col } : null;
}

/** "0.04" / "−0.31": signed, two decimals, a real minus sign. */
export function formatCosine(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const text = Math.abs(value).toFixed(2);
  return value < 0 && text !== '0.00' ? `−${text}` : text;
}
