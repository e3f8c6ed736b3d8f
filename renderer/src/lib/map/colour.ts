import { extent, interpolateViridis, rgb, scaleSequentialLog } from 'd3';

/** What the map's colour encodes. 'sae' only means something on a joint map. */
export const colourModes = ['density', 'label', 'sae'] as const;
export type ColourMode = (typeof colourModes)[number];

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
  for (let i = 0; i < n; i++) {
    const dim = emphasis !== null && emphasis[i] === 0;
    const w = dim ? faint : strong;
    if (mode === 'label') out[i] = w.labels[attrs.labelState[i]] ?? w.unknown;
    else if (mode === 'sae') out[i] = w.saes[attrs.sae[i] % w.saes.length] ?? w.unknown;
    else {
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

/** Where d sits along the log scale's ramp, 0..1. */
function rampPosition(scale: ReturnType<typeof densityScale>, d: number): number {
  const [lo, hi] = scale.domain();
  const t = (Math.log(d) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
  return Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
}
