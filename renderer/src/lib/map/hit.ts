import { quadtree, type Quadtree, type QuadtreeInternalNode, type QuadtreeLeaf } from 'd3-quadtree';

/** A quadtree of point ids over world coordinates: hover and click find the nearest point in O(log n). */
export type PointTree = Quadtree<number>;

/** xy: [n, 2], row-major world coordinates. */
export function buildPointTree(xy: Float32Array): PointTree {
  const n = xy.length / 2;
  const ids = new Array<number>(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  return quadtree<number>(
    ids,
    (i) => xy[2 * i],
    (i) => xy[2 * i + 1],
  );
}

/** The point nearest (wx, wy) within `radius` (world units), or -1. */
export function nearestPoint(tree: PointTree, wx: number, wy: number, radius: number): number {
  return tree.find(wx, wy, radius) ?? -1;
}

/** Ids of the points inside the axis-aligned box, visiting only the quadtree cells that overlap it. */
export function pointsInBox(tree: PointTree, xy: Float32Array, x0: number, y0: number, x1: number, y1: number): number[] {
  const found: number[] = [];
  tree.visit((node, nx0, ny0, nx1, ny1) => {
    if (!isInternal(node)) {
      for (let leaf: QuadtreeLeaf<number> | undefined = node; leaf; leaf = leaf.next) {
        const i = leaf.data;
        const x = xy[2 * i];
        const y = xy[2 * i + 1];
        if (x >= x0 && x <= x1 && y >= y0 && y <= y1) found.push(i);
      }
    }
    return nx0 > x1 || ny0 > y1 || nx1 < x0 || ny1 < y0;
  });
  return found;
}

/** d3-quadtree's internal nodes are 4-element arrays; leaves are {data, next} objects. */
function isInternal(node: QuadtreeInternalNode<number> | QuadtreeLeaf<number>): node is QuadtreeInternalNode<number> {
  return Array.isArray(node);
}
