import { select } from 'd3-selection';
import 'd3-transition'; // adds selection.transition(), which ZoomControl.transformTo animates with
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';

// What every canvas view shares (the map, the joint map, the concept plane, the heat maps): a backing
// store at the device pixel ratio with a context that draws in CSS pixels, and d3-zoom on one element.

/** Device pixels per CSS pixel (1 where the browser does not say). */
export function pixelRatio(): number {
  return window.devicePixelRatio || 1;
}

/**
 * Sizes the canvas's backing store to width × height CSS pixels at `ratio` and returns its 2D context,
 * cleared and scaled so that drawing code works in CSS pixels; null where there is no 2D context.
 */
export function sizeCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  ratio = pixelRatio(),
): CanvasRenderingContext2D | null {
  const [w, h] = [Math.max(1, Math.round(width * ratio)), Math.max(1, Math.round(height * ratio))];
  // Setting a dimension clears the canvas and reallocates its store even to the same size: only on change.
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

export interface ZoomOptions {
  /** smallest and largest zoom factor */
  scaleExtent: [number, number];
  onzoom: (transform: ZoomTransform) => void;
  /** which events zoom or pan (default: d3-zoom's own filter) */
  filter?: (event: MouseEvent & WheelEvent) => boolean;
  /** double-click goes back to the identity (d3-zoom's default zooms in) */
  dblclickResets?: boolean;
}

/** d3-zoom attached to one canvas: wheel and drag pan and zoom; buttons and keys drive it through these. */
export interface ZoomControl {
  reset(): void;
  /** Animates to a zoom (screen = k · base + (x, y)). */
  transformTo(t: { k: number; x: number; y: number }): void;
  scaleBy(factor: number): void;
  translateBy(dx: number, dy: number): void;
  detach(): void;
}

export function attachZoom(canvas: HTMLCanvasElement, options: ZoomOptions): ZoomControl {
  const behaviour: ZoomBehavior<HTMLCanvasElement, unknown> = zoom<HTMLCanvasElement, unknown>()
    .scaleExtent(options.scaleExtent)
    .on('zoom', (e: { transform: ZoomTransform }) => options.onzoom(e.transform));
  if (options.filter) behaviour.filter(options.filter);
  const selection = select(canvas);
  selection.call(behaviour);
  const reset = () => void selection.call(behaviour.transform, zoomIdentity);
  if (options.dblclickResets) selection.on('dblclick.zoom', reset);
  return {
    reset,
    transformTo: (t) => void selection.transition().duration(450).call(behaviour.transform, zoomIdentity.translate(t.x, t.y).scale(t.k)),
    scaleBy: (factor) => void selection.call(behaviour.scaleBy, factor),
    translateBy: (dx, dy) => void selection.call(behaviour.translateBy, dx, dy),
    detach: () => void selection.on('.zoom', null),
  };
}
