import type { DecodedLinks } from '../compare/links.js';
import { FAMILY_THRESHOLD } from '../map/families.js';
import type { FeatureValue } from './acts.js';

/** A feature that fires on the text in one SAE while its match in the other does not. */
export interface OneSided extends FeatureValue {
  /** its matched feature(s) in the other SAE (decoder cosine ≥ FAMILY_THRESHOLD), none when it has no match */
  matches: number[];
}

export interface Contrast {
  /** features of the narrower SAE that fire, none of whose matched wider features fires */
  narrowOnly: OneSided[];
  /** features of the wider SAE that fire, whose matched narrower feature does not (or that match none) */
  wideOnly: OneSided[];
}

/**
 * "Fires in A but not in B" for two SAEs run on the same text, read through their stored
 * comparison's links (each wider feature's best narrower match by decoder cosine): a feature counts
 * as matched only at cosine ≥ FAMILY_THRESHOLD, as the map's families do.
 */
export function contrastOnText(narrowFired: readonly FeatureValue[], wideFired: readonly FeatureValue[], links: DecodedLinks): Contrast {
  const children = new Map<number, number[]>();
  for (let w = 0; w < links.nWide; w++) {
    const p = links.parents[w];
    if (p < 0 || !(links.similarity[w] >= FAMILY_THRESHOLD)) continue;
    children.set(p, [...(children.get(p) ?? []), w]);
  }
  const narrowOn = new Set(narrowFired.map((f) => f.index));
  const wideOn = new Set(wideFired.map((f) => f.index));
  const narrowOnly = narrowFired
    .map((f) => ({ ...f, matches: children.get(f.index) ?? [] }))
    .filter((f) => !f.matches.some((w) => wideOn.has(w)));
  const wideOnly = wideFired
    .map((f) => {
      const p = f.index < links.nWide ? links.parents[f.index] : -1;
      const matched = p >= 0 && links.similarity[f.index] >= FAMILY_THRESHOLD;
      return { ...f, matches: matched ? [p] : [] };
    })
    .filter((f) => !f.matches.some((n) => narrowOn.has(n)));
  return { narrowOnly, wideOnly };
}
