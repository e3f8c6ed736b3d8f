import { scaleLinear } from 'd3-scale';
import type { ConceptDropReason, ConceptEdge, ConceptEdgeVerdict } from '../../../../native/api/types.js';

export type VerdictTone = 'good' | 'plain' | 'bad';

/** The verdict in plain words, as the page states it. */
export function verdictLabel(v: ConceptEdgeVerdict | null | undefined): string {
  if (!v) return 'no verdict';
  switch (v.kind) {
    case 'beyond-chance':
      return 'orthogonal beyond chance';
    case 'not-distinguishable':
      return 'not distinguishable from shuffled';
    case 'less-orthogonal':
      return 'less orthogonal than shuffled';
    case 'too-few-shuffles':
      return `too few shuffles (needs ${v.needed})`;
  }
}

export function verdictTone(v: ConceptEdgeVerdict | null | undefined): VerdictTone {
  if (v?.kind === 'beyond-chance') return 'good';
  if (v?.kind === 'less-orthogonal') return 'bad';
  return 'plain';
}

/** A permutation p-value: at most two significant digits ("0.024", "0.24", "1"). */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return p >= 0.995 ? '1' : p >= 0.1 ? p.toFixed(2) : p.toPrecision(2);
}

/** "1 of 6 edges orthogonal beyond chance" (and how many went the other way). */
export function verdictSummary(edges: readonly ConceptEdge[]): string {
  const beyond = edges.filter((e) => e.verdict?.kind === 'beyond-chance').length;
  const less = edges.filter((e) => e.verdict?.kind === 'less-orthogonal').length;
  const head = `${beyond} of ${edges.length} edge${edges.length === 1 ? '' : 's'} orthogonal beyond chance`;
  return less > 0 ? `${head}, ${less} less orthogonal than shuffled` : head;
}

/** One row's strip: the shuffles' 5–95 % band, their mean, 0 and the observed cosine, in pixels. */
export interface EdgeStrip {
  band: [number, number] | null;
  mean: number | null;
  observed: number | null;
  zero: number;
}

/**
 * One x scale for every row (symmetric around 0, so rows compare), from the largest |value| shown;
 * a row without a baseline draws only its cosine.
 */
export function edgeStrips(edges: readonly ConceptEdge[], width: number, pad = 4): EdgeStrip[] {
  let extent = 0.05;
  for (const e of edges) {
    for (const v of [e.cosine, e.baseline?.p5, e.baseline?.p95])
      if (v !== null && v !== undefined && Number.isFinite(v)) extent = Math.max(extent, Math.abs(v));
  }
  const x = scaleLinear()
    .domain([-extent, extent])
    .range([pad, width - pad]);
  return edges.map((e) => {
    const b = e.baseline;
    return {
      band: b && b.p5 !== undefined && b.p95 !== undefined ? [x(b.p5), x(b.p95)] : null,
      mean: b ? x(b.mean) : null,
      observed: e.cosine === null ? null : x(e.cosine),
      zero: x(0),
    };
  });
}

const reasonLabels: Record<ConceptDropReason, string> = {
  phrase: 'several words',
  pieces: 'not one token',
  'not-letters': 'not letters only',
  short: 'too short',
  'word-piece': 'token is a word piece',
  rare: 'rare in Brown',
  'not-noun': 'mostly not a noun',
  'other-sense': 'mostly another sense',
};

/** A drop reason as a short heading. */
export function dropReasonLabel(reason: ConceptDropReason): string {
  return reasonLabels[reason];
}
