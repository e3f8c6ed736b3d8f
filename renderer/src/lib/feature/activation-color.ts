/**
 * How strongly a token is tinted for a feature's activation on it: 0 for nothing, else a floor plus
 * the linear share of the reference maximum (the feature's max over the corpus, as sae_vis does), so
 * a weak but real activation is still visible and the page's strongest token is fully coloured.
 */

/** The tint any positive activation gets at least (a 0.3% activation must not look like zero). */
export const MIN_TINT = 0.12;
/** From this intensity on, text switches to the theme's "on strong tint" colour for contrast. */
export const STRONG_TINT = 0.62;

/** 0 for value ≤ 0 (or no reference), else MIN_TINT + (1 − MIN_TINT)·value/max, clamped to 1. */
export function activationIntensity(value: number, max: number): number {
  if (!(value > 0) || !(max > 0)) return 0;
  return Math.min(1, MIN_TINT + (1 - MIN_TINT) * (value / max));
}

/**
 * A CSS background for an intensity: the theme's activation colour (`--act`) mixed with transparency,
 * so the same colour works over light and dark backgrounds. Empty for intensity 0 (no style at all).
 */
export function activationBackground(intensity: number): string {
  if (!(intensity > 0)) return '';
  const percent = Math.round(Math.min(1, intensity) * 100);
  return `color-mix(in srgb, var(--act) ${percent}%, transparent)`;
}

/** Whether text on this tint should use the strong-tint text colour. */
export function isStrongTint(intensity: number): boolean {
  return intensity >= STRONG_TINT;
}

/** Tint steps of the token strips: fine enough to look continuous, few enough to be CSS classes. */
export const TINT_LEVELS = 20;

/**
 * The tint class step for an intensity: 0 (none) or 1..TINT_LEVELS. Strips use classes rather than
 * an inline colour per token so that thousands of spans share computed styles (a page of examples
 * restyles several times faster than with one inline style each).
 */
export function tintLevel(intensity: number): number {
  if (!(intensity > 0)) return 0;
  return Math.max(1, Math.min(TINT_LEVELS, Math.round(intensity * TINT_LEVELS)));
}
