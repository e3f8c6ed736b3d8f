import { extent } from 'd3-array';
import { interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';
import { scaleSequentialLog } from 'd3-scale';

/**
 * What the map's colour encodes. 'sae' only means something on a joint map; 'parent' on a joint
 * map whose SAEs have been compared (each family — a narrow feature and the wider features matched
 * to it — shares one colour).
 */
export const colourModes = ['density', 'label', 'token', 'candidate', 'sae', 'parent'] as const;
export type ColourMode = (typeof colourModes)[number];

/** Categories a categorical mode colours; the rest are "other". */
export const CATEGORY_COLOURS = 10;

export const labelStates = ['unlabelled', 'labelled', 'uninterpretable'] as const;
/** 0 unlabelled, 1 labelled, 2 tagged "uninterpretable" (an index into labelStates) */
export type LabelStateCode = 0 | 1 | 2;

/** Per point, what the colour modes read. */
export interface PointAttributes {
  /** [n] firing density; NaN where the index has no statistics */
  density: Float32Array;
  /** [n] LabelStateCode */
  labelState: Uint8Array;
  /** [n] the point's SAE (a joint map's layer) */
  sae: Uint8Array;
  /** [n] the token it fires on most often ('' without an index) */
  topToken: string[];
  /** [n] its best corpus-tag candidate label ('' for none) */
  candidate: string[];
  /** [n] its family: the narrow feature it is (or is matched to), −1 for none; null until a comparison is loaded */
  family: Int32Array | null;
}

/**
 * The categories of a categorical attribute to colour: the CATEGORY_COLOURS most common non-empty
 * values, most common first (ties by value), with their counts.
 */
export function topCategories(values: readonly string[]): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, CATEGORY_COLOURS);
}

/** The categorical colours (Tableau 10: distinct in both themes). */
export function categoryColour(i: number): string {
  return schemeTableau10[i % schemeTableau10.length];
}

/** A family's colour: its narrow feature's index spread around the hue circle (golden angle), so neighbouring indices differ. */
export function familyColour(family: number, dark: boolean): string {
  const hue = (family * 137.508) % 360;
  return `hsl(${hue.toFixed(1)}, ${dark ? 70 : 62}%, ${dark ? 62 : 48}%)`;
}

/** Colours read from the theme's CSS variables, so the map follows light and dark. */
export interface Palette {
  dark: boolean;
  /** no statistics, or a feature that never fired */
  unknown: string;
  unlabelled: string;
  labelled: string;
  uninterpretable: string;
  saes: readonly string[];
}

const baseAlpha = 0.82;
const dimAlpha = 0.14;

/** A CSS colour as one ImageData pixel word: bytes R, G, B, A in memory, read little-endian (raster.ts). */
export function packColour(css: string, alpha = 1): number {
  const c = rgb(css);
  const [r, g, b] = [c.r, c.g, c.b].map((v) => Math.max(0, Math.min(255, Math.round(v))));
  const a = Math.max(0, Math.min(255, Math.round(alpha * c.opacity * 255)));
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** The perceptual ramp, clipped at the end that would vanish into the theme's background. */
export function densityInterpolator(dark: boolean): (t: number) => string {
  return dark ? (t) => interpolateViridis(0.14 + 0.86 * t) : (t) => interpolateViridis(0.9 * t);
}

/** Log scale over the densities that are positive and finite (a dead feature has none to place). */
export function densityScale(density: Float32Array, dark: boolean) {
  const positive = Array.from(density).filter((d) => Number.isFinite(d) && d > 0);
  const [lo, hi] = extent(positive) as [number | undefined, number | undefined];
  const domain: [number, number] = lo === undefined || hi === undefined ? [1e-4, 1] : lo === hi ? [lo / 2, hi * 2] : [lo, hi];
  return scaleSequentialLog(densityInterpolator(dark)).domain(domain).clamp(true);
}

/**
 * One pixel word per point for the mode. With `emphasis` ([n], 1 = emphasised), the other points
 * fade so search hits and a lasso selection stand out where they lie.
 */
export function pointColours(mode: ColourMode, attrs: PointAttributes, palette: Palette, emphasis: Uint8Array | null = null): Uint32Array {
  const n = attrs.labelState.length;
  const out = new Uint32Array(n);
  const words = (alpha: number) => ({
    unknown: packColour(palette.unknown, alpha * 0.8),
    labels: [palette.unlabelled, palette.labelled, palette.uninterpretable].map((c) => packColour(c, alpha)),
    saes: palette.saes.map((c) => packColour(c, alpha)),
  });
  const [strong, faint] = [words(baseAlpha), words(dimAlpha)];
  const scale = mode === 'density' ? densityScale(attrs.density, palette.dark) : null;
  const ramp = new Map<number, [number, number]>();
  const categorical =
    mode === 'token' || mode === 'candidate' ? categoryWords(mode === 'token' ? attrs.topToken : attrs.candidate, palette) : null;
  const families = new Map<number, [number, number]>();
  for (let i = 0; i < n; i++) {
    const dim = emphasis !== null && emphasis[i] === 0;
    const w = dim ? faint : strong;
    if (mode === 'label') out[i] = w.labels[attrs.labelState[i]] ?? w.unknown;
    else if (mode === 'sae') out[i] = w.saes[attrs.sae[i] % w.saes.length] ?? w.unknown;
    else if (categorical) {
      const value = (mode === 'token' ? attrs.topToken : attrs.candidate)[i];
      const pair = value === '' ? null : (categorical.get(value) ?? categorical.get(OTHER) ?? null);
      out[i] = pair ? pair[dim ? 1 : 0] : w.unknown;
    } else if (mode === 'parent') {
      const f = attrs.family?.[i] ?? -1;
      if (f < 0) {
        out[i] = w.unknown;
        continue;
      }
      let pair = families.get(f);
      if (!pair)
        families.set(
          f,
          (pair = [packColour(familyColour(f, palette.dark), baseAlpha), packColour(familyColour(f, palette.dark), dimAlpha)]),
        );
      out[i] = pair[dim ? 1 : 0];
    } else {
      const d = attrs.density[i];
      if (!(d > 0) || scale === null) {
        out[i] = w.unknown;
        continue;
      }
      // 256 steps of the ramp are indistinguishable from a continuous one and save a parse per point.
      const step = Math.round(rampPosition(scale, d) * 255);
      let pair = ramp.get(step);
      if (!pair) {
        const css = scale.interpolator()(step / 255);
        pair = [packColour(css, baseAlpha), packColour(css, dimAlpha)];
        ramp.set(step, pair);
      }
      out[i] = pair[dim ? 1 : 0];
    }
  }
  return out;
}

/** The key categoryWords keeps values outside the top categories under. */
const OTHER = '\u0000other';

/** Pixel words (strong, faint) per top category, and one for every other value. */
function categoryWords(values: readonly string[], palette: Palette): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  topCategories(values).forEach(({ value }, i) =>
    out.set(value, [packColour(categoryColour(i), baseAlpha), packColour(categoryColour(i), dimAlpha)]),
  );
  out.set(OTHER, [packColour(palette.unlabelled, baseAlpha * 0.7), packColour(palette.unlabelled, dimAlpha)]);
  return out;
}

/** Where d sits along the log scale's ramp, 0..1. */
function rampPosition(scale: ReturnType<typeof densityScale>, d: number): number {
  const [lo, hi] = scale.domain();
  const t = (Math.log(d) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
  return Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
}
