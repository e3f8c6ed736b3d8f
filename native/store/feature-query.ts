import { ApiFailure } from '../api/errors.js';
import { featureSortKeys } from '../api/types.js';
import type { FeatureQuery, FeatureResults, FeatureSortKey, FeatureSummary, LabelStateFilter } from '../api/types.js';
import type { SqlValue } from './database.js';
import type { Database } from './database.js';
import { tokenKey } from './feature-logits-table.js';
import { ftsQuery } from './feature-search.js';
import { IndexRunsTable } from './index-runs-table.js';

export { featureSortKeys } from '../api/types.js';
export type { FeatureQuery, FeatureResults, FeatureSortKey, FeatureSummary, LabelStateFilter };

/**
 * features.search and features.list: one query builder, because a list is a search without text.
 * The features considered are those of the SAE's current index run; without a run, those with a
 * label; with text, those whose label, notes, tags or top tokens match it.
 */

const sortColumns: Record<Exclude<FeatureSortKey, 'relevance' | 'index'>, string> = {
  density: 's.density',
  maxAct: 's.max_act',
  meanAct: 's.mean_act',
  label: "coalesce(l.label, '') COLLATE NOCASE",
};

/** One SQL FROM + WHERE that yields the matching features, joining only the tables it needs. */
interface Plan {
  /** The column holding the feature index. */
  feature: string;
  from: string;
  where: string[];
  params: Record<string, SqlValue>;
}

const tokenFeatures = `SELECT feature FROM feature_logits WHERE run_id = @run AND token_key = @token AND kind IN ('frequent', 'boosted')`;

/**
 * The driving table is the most selective one the query offers: the FTS index for text, the
 * token index for a token, else the run's stats (every indexed feature), else the labels.
 * Stats and labels are joined only when a filter or the sort reads them: each join is a lookup per
 * candidate row, and a count over 32k features should not pay for lookups it ignores.
 */
function plan(query: FeatureQuery, runId: number | null, match: string | null, needs: { stats: boolean; labels: boolean }): Plan {
  const params: Record<string, SqlValue> = { sae: query.saeId, run: runId };
  const where: string[] = [];
  const token = query.token !== undefined && query.token.length > 0;
  if (token) params.token = tokenKey(query.token!);
  let feature: string;
  let from: string;
  let driver: 'stats' | 'labels' | 'other' = 'other';
  if (match !== null) {
    params.match = match;
    feature = 'd.feature';
    from = 'feature_search JOIN feature_docs d ON d.id = feature_search.rowid';
    where.push('feature_search MATCH @match', 'd.sae_id = @sae');
    if (token) where.push(`d.feature IN (${tokenFeatures})`);
  } else if (token) {
    feature = 't.feature';
    from = `(SELECT DISTINCT feature FROM (${tokenFeatures})) t`;
  } else if (runId !== null) {
    feature = 's.feature';
    from = 'feature_stats s';
    driver = 'stats';
    where.push('s.run_id = @run');
  } else {
    feature = 'l.feature';
    from = 'feature_labels l';
    driver = 'labels';
    where.push('l.sae_id = @sae');
  }
  if (needs.stats && driver !== 'stats') from += ` LEFT JOIN feature_stats s ON s.run_id = @run AND s.feature = ${feature}`;
  if (needs.labels && driver !== 'labels') from += ` LEFT JOIN feature_labels l ON l.sae_id = @sae AND l.feature = ${feature}`;
  if (query.labelState === 'labelled') where.push(`l.label <> ''`);
  if (query.labelState === 'unlabelled') where.push(`coalesce(l.label, '') = ''`);
  for (const [bound, op] of [['min', '>='], ['max', '<=']] as const) {
    const value = query.density?.[bound];
    if (value === undefined) continue;
    params[`d${bound}`] = value;
    where.push(`s.density ${op} @d${bound}`);
  }
  return { feature, from, where, params };
}

function sql(p: Plan): string {
  return `FROM ${p.from}${p.where.length > 0 ? ` WHERE ${p.where.join(' AND ')}` : ''}`;
}

/** ORDER BY for the page query; ties break on the feature index in the same direction (one index scan). */
function orderBy(sort: FeatureSortKey, descending: boolean, p: Plan, match: string | null): string {
  const direction = descending ? 'DESC' : 'ASC';
  if (sort === 'relevance') return match !== null ? `feature_search.rank ${direction}, ${p.feature}` : p.feature;
  if (sort === 'index') return `${p.feature} ${direction}`;
  return `${sortColumns[sort]} ${direction}, ${p.feature} ${direction}`;
}

