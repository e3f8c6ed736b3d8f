import { categoryColour, densityScale, labelStates, topCategories, type ColourMode, type Palette, type PointAttributes } from './colour.js';
import { quoteToken } from '../feature/token-display.js';

export interface LegendItem {
  label: string;
  colour: string;
  count: number;
}

/** What a legend draws: a ramp with ticks (density) or swatches with counts (categories). */
export type Legend =
  | { kind: 'ramp'; title: string; gradient: string; ticks: { label: string; at: number }[]; extra: LegendItem }
  | { kind: 'swatches'; title: string; items: LegendItem[]; note?: string };

/** Ticks at least this far apart along the ramp (a fraction of its width): a label is about a fifth of it. */
const MIN_TICK_GAP = 0.24;

/** Keeps the first and last tick and those in between that leave MIN_TICK_GAP to their neighbours. */
export function thinTicks(ticks: { label: string; at: number }[]): { label: string; at: number }[] {
  if (ticks.length <= 2) return ticks;
  const last = ticks[ticks.length - 1];
  const kept = [ticks[0]];
  for (const t of ticks.slice(1, -1)) if (t.at - kept[kept.length - 1].at >= MIN_TICK_GAP && last.at - t.at >= MIN_TICK_GAP) kept.push(t);
  if (last.at - kept[kept.length - 1].at >= MIN_TICK_GAP) kept.push(last);
  return kept;
}

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
    return {
      kind: 'swatches',
      title: 'Label state',
      items: labelStates.map((s, i) => ({ label: labelNames[s], colour: colours[i], count: counts[i] })),
    };
  }
  if (mode === 'token' || mode === 'candidate') {
    const values = mode === 'token' ? attrs.topToken : attrs.candidate;
    const top = topCategories(values);
    const shown = top.reduce((sum, c) => sum + c.count, 0);
    const withValue = values.filter((v) => v !== '').length;
    const items = top.map((c, i) => ({
      label: mode === 'token' ? quoteToken(c.value) : c.value,
      colour: categoryColour(i),
      count: c.count,
    }));
    if (withValue > shown) items.push({ label: 'other', colour: palette.unlabelled, count: withValue - shown });
    if (values.length > withValue)
      items.push({ label: mode === 'token' ? 'not indexed' : 'no candidate', colour: palette.unknown, count: values.length - withValue });
    return { kind: 'swatches', title: mode === 'token' ? 'Fires most on' : 'Best candidate label', items };
  }
  if (mode === 'parent') {
    let families = 0;
    let none = 0;
    const seen = new Set<number>();
    for (const f of attrs.family ?? []) {
      if (f < 0) none++;
      else if (!seen.has(f)) {
        seen.add(f);
        families++;
      }
    }
    return {
      kind: 'swatches',
      title: 'Family (narrow parent)',
      items: [
        { label: `${families.toLocaleString('en-US')} families`, colour: categoryColour(0), count: (attrs.family?.length ?? 0) - none },
        { label: 'no parent above the threshold', colour: palette.unknown, count: none },
      ],
      note: 'A narrow feature and the wider features matched to it share a colour.',
    };
  }
  if (mode === 'sae') {
    const counts = saeNames.map(() => 0);
    for (const s of attrs.sae) counts[s]++;
    return {
      kind: 'swatches',
      title: 'SAE',
      items: saeNames.map((name, i) => ({ label: name, colour: palette.saes[i % palette.saes.length], count: counts[i] })),
    };
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
    ticks: thinTicks(ticks),
    extra: { label: 'Never fired / not indexed', colour: palette.unknown, count: unknown },
  };
}
