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

/**
 * Each SAE's colour index wherever SAEs are drawn together (Map, Compare): its rank by width,
 * narrowest first (ties by id), so the 512-latent SAE has one colour in every view.
 */
export function saeColourRanks(saeIds: readonly string[], saes: readonly { id: string; dSae: number }[]): number[] {
  const width = new Map(saes.map((s) => [s.id, s.dSae]));
  const order = [...saeIds].sort((a, b) => (width.get(a) ?? 0) - (width.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  return saeIds.map((id) => order.indexOf(id));
}
