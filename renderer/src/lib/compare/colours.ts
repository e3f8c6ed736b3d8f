/**
 * SAE i of a comparison (narrowest first) is drawn in the map's SAE colour i (styles.css --map-sae-N,
 * themed), with these as fallbacks where a theme does not define them.
 */
export const saeFallbackColours = ['#3f7fbf', '#ee8a2c', '#4f9e48'] as const;

/** A CSS colour for SAE i: the theme's variable, else the fallback. */
export function saeColour(i: number): string {
  const at = Math.max(0, Math.min(saeFallbackColours.length - 1, i));
  return `var(--map-sae-${at + 1}, ${saeFallbackColours[at]})`;
}
