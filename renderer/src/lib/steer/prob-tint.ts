/**
 * A generated token's tint for the probability the model gave it: the theme's "boost" blue mixed
 * with transparency, linear in p above a floor (a token at p = 0.02 must still read as tinted), so a
 * near-certain token is solid and a surprising sample is pale.
 */
const FLOOR = 0.1;

export function probIntensity(p: number): number {
  if (!(p > 0)) return 0;
  return Math.min(1, FLOOR + (1 - FLOOR) * p);
}

export function probBackground(p: number): string {
  const i = probIntensity(p);
  return i > 0 ? `color-mix(in srgb, var(--boost) ${Math.round(i * 100)}%, transparent)` : '';
}

/** Whether text on this tint needs the light-on-dark colour. */
export function isStrongProb(p: number): boolean {
  return probIntensity(p) >= 0.62;
}
