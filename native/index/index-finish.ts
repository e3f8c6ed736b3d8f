import type { FeatureCandidate } from '../store/feature-candidates-table.js';
import type { FrequentCoverageRow } from '../store/feature-coverage-table.js';
import type { ExampleInput } from '../store/feature-examples-table.js';
import type { FeatureToken } from '../store/feature-logits-table.js';
import type { FeatureNeighbour } from '../store/feature-neighbours-table.js';
import type { FeatureStats } from '../store/feature-stats-table.js';
import type { PerFeature } from '../store/index-batch.js';
import type { LogitEffects } from './decoder-analysis.js';
import type { IndexAccumulator } from './index-accumulator.js';
import { exampleActs } from './accumulators/window-examples.js';

export interface FinishSettings {
  saeId: string;
  bands: number;
  perBand: number;
  /** shown per list: boosted, suppressed, frequent tokens */
  tokensShown: number;
  candidatesShown: number;
  logits: LogitEffects;
  /** per feature in logits */
  logitsK: number;
  neighbours: { indices: Int32Array; cosines: Float32Array; k: number };
  /** nearest decoder directions in other SAEs on the same hook: cosine only (no co-activations were seen) */
  across: readonly AcrossNeighbours[];
  tokenText: (id: number) => string;
}

export interface AcrossNeighbours {
  saeId: string;
  /** [dSae, k] */ indices: Int32Array;
  /** [dSae, k] */ cosines: Float32Array;
  k: number;
}

export interface FinalRows {
  stats: FeatureStats[];
  examples: PerFeature<ExampleInput>[];
  tokens: PerFeature<FeatureToken>[];
  neighbours: PerFeature<FeatureNeighbour>[];
  candidates: PerFeature<FeatureCandidate>[];
  coverage: FrequentCoverageRow[];
}

/** Final rows of features [from, to): quantile bands drawn now that the maximum is known, token lists and their coverage, neighbours with correlations, candidate labels. */
export function finalRows(acc: IndexAccumulator, s: FinishSettings, from: number, to: number): FinalRows {
  const rows: FinalRows = { stats: [], examples: [], tokens: [], neighbours: [], candidates: [], coverage: [] };
  for (let f = from; f < to; f++) {
    const maxAct = acc.stats.max[f];
    const banded = maxAct > 0 ? acc.reservoir.bands(f, maxAct, s.bands, s.perBand) : { edges: new Float32Array(0), groups: [] };
    rows.stats.push(acc.stats.stats(f, acc.tokensSeen, banded.edges));
    const top = acc.top
      .list(f)
      .map((e, rank): ExampleInput => ({ kind: 'top', band: 0, rank, windowIndex: e.windowIndex, acts: exampleActs(e) }));
    const quantiles = banded.groups.flatMap((group, band) =>
      group.map((e, rank): ExampleInput => ({ kind: 'quantile', band, rank, windowIndex: e.windowIndex, acts: exampleActs(e) })),
    );
    rows.examples.push({ feature: f, items: [...top, ...quantiles] });
    const frequent = acc.frequent.top(f, s.tokensShown + 1);
    const next = frequent.length > s.tokensShown ? frequent.pop() : undefined;
    rows.tokens.push({ feature: f, items: tokenLists(s, f, frequent) });
    rows.coverage.push({ feature: f, uncounted: acc.frequent.uncounted[f], nextCount: next?.count ?? 0 });
    rows.neighbours.push({ feature: f, items: neighbourRows(acc, s, f) });
    if (s.candidatesShown > 0 && acc.settings.tagNames.length > 0) {
      rows.candidates.push({ feature: f, items: acc.tags.candidates(f, acc.stats.fires[f], acc.settings.tagNames, s.candidatesShown) });
    }
  }
  return rows;
}

/** Boosted and suppressed output tokens, and the exact most frequent tokens (`frequent`, most first). */
function tokenLists(s: FinishSettings, f: number, frequent: readonly { tokenId: number; count: number }[]): FeatureToken[] {
  const out: FeatureToken[] = [];
  const n = Math.min(s.tokensShown, s.logitsK);
  for (let r = 0; r < n; r++) {
    const up = s.logits.boostedIds[f * s.logitsK + r];
    out.push({ kind: 'boosted', rank: r, tokenId: up, token: s.tokenText(up), value: s.logits.boostedValues[f * s.logitsK + r] });
    const down = s.logits.suppressedIds[f * s.logitsK + r];
    out.push({ kind: 'suppressed', rank: r, tokenId: down, token: s.tokenText(down), value: s.logits.suppressedValues[f * s.logitsK + r] });
  }
  frequent.forEach(({ tokenId, count }, rank) => out.push({ kind: 'frequent', rank, tokenId, token: s.tokenText(tokenId), value: count }));
  return out;
}

function neighbourRows(acc: IndexAccumulator, s: FinishSettings, f: number): FeatureNeighbour[] {
  const { k, indices, cosines } = s.neighbours;
  const out: FeatureNeighbour[] = [];
  for (let r = 0; r < k; r++) {
    const other = indices[f * k + r];
    if (other < 0) continue;
    out.push({
      other: { saeId: s.saeId, index: other },
      rank: out.length,
      cosine: cosines[f * k + r],
      correlation: acc.pairs.correlation(f, r, acc.tokensSeen, acc.stats.sum, acc.stats.sumSq),
    });
  }
  for (const a of s.across) out.push(...acrossRows(a, f));
  return out;
}

/** Feature f's nearest decoder directions in another SAE, as neighbour rows ranked within that SAE. */
export function acrossRows(a: AcrossNeighbours, f: number): FeatureNeighbour[] {
  const out: FeatureNeighbour[] = [];
  for (let r = 0; r < a.k; r++) {
    const other = a.indices[f * a.k + r];
    if (other >= 0)
      out.push({ other: { saeId: a.saeId, index: other }, rank: out.length, cosine: a.cosines[f * a.k + r], correlation: null });
  }
  return out;
}
