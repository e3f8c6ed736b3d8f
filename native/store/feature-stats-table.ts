import { bytesOf, float32FromBlob, uint32FromBlob } from './blob-codec.js';
import { StoreValueError, count, finite } from './checks.js';
import type { Database } from './database.js';

/** Counts of firing activations in log-spaced bins: bin i covers [10^e_i, 10^e_(i+1)), e evenly spaced. */
export interface LogHistogram {
  log10Min: number;
  log10Max: number;
  /** [nBins] */
  counts: Uint32Array;
}

/** What an index run knows about one feature's activations over the tokens it has seen. */
export interface FeatureStats {
  feature: number;
  tokensSeen: number;
  /** Tokens where the activation was > 0. */
  fires: number;
  /** Mean activation over the tokens where it fires (0 when it never fires). */
  meanAct: number;
  maxAct: number;
  histogram: LogHistogram;
  /** [nBands + 1] ascending activation edges of the quantile-example bands; empty without quantile examples. */
  bandEdges: Float32Array;
  /**
   * An imported run's density as its export states it (SAEDashboard's frac_nonzero), when the token
   * counts behind it are not known: tokensSeen and fires are then 0 and the run's import source
   * (import-source.ts) lists them as absent.
   */
  givenDensity?: number;
}

/** Stats as read back: with the density the store derives and indexes for filters and sorting. */
export interface StoredFeatureStats extends FeatureStats {
  /** fires / tokensSeen (0 when nothing was seen) */
  density: number;
}

interface StatsRow {
  feature: number;
  tokens_seen: number;
  fires: number;
  density: number;
  mean_act: number;
  max_act: number;
  hist_log10_min: number;
  hist_log10_max: number;
  hist_counts: Uint8Array;
  band_edges: Uint8Array;
}

export function fromRow(row: StatsRow): StoredFeatureStats {
  return {
    feature: row.feature,
    tokensSeen: row.tokens_seen,
    fires: row.fires,
    density: row.density,
    meanAct: row.mean_act,
    maxAct: row.max_act,
    histogram: {
      log10Min: row.hist_log10_min,
      log10Max: row.hist_log10_max,
      counts: uint32FromBlob(row.hist_counts, `feature ${row.feature} histogram`),
    },
    bandEdges: float32FromBlob(row.band_edges, `feature ${row.feature} band edges`),
  };
}

export function toRow(stats: FeatureStats): StatsRow {
  const what = `feature ${stats.feature}`;
  const tokensSeen = count(stats.tokensSeen, `${what} tokensSeen`);
  const fires = count(stats.fires, `${what} fires`);
  if (fires > tokensSeen) throw new StoreValueError(`${what}: fires (${fires}) exceeds tokensSeen (${tokensSeen})`);
  const h = stats.histogram;
  if (!(finite(h.log10Max, `${what} histogram log10Max`) >= finite(h.log10Min, `${what} histogram log10Min`))) {
    throw new StoreValueError(`${what}: histogram log10Max ${h.log10Max} is below log10Min ${h.log10Min}`);
  }
  for (let i = 0; i < stats.bandEdges.length; i++) finite(stats.bandEdges[i], `${what} bandEdges[${i}]`);
  return {
    feature: count(stats.feature, 'feature'),
    tokens_seen: tokensSeen,
    fires,
    density: givenDensity(stats) ?? (tokensSeen === 0 ? 0 : fires / tokensSeen),
    mean_act: finite(stats.meanAct, `${what} meanAct`),
    max_act: finite(stats.maxAct, `${what} maxAct`),
    hist_log10_min: h.log10Min,
    hist_log10_max: h.log10Max,
    hist_counts: bytesOf(h.counts),
    band_edges: bytesOf(stats.bandEdges),
  };
}

function givenDensity(stats: FeatureStats): number | undefined {
  const d = stats.givenDensity;
  if (d === undefined) return undefined;
  if (stats.tokensSeen !== 0)
    throw new StoreValueError(
      `feature ${stats.feature}: a given density goes with unknown token counts (tokensSeen 0), got tokensSeen ${stats.tokensSeen}`,
    );
  if (!(finite(d, `feature ${stats.feature} density`) >= 0 && d <= 1))
    throw new StoreValueError(`feature ${stats.feature}: density ${d} is outside [0, 1]`);
  return d;
}

/** The nBins + 1 bin edges of a log histogram, in activation units. */
export function histogramEdges(h: LogHistogram): number[] {
  const n = h.counts.length;
  return Array.from({ length: n + 1 }, (_, i) => 10 ** (h.log10Min + ((h.log10Max - h.log10Min) * i) / Math.max(1, n)));
}

const selectColumns = 'feature, tokens_seen, fires, density, mean_act, max_act, hist_log10_min, hist_log10_max, hist_counts, band_edges';

/** Reads and writes `feature_stats`. */
export class FeatureStatsTable {
  constructor(private readonly db: Database) {}

  /** Writes each feature's stats, replacing what the run had for it (stats accumulate: the newest is whole). */
  upsertMany(runId: number, stats: readonly FeatureStats[]): void {
    this.db.transaction(() => {
      for (const s of stats) {
        const r = toRow(s);
        this.db.run(`INSERT OR REPLACE INTO feature_stats (run_id, ${selectColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
          runId,
          r.feature,
          r.tokens_seen,
          r.fires,
          r.density,
          r.mean_act,
          r.max_act,
          r.hist_log10_min,
          r.hist_log10_max,
          r.hist_counts,
          r.band_edges,
        ]);
      }
    });
  }

  get(runId: number, feature: number): StoredFeatureStats | undefined {
    const row = this.db.get<StatsRow>(`SELECT ${selectColumns} FROM feature_stats WHERE run_id = ? AND feature = ?`, [runId, feature]);
    return row && fromRow(row);
  }

  /** Features [from, to) of a run, ascending: what a resumed pipeline reloads its accumulators from. */
  range(runId: number, from: number, to: number): StoredFeatureStats[] {
    return this.db
      .all<StatsRow>(`SELECT ${selectColumns} FROM feature_stats WHERE run_id = ? AND feature >= ? AND feature < ? ORDER BY feature`, [
        runId,
        from,
        to,
      ])
      .map(fromRow);
  }

  count(runId: number): number {
    return this.db.get<{ n: number }>('SELECT count(*) AS n FROM feature_stats WHERE run_id = ?', [runId])?.n ?? 0;
  }
}
