import { select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { Vec } from '../../lib/map/lasso.js';

/** The point under the pointer and where the pointer is in the canvas (CSS pixels). */
export interface Hover {
  point: number;
  x: number;
  y: number;
}

/** d3-zoom on the canvas: wheel and drag pan/zoom, unless the lasso has the pointer. */
export interface ZoomControl {
  reset(): void;
  /** Animates to a zoom (screen = k · base + (x, y)). */
  transformTo(t: { k: number; x: number; y: number }): void;
  scaleBy(factor: number): void;
  translateBy(dx: number, dy: number): void;
  detach(): void;
}

export function attachZoom(canvas: HTMLCanvasElement, onZoom: (t: ZoomTransform) => void, lassoActive: (e: { shiftKey: boolean }) => boolean): ZoomControl {
  const behaviour: ZoomBehavior<HTMLCanvasElement, unknown> = zoom<HTMLCanvasElement, unknown>()
    .scaleExtent([0.6, 600])
    // d3's default filter, plus: a shift-drag or the lasso tool draws a lasso instead of panning.
    .filter((e: MouseEvent & WheelEvent) => (!e.ctrlKey || e.type === 'wheel') && !e.button && (e.type === 'wheel' || !lassoActive(e)))
    .on('zoom', (e: { transform: ZoomTransform }) => onZoom(e.transform));
  const selection = select(canvas);
  selection.call(behaviour);
  return {
    reset: () => selection.call(behaviour.transform, zoomIdentity),
    transformTo: (t) => selection.transition().duration(450).call(behaviour.transform, zoomIdentity.translate(t.x, t.y).scale(t.k)),
    scaleBy: (factor) => selection.call(behaviour.scaleBy, factor),
    translateBy: (dx, dy) => selection.call(behaviour.translateBy, dx, dy),
    detach: () => selection.on('.zoom', null),
  };
}

/**
 * Freehand lasso with pointer events (captured, so the path continues outside the canvas).
 * `onPath` gets the path in canvas CSS pixels while drawing and once more with done = true.
 * Returns a function that removes the listeners.
 */
export function attachLasso(canvas: HTMLCanvasElement, starts: (e: PointerEvent) => boolean, onPath: (path: Vec[], done: boolean) => void): () => void {
  let path: Vec[] | null = null;
  const at = (e: PointerEvent): Vec => {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const down = (e: PointerEvent) => {
    if (e.button !== 0 || !starts(e)) return;
    canvas.setPointerCapture(e.pointerId);
    path = [at(e)];
    e.preventDefault();
  };
  const move = (e: PointerEvent) => {
    if (!path) return;
    path.push(at(e));
    onPath(path, false);
  };
  const up = (e: PointerEvent) => {
    if (!path) return;
    const done = path;
    path = null;
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    onPath(done, true);
  };
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  return () => {
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('pointercancel', up);
  };
}

/** Median of the last frame times, for the view's own frame-time readout. */
export class FrameTimes {
  #times: number[] = [];
  add(ms: number): void {
    this.#times.push(ms);
    if (this.#times.length > 60) this.#times.shift();
  }
  median(): number {
    const sorted = [...this.#times].sort((a, b) => a - b);
    return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
  }
}
