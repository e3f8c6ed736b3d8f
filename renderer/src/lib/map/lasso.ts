import { polygonContains } from 'd3-polygon';
import { pointsInBox, type PointTree } from './hit.js';

export type Vec = [number, number];

/**
 * A freehand lasso path with the points closer than `minStep` to the last kept one dropped: a drag
 * reports a point per pointer event, and hundreds of near-duplicates only slow the containment test.
 */
export function simplifyPath(path: readonly Vec[], minStep: number): Vec[] {
  const kept: Vec[] = [];
  for (const p of path) {
    const last = kept[kept.length - 1];
    if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) >= minStep) kept.push([p[0], p[1]]);
  }
  return kept;
}

/**
 * The points inside a polygon (world coordinates; closed implicitly), sorted by id. The quadtree
 * narrows the candidates to the polygon's bounding box before the even-odd test.
 */
export function pointsInPolygon(tree: PointTree, xy: Float32Array, polygon: readonly Vec[]): number[] {
  if (polygon.length < 3) return [];
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of polygon) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const ring = polygon as Vec[];
  return pointsInBox(tree, xy, x0, y0, x1, y1)
    .filter((i) => polygonContains(ring, [xy[2 * i], xy[2 * i + 1]]))
    .sort((a, b) => a - b);
}
