/**
 * Geometry of the token × feature heat map: features are rows (labels on the left), tokens are
 * columns (labels slanted above), one cell per pair. Pure numbers, so the canvas drawing and the
 * hover hit-test read the same layout.
 */

export interface HeatmapLayout {
  nTokens: number;
  nFeatures: number;
  /** width of the row-label column, px */
  left: number;
  /** height of the column-label band, px */
  top: number;
  /** room right of the last column, px, where its slanted label ends */
  right: number;
  cellWidth: number;
  cellHeight: number;
  /** whole drawing, px (wider than the space given when tokens need scrolling) */
  width: number;
  height: number;
}

export interface LayoutOptions {
  left?: number;
  top?: number;
  right?: number;
  cellHeight?: number;
  /** narrowest and widest cell, px: narrower would be unreadable, wider wastes the row */
  minCell?: number;
  maxCell?: number;
}

/** Cells as wide as fits `available` px (within minCell … maxCell); past minCell the map scrolls sideways. */
export function heatmapLayout(nTokens: number, nFeatures: number, available: number, options: LayoutOptions = {}): HeatmapLayout {
  const { left = 170, top = 72, right = 44, cellHeight = 20, minCell = 13, maxCell = 40 } = options;
  const fit = nTokens > 0 ? Math.floor((available - left - right) / nTokens) : maxCell;
  const cellWidth = Math.max(minCell, Math.min(maxCell, fit));
  return {
    nTokens,
    nFeatures,
    left,
    top,
    right,
    cellWidth,
    cellHeight,
    width: left + nTokens * cellWidth + right,
    height: top + nFeatures * cellHeight,
  };
}

/** What sits under a point: a cell, a row label (feature only), a column label (token only), or nothing. */
export type HeatmapHit = { token: number | null; feature: number | null } | null;

export function hitTest(layout: HeatmapLayout, x: number, y: number): HeatmapHit {
  const { left, top, cellWidth, cellHeight, nTokens, nFeatures } = layout;
  if (x < 0 || y < 0) return null;
  const token = x >= left ? Math.floor((x - left) / cellWidth) : null;
  const feature = y >= top ? Math.floor((y - top) / cellHeight) : null;
  if (token !== null && token >= nTokens) return null;
  if (feature !== null && feature >= nFeatures) return null;
  if (token === null && feature === null) return null;
  return { token, feature };
}

/** The cell of token t and feature row f, px. */
export function cellRect(layout: HeatmapLayout, token: number, feature: number): { x: number; y: number; width: number; height: number } {
  return {
    x: layout.left + token * layout.cellWidth,
    y: layout.top + feature * layout.cellHeight,
    width: layout.cellWidth,
    height: layout.cellHeight,
  };
}

/** `text` cut (with "…") to fit `maxWidth` as `measure` reports widths; the whole text when it fits. */
export function fitText(text: string, maxWidth: number, measure: (s: string) => number): string {
  if (measure(text) <= maxWidth) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${text.slice(0, mid)}…`) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : `${text.slice(0, lo).trimEnd()}…`;
}
