import type { DecodedLinks } from '../compare/links.js';
import { pointOf, type MapLayout } from './layout.js';

/** Matches below this decoder cosine are not a family (Compare's default threshold). */
export const FAMILY_THRESHOLD = 0.5;

/** The map's families, and what they were read from. */
export interface MapFamilies {
  /** [n] the narrowest SAE's feature each point descends from (itself for that SAE's points), −1 for none */
  family: Int32Array;
  /** [n] the point's parent point on this map, −1 for none (the narrowest SAE's points, unmatched ones) */
  parentPoint: Int32Array;
  runId: number;
  narrowName: string;
}

/** The family arrays from a comparison's links (pair p: SAE order[p + 1]'s parents in order[p]). */
export function familiesOf(
  layout: MapLayout,
  order: readonly string[],
  links: readonly DecodedLinks[],
  runId: number,
  narrowName: string,
): MapFamilies {
  const family = new Int32Array(layout.n).fill(-1);
  const parentPoint = new Int32Array(layout.n).fill(-1);
  // Root features: the narrowest SAE's own points.
  const rootAt = (index: number) => pointOf(layout, order[0], index);
  for (let f = 0; ; f++) {
    const p = rootAt(f);
    if (p < 0) break;
    family[p] = f;
  }
  links.forEach((l, pair) => {
    for (let w = 0; w < l.nWide; w++) {
      const child = pointOf(layout, order[pair + 1], w);
      const parent = l.parents[w];
      if (child < 0 || parent < 0 || !(l.similarity[w] >= FAMILY_THRESHOLD)) continue;
      const parentP = pointOf(layout, order[pair], parent);
      if (parentP < 0) continue;
      parentPoint[child] = parentP;
      family[child] = family[parentP];
    }
  });
  return { family, parentPoint, runId, narrowName };
}

/** Segments to draw for a hovered point: to its parent, and from it to each of its children (at most `max`). */
export function familyLinks(families: MapFamilies, point: number, max = 64): [number, number][] {
  const out: [number, number][] = [];
  const parent = families.parentPoint[point];
  if (parent >= 0) out.push([parent, point]);
  for (let p = 0; p < families.parentPoint.length && out.length < max; p++) if (families.parentPoint[p] === point) out.push([point, p]);
  return out;
}
