import { activationIntensity } from '../feature/activation-color.js';
import { displayToken } from '../feature/token-display.js';
import { cellRect, fitText, type HeatmapLayout } from './heatmap-layout.js';

/** Theme colours the canvas needs, read from the CSS variables (a canvas cannot use var()). */
export interface HeatmapPalette {
  act: string;
  text: string;
  muted: string;
  grid: string;
  accent: string;
  accentSoft: string;
  sans: string;
  mono: string;
}

export interface HeatmapScene {
  layout: HeatmapLayout;
  /** [nTokens × nFeatures], row-major */
  values: readonly number[];
  /** row labels, one per feature row */
  rowNames: readonly string[];
  /** token texts, one per column */
  tokens: readonly string[];
  scaleMax: number;
  /** highlighted row (the colouring feature) and column (the selected token), or -1 */
  activeRow: number;
  activeColumn: number;
}

export function readPalette(el: Element): HeatmapPalette {
  const css = getComputedStyle(el);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    act: v('--act'),
    text: v('--text'),
    muted: v('--muted'),
    grid: v('--hover'),
    accent: v('--accent'),
    accentSoft: v('--accent-soft'),
    sans: v('--sans'),
    mono: v('--mono'),
  };
}

/** Draws the whole map (cells, row labels, slanted token labels, highlights) in CSS pixels. */
export function drawHeatmap(ctx: CanvasRenderingContext2D, scene: HeatmapScene, palette: HeatmapPalette): void {
  const { layout } = scene;
  ctx.clearRect(0, 0, layout.width, layout.height);
  drawBands(ctx, scene, palette);
  drawCells(ctx, scene, palette);
  drawRowLabels(ctx, scene, palette);
  drawColumnLabels(ctx, scene, palette);
}

function drawBands(ctx: CanvasRenderingContext2D, { layout, activeRow, activeColumn }: HeatmapScene, p: HeatmapPalette): void {
  const { left, top, height, cellWidth, cellHeight } = layout;
  const end = left + layout.nTokens * cellWidth;
  ctx.fillStyle = p.accentSoft;
  if (activeRow >= 0) ctx.fillRect(0, top + activeRow * cellHeight, end, cellHeight);
  if (activeColumn >= 0) ctx.fillRect(left + activeColumn * cellWidth, 0, cellWidth, height);
  ctx.strokeStyle = p.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let f = 0; f <= layout.nFeatures; f++) {
    const y = Math.round(top + f * cellHeight) + 0.5;
    ctx.moveTo(left, y);
    ctx.lineTo(end, y);
  }
  ctx.stroke();
}

function drawCells(ctx: CanvasRenderingContext2D, { layout, values, scaleMax }: HeatmapScene, p: HeatmapPalette): void {
  const { nTokens, nFeatures } = layout;
  ctx.fillStyle = p.act;
  for (let t = 0; t < nTokens; t++) {
    for (let f = 0; f < nFeatures; f++) {
      const intensity = activationIntensity(values[t * nFeatures + f], scaleMax);
      if (intensity === 0) continue;
      const r = cellRect(layout, t, f);
      ctx.globalAlpha = intensity;
      ctx.fillRect(r.x + 1, r.y + 1, r.width - 2, r.height - 2);
    }
  }
  ctx.globalAlpha = 1;
}

function drawRowLabels(ctx: CanvasRenderingContext2D, { layout, rowNames, activeRow }: HeatmapScene, p: HeatmapPalette): void {
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  rowNames.forEach((name, f) => {
    ctx.font = `${f === activeRow ? '600 ' : ''}12px ${p.sans}`;
    ctx.fillStyle = f === activeRow ? p.accent : p.text;
    const y = layout.top + (f + 0.5) * layout.cellHeight;
    ctx.fillText(
      fitText(name, layout.left - 14, (s) => ctx.measureText(s).width),
      layout.left - 8,
      y,
    );
  });
}

function drawColumnLabels(ctx: CanvasRenderingContext2D, { layout, tokens, activeColumn }: HeatmapScene, p: HeatmapPalette): void {
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const room = layout.top / Math.sin(SLANT) - 10;
  tokens.forEach((token, t) => {
    const shown = displayToken(token);
    ctx.font = `${t === activeColumn ? '600 ' : ''}11px ${p.mono}`;
    ctx.fillStyle = t === activeColumn ? p.accent : shown.symbolic ? p.muted : p.text;
    ctx.save();
    ctx.translate(layout.left + (t + 0.5) * layout.cellWidth, layout.top - 6);
    ctx.rotate(-SLANT);
    ctx.fillText(
      fitText(shown.text.trim() === '' ? shown.text : shown.text.trimStart(), room, (s) => ctx.measureText(s).width),
      0,
      0,
    );
    ctx.restore();
  });
}

/** Token labels lean at this angle (radians): readable, and a column's label stays near its column. */
const SLANT = (65 * Math.PI) / 180;