function checkQuery(query: FeatureQuery): { offset: number; limit: number } {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  if (!Number.isInteger(offset) || offset < 0) throw new ApiFailure('failed', `offset must be a non-negative integer, got ${offset}`, 'offset');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiFailure('failed', `limit must be an integer from 1 to 1000, got ${limit}`, 'limit');
  for (const bound of ['min', 'max'] as const) {
    const v = query.density?.[bound];
    if (v !== undefined && !Number.isFinite(v)) throw new ApiFailure('failed', `density.${bound} must be a finite number`, `density.${bound}`);
  }
  if (query.sort !== undefined && !featureSortKeys.includes(query.sort)) {
    throw new ApiFailure('failed', `sort "${query.sort}": expected one of ${featureSortKeys.join(', ')}`, 'sort');
  }
  return { offset, limit };
}

interface SummaryRow {
  feature: number;
  label: string | null;
  density: number | null;
  mean_act: number | null;
  max_act: number | null;
  top_tokens: string;
  tags: string;
  best_tag: string | null;
  best_f1: number | null;
}

/**
 * Runs a search or list in one read transaction, so `total` and `items` see the same data: a count,
 * the page of feature indices, then the summaries of just those features.
 */
export function queryFeatures(db: Database, query: FeatureQuery): FeatureResults {
  const { offset, limit } = checkQuery(query);
  const match = query.text === undefined ? null : ftsQuery(query.text);
  const sort = query.sort ?? (match !== null ? 'relevance' : 'index');
  const filters = { stats: query.density !== undefined, labels: query.labelState === 'labelled' || query.labelState === 'unlabelled' };
  return db.readTransaction(() => {
    if (db.get('SELECT 1 FROM saes WHERE id = ?', [query.saeId]) === undefined) throw new ApiFailure('not_found', `no SAE "${query.saeId}" in this workspace`, 'saeId');
    const runId = new IndexRunsTable(db).current(query.saeId)?.id ?? null;
    const counted = plan(query, runId, match, filters);
    const total = db.get<{ n: number }>(`SELECT count(*) AS n ${sql(counted)}`, counted.params)?.n ?? 0;
    const paged = plan(query, runId, match, { stats: filters.stats || ['density', 'maxAct', 'meanAct'].includes(sort), labels: filters.labels || sort === 'label' });
    const features = db
      .all<{ feature: number }>(`SELECT ${paged.feature} AS feature ${sql(paged)} ORDER BY ${orderBy(sort, query.descending === true, paged, match)} LIMIT @limit OFFSET @offset`, {
        ...paged.params, limit, offset,
      })
      .map((r) => r.feature);
    const rows = db.all<SummaryRow>(
      `SELECT j.value AS feature, l.label AS label, s.density AS density, s.mean_act AS mean_act, s.max_act AS max_act,
         (SELECT json_group_array(token) FROM (SELECT token FROM feature_logits t
            WHERE t.run_id = @run AND t.feature = j.value AND t.kind = 'frequent' ORDER BY t.rank LIMIT 5)) AS top_tokens,
         (SELECT json_group_array(tag) FROM (SELECT tag FROM feature_tags g WHERE g.sae_id = @sae AND g.feature = j.value ORDER BY tag)) AS tags,
         c.tag AS best_tag, c.f1 AS best_f1
       FROM json_each(@features) j
       LEFT JOIN feature_candidates c ON c.run_id = @run AND c.feature = j.value AND c.rank = 0
       LEFT JOIN feature_stats s ON s.run_id = @run AND s.feature = j.value
       LEFT JOIN feature_labels l ON l.sae_id = @sae AND l.feature = j.value
       ORDER BY j.key`,
      { features: JSON.stringify(features), run: runId, sae: query.saeId },
    );
    const items = rows.map((r) => ({ key: { saeId: query.saeId, index: r.feature }, label: r.label ?? '', density: r.density, meanAct: r.mean_act, maxAct: r.max_act,
      topTokens: JSON.parse(r.top_tokens) as string[],
      tags: JSON.parse(r.tags) as string[],
      bestCandidate: r.best_tag === null || r.best_f1 === null ? null : { tag: r.best_tag, f1: r.best_f1 },
    }));
    return { total, offset, items, runId };
  });
}
