/**
 * A seeded order for the label queue's "random sample": the same seed gives the same features in
 * the same order on any machine, so two people can split one sample or come back to it tomorrow.
 */

/** mulberry32: a tiny 32-bit generator, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
