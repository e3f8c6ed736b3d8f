import { densityScale, labelStates, type ColourMode, type Palette, type PointAttributes } from './colour.js';

export interface LegendItem {
  label: string;
  colour: string;
  count: number;
}

/** What a legend draws: a ramp with ticks (density) or swatches with counts (categories). */
export type Legend =
  | { kind: 'ramp'; title: string; gradient: string; ticks: { label: string; at: number }[]; extra: LegendItem }
  | { kind: 'swatches'; title: string; items: LegendItem[] };

/** A firing density as people read it: 0.0123 → "1.2%", 3e-5 → "0.003%". */
export function formatDensity(d: number): string {
  if (!Number.isFinite(d)) return '—';
  if (d === 0) return '0%';
  const pct = d * 100;
  return `${pct >= 10 ? Math.round(pct) : Number(pct.toPrecision(2))}%`;
}

const labelNames: Record<(typeof labelStates)[number], string> = {
  unlabelled: 'Unlabelled',
  labelled: 'Labelled',
  uninterpretable: 'Uninterpretable',
};

export function legendFor(mode: ColourMode, attrs: PointAttributes, palette: Palette, saeNames: readonly string[]): Legend {
  if (mode === 'label') {
    const counts = [0, 0, 0];
    for (const s of attrs.labelState) counts[s]++;
    const colours = [palette.unlabelled, palette.labelled, palette.uninterpretable];
    return { kind: 'swatches', title: 'Label state', items: labelStates.map((s, i) => ({ label: labelNames[s], colour: colours[i], count: counts[i] })) };
  }
  if (mode === 'sae') {
    const counts = saeNames.map(() => 0);
    for (const s of attrs.sae) counts[s]++;
    return { kind: 'swatches', title: 'SAE', items: saeNames.map((name, i) => ({ label: name, colour: palette.saes[i % palette.saes.length], count: counts[i] })) };
  }
  const scale = densityScale(attrs.density, palette.dark);
  const [lo, hi] = scale.domain();
  const stops = Array.from({ length: 11 }, (_, i) => scale.interpolator()(i / 10));
  const span = Math.log(hi) - Math.log(lo);
  const ticks: { label: string; at: number }[] = [];
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) {
    const v = 10 ** e;
    ticks.push({ label: formatDensity(v), at: span > 0 ? (Math.log(v) - Math.log(lo)) / span : 0.5 });
  }
  let unknown = 0;
  for (const d of attrs.density) if (!(d > 0)) unknown++;
  return {
    kind: 'ramp',
    title: 'Firing density (log)',
    gradient: `linear-gradient(to right, ${stops.join(', ')})`,
    ticks,
    extra: { label: 'Never fired / not indexed', colour: palette.unknown, count: unknown },
  };
}
