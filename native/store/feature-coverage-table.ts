import { count } from './checks.js';
import type { Database } from './database.js';

/**
 * How complete a feature's exact "fires most on" list is (migration 8): `uncounted` firings had no
 * room in the count table (memory cap), `nextCount` is the exact count of the best counted token
 * not listed. No unlisted token fires more than max(uncounted, nextCount) times.
 */
export interface FrequentCoverageRow {
  feature: number;
  uncounted: number;
  nextCount: number;
}

interface CoverageRow {
  feature: number;
  uncounted: number;
  next_count: number;
}

export function fromRow(row: CoverageRow): FrequentCoverageRow {
  return { feature: row.feature, uncounted: row.uncounted, nextCount: row.next_count };
}

export function toRow(c: FrequentCoverageRow): CoverageRow {
  return {
    feature: count(c.feature, 'feature'),
    uncounted: count(c.uncounted, 'uncounted firings'),
    next_count: count(c.nextCount, 'next token count'),
  };
}

/** Reads and writes `feature_frequent_coverage`. */
export class FrequentCoverageTable {
  constructor(private readonly db: Database) {}

  upsertMany(runId: number, rows: readonly FrequentCoverageRow[]): void {
    for (const c of rows) {
      const r = toRow(c);
      this.db.run(
        'INSERT INTO feature_frequent_coverage (run_id, feature, uncounted, next_count) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, feature) DO UPDATE SET uncounted = excluded.uncounted, next_count = excluded.next_count',
        [runId, r.feature, r.uncounted, r.next_count],
      );
    }
  }

  /** undefined for a feature of a run made before exact counting */
  get(runId: number, feature: number): FrequentCoverageRow | undefined {
    const row = this.db.get<CoverageRow>(
      'SELECT feature, uncounted, next_count FROM feature_frequent_coverage WHERE run_id = ? AND feature = ?',
      [runId, feature],
    );
    return row ? fromRow(row) : undefined;
  }
}
