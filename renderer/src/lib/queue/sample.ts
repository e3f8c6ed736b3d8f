/**
 * A seeded order for the label queue's "random sample": the same seed gives the same features in
 * the same order on any machine, so two people can split one sample or come back to it tomorrow.
 */

import { mulberry32 } from '../../../../native/api/random.js';

export { mulberry32 };

/** The first `size` of a Fisher–Yates shuffle of `items` (a copy; items is left as it is). */
export function seededSample<T>(items: readonly T[], seed: number, size = items.length): T[] {
  const out = [...items];
  const random = mulberry32(seed);
  const take = Math.max(0, Math.min(size, out.length));
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (out.length - i));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, take);
}
