import { ApiFailure } from '../api/errors.js';
import { fillAcrossCorrelations } from './across-correlation.js';
import type { FeatureKey, FeaturePageData, FrequentCoverage, PageExample, PageNeighbour, PageToken } from '../api/types.js';
import type { Database } from './database.js';
import type { FeatureIndex } from './feature-index.js';
import type { FeatureExample } from './feature-examples-table.js';
import { assertFeatureIndex } from '../api/feature-key.js';
import type { TokenListKind } from './feature-logits-table.js';
import { fromRow as neighbourFromRow } from './feature-neighbours-table.js';
import { histogramEdges } from './feature-stats-table.js';
import { runSource } from './import-source.js';
import { neuronpediaFeatureUrl } from '../api/neuronpedia.js';
import { saeNeuronpediaSource } from './neuronpedia-source.js';
import { windowTokens } from './windows-table.js';

export type { FeaturePageData, PageExample, PageNeighbour, PageToken };

/** The feature index's tables a page reads. */
type PageTables = Pick<
  FeatureIndex,
  'runs' | 'windows' | 'stats' | 'linearHist' | 'examples' | 'tokens' | 'coverage' | 'candidates' | 'labels'
>;

/** Assembles a feature page from the index's tables in one read transaction (one consistent snapshot). */
export function featurePage(db: Database, tables: PageTables, key: FeatureKey): FeaturePageData {
  assertFeatureIndex(key.index);
  return db.readTransaction(() => {
    const sae = db.get<{ d_sae: number }>('SELECT d_sae FROM saes WHERE id = ?', [key.saeId]);
    if (!sae) throw new ApiFailure('not_found', `no SAE "${key.saeId}" in this workspace`, 'saeId');
    if (key.index >= sae.d_sae)
      throw new ApiFailure('not_found', `SAE "${key.saeId}" has ${sae.d_sae} features; there is no feature ${key.index}`, 'index');
    const label = tables.labels.get(key);
    const run = tables.runs.current(key.saeId);
    const page: FeaturePageData = {
      key,
      run: null,
      stats: null,
      label,
      candidates: [],
      windows: [],
      top: [],
      quantiles: [],
      boosted: [],
      suppressed: [],
      frequent: [],
      neighbours: { within: [], across: [] },
    };
    const neuronpedia = saeNeuronpediaSource(db, key.saeId);
    page.neuronpedia = neuronpedia && { ...neuronpedia, url: neuronpediaFeatureUrl(neuronpedia, key.index) };
    if (!run) return page;
    page.run = {
      id: run.id,
      corpusSpec: run.corpusSpec,
      contextLength: run.contextLength,
      tokensDone: run.tokensDone,
      state: run.state,
      finishedAt: run.finishedAt,
    };
    const stats = tables.stats.get(run.id, key.index);
    const imported = runSource(db, run.id);
    page.imported = imported;
    if (stats) {
      const { tokensSeen, fires, density, meanAct, maxAct, histogram } = stats;
      const linear = imported ? tables.linearHist.get(run.id, key.index) : undefined;
      const hist = linear
        ? { edges: Array.from(linear.edges), counts: Array.from(linear.counts), scale: 'linear' as const }
        : { edges: histogramEdges(histogram), counts: Array.from(histogram.counts) };
      page.stats = { tokensSeen, fires, density, meanAct, maxAct, histogram: hist, ...(imported ? { absent: imported.absent } : {}) };
    }
    page.candidates = tables.candidates.listForFeature(run.id, key.index);
    addExamples(tables, page, run.id, stats?.bandEdges ?? new Float32Array(0));
    const tokens: Record<TokenListKind, PageToken[]> = { boosted: page.boosted, suppressed: page.suppressed, frequent: page.frequent };
    for (const t of tables.tokens.listForFeature(run.id, key.index))
      tokens[t.kind].push({ tokenId: t.tokenId, token: t.token, value: t.value });
    page.frequentCoverage = frequentCoverage(tables, run.id, key.index, page.frequent);
    for (const n of neighbours(db, run.id, key.index))
      (n.other.saeId === key.saeId ? page.neighbours.within : page.neighbours.across).push(n);
    page.acrossCorrelation = fillAcrossCorrelations(db, key, page.neighbours.across);
    return page;
  });
}

/** How complete the frequent list is; null for a run that predates exact counts (or has not finished). */
function frequentCoverage(tables: PageTables, runId: number, feature: number, listed: readonly PageToken[]): FrequentCoverage | null {
  const row = tables.coverage.get(runId, feature);
  if (!row) return null;
  const unlistedAtMost = Math.max(row.uncounted, row.nextCount);
  const last = listed.at(-1)?.value ?? 0;
  return {
    uncounted: row.uncounted,
    nextCount: row.nextCount,
    complete: unlistedAtMost === 0 || (listed.length > 0 && unlistedAtMost <= last),
  };
}

function addExamples(tables: PageTables, page: FeaturePageData, runId: number, bandEdges: Float32Array): void {
  const examples = tables.examples.listForFeature(runId, page.key.index);
  const windows = tables.windows.getMany(runId, [...new Set(examples.map((e) => e.windowIndex))]);
  const position = new Map(windows.map((w, i) => [w.index, i]));
  page.windows = windows.map((w) => ({
    index: w.index,
    docId: w.docId,
    tokens: windowTokens(w),
    ...(w.counted ? { counted: Array.from(w.counted) } : {}),
  }));
  const toPage = (e: FeatureExample): PageExample => ({
    window: position.get(e.windowIndex) ?? -1,
    maxAct: e.maxAct,
    maxPos: e.maxPos,
    acts: Array.from(e.acts),
  });
  const bands = new Map<number, PageExample[]>();
  for (const e of examples) {
    if (e.kind === 'top') page.top.push(toPage(e));
    else bands.set(e.band, [...(bands.get(e.band) ?? []), toPage(e)]);
  }
  page.quantiles = [...bands.entries()]
    .sort(([a], [b]) => a - b)
    .map(([band, list]) => ({
      band,
      lo: band + 1 < bandEdges.length ? bandEdges[band] : null,
      hi: band + 1 < bandEdges.length ? bandEdges[band + 1] : null,
      examples: list,
    }));
}

/** Neighbours with their labels, in one query. */
function neighbours(db: Database, runId: number, feature: number): PageNeighbour[] {
  const rows = db.all<{
    other_sae_id: string;
    other_feature: number;
    rank: number;
    cosine: number;
    correlation: number | null;
    label: string | null;
  }>(
    `SELECT n.other_sae_id, n.other_feature, n.rank, n.cosine, n.correlation, l.label
     FROM feature_neighbours n LEFT JOIN feature_labels l ON l.sae_id = n.other_sae_id AND l.feature = n.other_feature
     WHERE n.run_id = ? AND n.feature = ? ORDER BY n.other_sae_id, n.rank`,
    [runId, feature],
  );
  return rows.map((r) => ({ ...neighbourFromRow(r), label: r.label ?? '' }));
}
