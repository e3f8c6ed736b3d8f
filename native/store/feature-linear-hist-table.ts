import { bytesOf, float32FromBlob } from './blob-codec.js';
import { StoreValueError, count, finite } from './checks.js';
import type { Database } from './database.js';

/** A histogram as an export gives it (migration 16): linear bins, counts as the export rounded them. */
export interface LinearHistogram {
  feature: number;
  /** [nBins + 1] ascending activation edges */
  edges: Float32Array;
  /** [nBins] */
  counts: Float32Array;
}

interface HistRow {
  feature: number;
  edges: Uint8Array;
  counts: Uint8Array;
}

export function fromRow(row: HistRow): LinearHistogram {
  return {
    feature: row.feature,
    edges: float32FromBlob(row.edges, `feature ${row.feature} histogram edges`),
    counts: float32FromBlob(row.counts, `feature ${row.feature} histogram counts`),
  };
}

export function toRow(h: LinearHistogram): HistRow {
  const what = `feature ${h.feature} histogram`;
  if (h.edges.length !== h.counts.length + 1 || h.counts.length === 0)
    throw new StoreValueError(`${what}: ${h.counts.length} bins need ${h.counts.length + 1} edges, got ${h.edges.length}`);
  for (let i = 0; i < h.edges.length; i++) {
    finite(h.edges[i], `${what} edge ${i}`);
    if (i > 0 && !(h.edges[i] > h.edges[i - 1]))
      throw new StoreValueError(`${what}: edges must ascend (edge ${i} is ${h.edges[i]} after ${h.edges[i - 1]})`);
  }
  for (let i = 0; i < h.counts.length; i++)
    if (!(finite(h.counts[i], `${what} count ${i}`) >= 0)) throw new StoreValueError(`${what}: count ${i} is negative`);
  return { feature: count(h.feature, 'feature'), edges: bytesOf(h.edges), counts: bytesOf(h.counts) };
}

/** Reads and writes `feature_linear_hist`. */
export class FeatureLinearHistTable {
  constructor(private readonly db: Database) {}

  upsertMany(runId: number, rows: readonly LinearHistogram[]): void {
    for (const h of rows) {
      const r = toRow(h);
      this.db.run('INSERT OR REPLACE INTO feature_linear_hist (run_id, feature, edges, counts) VALUES (?, ?, ?, ?)', [
        runId,
        r.feature,
        r.edges,
        r.counts,
      ]);
    }
  }

  get(runId: number, feature: number): LinearHistogram | undefined {
    const row = this.db.get<HistRow>('SELECT feature, edges, counts FROM feature_linear_hist WHERE run_id = ? AND feature = ?', [
      runId,
      feature,
    ]);
    return row && fromRow(row);
  }
}
