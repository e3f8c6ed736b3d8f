import type { Vec } from '../../lib/map/lasso.js';

/** The point under the pointer and where the pointer is in the canvas (CSS pixels). */
export interface Hover {
  point: number;
  x: number;
  y: number;
}

/**
 * Freehand lasso with pointer events (captured, so the path continues outside the canvas).
 * `onPath` gets the path in canvas CSS pixels while drawing and once more with done = true.
 * Returns a function that removes the listeners.
 */
export function attachLasso(
  canvas: HTMLCanvasElement,
  starts: (e: PointerEvent) => boolean,
  onPath: (path: Vec[], done: boolean) => void,
): () => void {
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
