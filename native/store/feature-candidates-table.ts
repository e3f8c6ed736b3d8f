import { StoreValueError, count, finite } from './checks.js';
import type { Database } from './database.js';
import type { FeatureCandidate } from '../api/types.js';

export type { FeatureCandidate };

interface CandidateRow {
  rank: number;
  tag: string;
  precision: number;
  recall: number;
  f1: number;
}

function unit(value: number, what: string): number {
  if (!(finite(value, what) >= 0 && value <= 1)) throw new StoreValueError(`${what} must lie in [0, 1], got ${value}`);
  return value;
}

export function fromRow(row: CandidateRow): FeatureCandidate {
  return { rank: row.rank, tag: row.tag, precision: row.precision, recall: row.recall, f1: row.f1 };
}

export function toRow(c: FeatureCandidate): CandidateRow {
  return {
    rank: count(c.rank, 'candidate rank'),
    tag: c.tag,
    precision: unit(c.precision, `candidate "${c.tag}" precision`),
    recall: unit(c.recall, `candidate "${c.tag}" recall`),
    f1: unit(c.f1, `candidate "${c.tag}" f1`),
  };
}

/** Reads and writes `feature_candidates`. */
export class FeatureCandidatesTable {
  constructor(private readonly db: Database) {}

  replaceForFeature(runId: number, feature: number, candidates: readonly FeatureCandidate[]): void {
    this.db.transaction(() => {
      this.db.run('DELETE FROM feature_candidates WHERE run_id = ? AND feature = ?', [runId, feature]);
      for (const c of candidates) {
        const r = toRow(c);
        this.db.run('INSERT INTO feature_candidates (run_id, feature, rank, tag, precision, recall, f1) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          runId,
          feature,
          r.rank,
          r.tag,
          r.precision,
          r.recall,
          r.f1,
        ]);
      }
    });
  }

  listForFeature(runId: number, feature: number): FeatureCandidate[] {
    return this.db
      .all<CandidateRow>('SELECT rank, tag, precision, recall, f1 FROM feature_candidates WHERE run_id = ? AND feature = ? ORDER BY rank', [
        runId,
        feature,
      ])
      .map(fromRow);
  }
}
