import { count, finite } from './checks.js';
import type { Database } from './database.js';
import type { FeatureNeighbour } from '../api/types.js';

export type { FeatureNeighbour };

interface NeighbourRow {
  other_sae_id: string;
  other_feature: number;
  rank: number;
  cosine: number;
  correlation: number | null;
}

export function fromRow(row: NeighbourRow): FeatureNeighbour {
  return { other: { saeId: row.other_sae_id, index: row.other_feature }, rank: row.rank, cosine: row.cosine, correlation: row.correlation };
}

export function toRow(n: FeatureNeighbour): NeighbourRow {
  return {
    other_sae_id: n.other.saeId,
    other_feature: count(n.other.index, 'neighbour index'),
    rank: count(n.rank, 'neighbour rank'),
    cosine: finite(n.cosine, 'neighbour cosine'),
    correlation: n.correlation === null ? null : finite(n.correlation, 'neighbour correlation'),
  };
}

/** Reads and writes `feature_neighbours`. */
export class FeatureNeighboursTable {
  constructor(private readonly db: Database) {}

  /** Replaces one feature's neighbours in the SAEs that `neighbours` name (others are kept). */
  replaceForFeature(runId: number, feature: number, neighbours: readonly FeatureNeighbour[]): void {
    this.db.transaction(() => {
      for (const saeId of new Set(neighbours.map((n) => n.other.saeId))) {
        this.db.run('DELETE FROM feature_neighbours WHERE run_id = ? AND feature = ? AND other_sae_id = ?', [runId, feature, saeId]);
      }
      for (const n of neighbours) {
        const r = toRow(n);
        this.db.run(
          'INSERT INTO feature_neighbours (run_id, feature, other_sae_id, rank, other_feature, cosine, correlation) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [runId, feature, r.other_sae_id, r.rank, r.other_feature, r.cosine, r.correlation],
        );
      }
    });
  }

  listForFeature(runId: number, feature: number): FeatureNeighbour[] {
    return this.db
      .all<NeighbourRow>(
        'SELECT other_sae_id, other_feature, rank, cosine, correlation FROM feature_neighbours WHERE run_id = ? AND feature = ? ORDER BY other_sae_id, rank',
        [runId, feature],
      )
      .map(fromRow);
  }
}
