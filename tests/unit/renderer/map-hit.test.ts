import { describe, expect, it } from 'vitest';
import { buildPointTree, nearestPoint, pointsInBox } from '../../../renderer/src/lib/map/hit.js';
import { pointsInPolygon, simplifyPath, type Vec } from '../../../renderer/src/lib/map/lasso.js';
import { mulberry32 } from '../../../renderer/src/lib/queue/sample.js';

function randomXy(n: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: 2 * n }, () => random());
}

/** Crossing-number test, written independently of d3-polygon. */
function insideReference(polygon: Vec[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

describe('map hit testing', () => {
  const xy = randomXy(5000, 7);
  const tree = buildPointTree(xy);

  it('finds the same nearest point as a scan of every point, or none beyond the radius', () => {
    const random = mulberry32(11);
    for (let q = 0; q < 200; q++) {
      const [x, y, r] = [random(), random(), 0.002 + random() * 0.01];
      let best = -1;
      let bestD = r;
      for (let i = 0; i < 5000; i++) {
        const d = Math.hypot(xy[2 * i] - x, xy[2 * i + 1] - y);
        if (d < bestD) [best, bestD] = [i, d];
      }
      const found = nearestPoint(tree, x, y, r);
      if (best === -1) expect(found).toBe(-1);
      else expect(Math.hypot(xy[2 * found] - x, xy[2 * found + 1] - y)).toBeCloseTo(bestD, 12);
    }
  });

  it('lists the points in a box, no more and no fewer', () => {
    const got = pointsInBox(tree, xy, 0.2, 0.3, 0.45, 0.5).sort((a, b) => a - b);
    const expected = [];
    for (let i = 0; i < 5000; i++)
      if (xy[2 * i] >= 0.2 && xy[2 * i] <= 0.45 && xy[2 * i + 1] >= 0.3 && xy[2 * i + 1] <= 0.5) expected.push(i);
    expect(expected.length).toBeGreaterThan(100);
    expect(got).toEqual(expected);
  });

  it('selects the points inside a concave lasso like an independent crossing-number test', () => {
    // A five-pointed star: concave, so a bounding-box or convex-hull shortcut would over-select.
    const star: Vec[] = Array.from({ length: 10 }, (_, i) => {
      const r = i % 2 === 0 ? 0.4 : 0.15;
      const angle = (Math.PI * i) / 5;
      return [0.5 + r * Math.sin(angle), 0.5 - r * Math.cos(angle)];
    });
    const got = pointsInPolygon(tree, xy, star);
    const expected = [];
    for (let i = 0; i < 5000; i++) if (insideReference(star, xy[2 * i], xy[2 * i + 1])) expected.push(i);
    expect(expected.length).toBeGreaterThan(300);
    expect(got).toEqual(expected);
    expect(pointsInPolygon(tree, xy, star.slice(0, 2))).toEqual([]);
  });

  it('thins a lasso path to steps of at least the given length', () => {
    const path: Vec[] = [
      [0, 0],
      [0.5, 0],
      [1, 0],
      [3, 0],
      [3, 0.5],
      [3, 3],
    ];
    expect(simplifyPath(path, 2)).toEqual([
      [0, 0],
      [3, 0],
      [3, 3],
    ]);
  });
});
