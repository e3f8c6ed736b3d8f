import type { AcrossCorrelation, FeatureKey, PageNeighbour } from '../api/types.js';
import type { Database } from './database.js';

/**
 * Cross-SAE neighbours' activation correlations, from the newest stored comparison that has the two
 * SAEs next to each other. A comparison stores, for each wide feature, its best parent by decoder
 * cosine and by correlation with the correlation of each: those pairs get a value, the rest stay
 * null (never measured), and the page says which comparison it read.
 */

interface MatchRow {
  feature: number;
  cos_parent: number;
  cos_parent_corr: number | null;
  corr_parent: number | null;
  corr: number | null;
}

/** The newest comparison with `a` and `b` adjacent (narrowest first): its id, pair, and which of them is the narrow one. */
function comparisonOf(
  db: Database,
  a: string,
  b: string,
): { runId: number; pair: number; narrow: string; tokens: number; corpus: string } | null {
  const runs = db.all<{ id: number; sae_ids_json: string; params_json: string; tokens: number }>(
    'SELECT id, sae_ids_json, params_json, tokens FROM compare_runs ORDER BY created_at DESC, id DESC',
  );
  for (const run of runs) {
    const ids = JSON.parse(run.sae_ids_json) as string[];
    for (let p = 0; p + 1 < ids.length; p++) {
      if ((ids[p] === a && ids[p + 1] === b) || (ids[p] === b && ids[p + 1] === a)) {
        const corpus = (JSON.parse(run.params_json) as { corpus?: string }).corpus ?? '';
        return { runId: run.id, pair: p, narrow: ids[p], tokens: run.tokens, corpus };
      }
    }
  }
  return null;
}

/** The stored correlation between a wide feature's row and a narrow feature, when the comparison matched them. */
function matchedCorrelation(row: MatchRow | undefined, narrowIndex: number): number | null {
  if (!row) return null;
  if (row.cos_parent === narrowIndex && row.cos_parent_corr !== null) return row.cos_parent_corr;
  if (row.corr_parent === narrowIndex) return row.corr;
  return null;
}

/** Fills `across` correlations in place (only those that are null) and says per other SAE where they came from. */
export function fillAcrossCorrelations(db: Database, key: FeatureKey, across: PageNeighbour[]): AcrossCorrelation[] {
  const bySae = new Map<string, PageNeighbour[]>();
  for (const n of across) bySae.set(n.other.saeId, [...(bySae.get(n.other.saeId) ?? []), n]);
  const out: AcrossCorrelation[] = [];
  for (const [saeId, list] of bySae) {
    const found = comparisonOf(db, key.saeId, saeId);
    if (!found) {
      out.push({ saeId, compare: null, filled: 0, listed: list.length });
      continue;
    }
    const rowsOf = (features: number[]) =>
      new Map(
        db
          .all<MatchRow>(
            'SELECT feature, cos_parent, cos_parent_corr, corr_parent, corr FROM compare_matches WHERE run_id = ? AND pair = ? AND feature IN (SELECT value FROM json_each(?))',
            [found.runId, found.pair, JSON.stringify(features)],
          )
          .map((r) => [r.feature, r]),
      );
    let filled = 0;
    if (found.narrow === key.saeId) {
      // This feature is the narrow one: each neighbour is a wide feature, matched (or not) to it.
      const rows = rowsOf(list.map((n) => n.other.index));
      for (const n of list) if (n.correlation === null) n.correlation = matchedCorrelation(rows.get(n.other.index), key.index);
    } else {
      const row = rowsOf([key.index]).get(key.index);
      for (const n of list) if (n.correlation === null) n.correlation = matchedCorrelation(row, n.other.index);
    }
    filled = list.filter((n) => n.correlation !== null).length;
    out.push({ saeId, compare: { runId: found.runId, tokens: found.tokens, corpus: found.corpus }, filled, listed: list.length });
  }
  return out;
}
