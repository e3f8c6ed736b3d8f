import { jsonList } from './checks.js';
import type { Database } from './database.js';
import { IndexRunsTable } from './index-runs-table.js';

/** Each feature's most frequent firing tokens in its SAE's current index run, n per feature (none without a run). */
export function topTokensOf(db: Database, saeId: string, features: readonly number[], n = 4): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const run = new IndexRunsTable(db).current(saeId);
  if (!run || features.length === 0) return out;
  const rows = db.all<{ feature: number; token: string }>(
    "SELECT feature, token FROM feature_logits WHERE run_id = ? AND kind = 'frequent' AND rank < ? AND feature IN (SELECT value FROM json_each(?)) ORDER BY feature, rank",
    [run.id, n, jsonList([...new Set(features)])],
  );
  for (const r of rows) out.set(r.feature, [...(out.get(r.feature) ?? []), r.token]);
  return out;
}
