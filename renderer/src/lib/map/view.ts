/**
 * World ([0, 1]² map coordinates) ↔ screen (CSS pixels of the canvas). The unit square is fitted
 * into the canvas with a margin, then d3-zoom's transform {k, x, y} applies on top; both compose
 * into one affine map so drawing a point costs two multiply-adds.
 */

/** d3-zoom's ZoomTransform, structurally: screen = k · base + (x, y). */
export interface ZoomLike {
  k: number;
  x: number;
  y: number;
}

/** screen = (a · wx + bx, a · wy + by) */
export interface Affine {
  a: number;
  bx: number;
  by: number;
}

export const identityZoom: ZoomLike = { k: 1, x: 0, y: 0 };

/** CSS pixels between the fitted unit square and the map's nearer edges. */
export const mapMargin = 24;

/** The unit square centred in a width × height box, `margin` pixels clear of its nearer edges. */
export function fitUnitSquare(width: number, height: number, margin: number): Affine {
  const a = Math.max(1, Math.min(width, height) - 2 * margin);
  return { a, bx: (width - a) / 2, by: (height - a) / 2 };
}

export function composeAffine(fit: Affine, zoom: ZoomLike): Affine {
  return { a: zoom.k * fit.a, bx: zoom.k * fit.bx + zoom.x, by: zoom.k * fit.by + zoom.y };
}

/** The same map in device pixels (the canvas layer's backing store: CSS pixels × its pixel ratio). */
export function scaleAffine(t: Affine, ratio: number): Affine {
  return { a: t.a * ratio, bx: t.bx * ratio, by: t.by * ratio };
}

export function toScreen(t: Affine, wx: number, wy: number): [number, number] {
  return [t.a * wx + t.bx, t.a * wy + t.by];
}

export function toWorld(t: Affine, sx: number, sy: number): [number, number] {
  return [(sx - t.bx) / t.a, (sy - t.by) / t.a];
}

/**
 * The zoom that shows world point (wx, wy) at the centre of the box at scale k: what "show this
 * feature on the map" needs.
 */
export function zoomCentredOn(fit: Affine, width: number, height: number, wx: number, wy: number, k: number): ZoomLike {
  const bx = fit.a * wx + fit.bx;
  const by = fit.a * wy + fit.by;
  return { k, x: width / 2 - k * bx, y: height / 2 - k * by };
}

/**
 * The zoom that shows the given points (world xy: [n, 2]) filling about 70% of the box, at scale 1
 * to `maxK` (one point alone is shown at maxK, centred).
 */
export function zoomToPoints(fit: Affine, width: number, height: number, xy: Float32Array, points: readonly number[], maxK = 8): ZoomLike {
  if (points.length === 0) return identityZoom;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    x0 = Math.min(x0, xy[2 * p]);
    x1 = Math.max(x1, xy[2 * p]);
    y0 = Math.min(y0, xy[2 * p + 1]);
    y1 = Math.max(y1, xy[2 * p + 1]);
  }
  const span = Math.max(((x1 - x0) * fit.a) / width, ((y1 - y0) * fit.a) / height, 1e-9);
  const k = Math.max(1, Math.min(maxK, 0.7 / span));
  return zoomCentredOn(fit, width, height, (x0 + x1) / 2, (y0 + y1) / 2, k);
}
