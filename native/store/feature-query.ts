import { featureKey } from '../api/feature-key.js';
import { ApiFailure } from '../api/errors.js';
import { featureSortKeys } from '../api/types.js';
import type { FeatureQuery, FeatureResults, FeatureSortKey, FeatureSummary, LabelStateFilter, SearchMatch } from '../api/types.js';
import type { SqlValue } from './database.js';
import type { Database } from './database.js';
import { matchReasons, matchTerms, matchedSql, scopeSql } from './feature-match.js';
import type { MatchTerms, MatchedFeature, ScopeSae } from './feature-match.js';
import { IndexRunsTable } from './index-runs-table.js';

export { featureSortKeys } from '../api/types.js';
export type { FeatureQuery, FeatureResults, FeatureSortKey, FeatureSummary, LabelStateFilter };

/**
 * features.search and features.list: one query builder, because a list is a search without terms.
 * A list covers one SAE: the features of its current index run, or without a run those with a
 * label. A search (text or a token, feature-match.ts) covers one SAE or all of the workspace's and
 * ranks by relevance unless another sort is asked for.
 */

const sortColumns: Record<Exclude<FeatureSortKey, 'relevance' | 'index'>, string> = {
  density: 's.density',
  maxAct: 's.max_act',
  meanAct: 's.mean_act',
  label: "coalesce(l.label, '') COLLATE NOCASE",
};

/** One SQL WITH + FROM + WHERE that yields the matching features, joining only the tables it needs. */
interface Plan {
  with: string;
  /** The columns holding the SAE id, the feature index and the SAE's place in the scope. */
  sae: string;
  feature: string;
  ord: string;
  from: string;
  where: string[];
  params: Record<string, SqlValue>;
  /** the relevance and bm25 columns of a search */
  relevance: string | null;
}

/**
 * A list's driving table is the most selective one it offers: the run's stats (every indexed
 * feature), else the labels; a search's is its matches. Stats and labels are joined only when a
 * filter or the sort reads them: each join is a lookup per candidate row, and a count over 32k
 * features should not pay for lookups it ignores.
 */
function plan(query: FeatureQuery, scope: readonly ScopeSae[], terms: MatchTerms | null, needs: { stats: boolean; labels: boolean }): Plan {
  const params: Record<string, SqlValue> = {};
  const where: string[] = [];
  const p: Plan = { with: '', sae: '@sae', feature: '', ord: '0', from: '', where, params, relevance: null };
  let driver: 'stats' | 'labels' | 'matched' = 'matched';
  let run = '@run';
  if (terms !== null) {
    p.with = `WITH ${scopeSql(scope, params)}, ${matchedSql(terms, params)}`;
    Object.assign(p, {
      sae: 'm.sae_id',
      feature: 'm.feature',
      ord: 'sc.ord',
      from: 'matched m JOIN scope sc ON sc.sae_id = m.sae_id',
      relevance: 'm.relevance',
    });
    run = 'sc.run_id';
  } else {
    Object.assign(params, { sae: scope[0].saeId, run: scope[0].runId });
    if (scope[0].runId !== null) {
      Object.assign(p, { feature: 's.feature', from: 'feature_stats s' });
      driver = 'stats';
      where.push('s.run_id = @run');
    } else {
      Object.assign(p, { feature: 'l.feature', from: 'feature_labels l' });
      driver = 'labels';
      where.push('l.sae_id = @sae');
    }
  }
  if (needs.stats && driver !== 'stats') p.from += ` LEFT JOIN feature_stats s ON s.run_id = ${run} AND s.feature = ${p.feature}`;
  if (needs.labels && driver !== 'labels') p.from += ` LEFT JOIN feature_labels l ON l.sae_id = ${p.sae} AND l.feature = ${p.feature}`;
  if (query.labelState === 'labelled') where.push(`l.label <> ''`);
  if (query.labelState === 'unlabelled') where.push(`coalesce(l.label, '') = ''`);
  for (const [bound, op] of [
    ['min', '>='],
    ['max', '<='],
  ] as const) {
    const value = query.density?.[bound];
    if (value === undefined) continue;
    params[`d${bound}`] = value;
    where.push(`s.density ${op} @d${bound}`);
  }
  return p;
}

function sql(p: Plan): string {
  return `FROM ${p.from}${p.where.length > 0 ? ` WHERE ${p.where.join(' AND ')}` : ''}`;
}

/** ORDER BY for the page query; ties break on the SAE, then the feature index, in the same direction (one index scan for a list). */
function orderBy(sort: FeatureSortKey, descending: boolean, p: Plan): string {
  const direction = descending ? 'DESC' : 'ASC';
  const then = p.relevance === null ? `${p.feature} ${direction}` : `${p.ord} ${direction}, ${p.feature} ${direction}`;
  if (sort === 'relevance')
    return p.relevance !== null ? `m.relevance ${descending ? 'ASC' : 'DESC'}, m.bm25 ${direction}, ${p.ord}, ${p.feature}` : p.feature;
  if (sort === 'index') return then;
  return `${sortColumns[sort]} ${direction}, ${then}`;
}

function checkQuery(query: FeatureQuery): { offset: number; limit: number } {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  if (!Number.isInteger(offset) || offset < 0)
    throw new ApiFailure('failed', `offset must be a non-negative integer, got ${offset}`, 'offset');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new ApiFailure('failed', `limit must be an integer from 1 to 1000, got ${limit}`, 'limit');
  for (const bound of ['min', 'max'] as const) {
    const v = query.density?.[bound];
    if (v !== undefined && !Number.isFinite(v))
      throw new ApiFailure('failed', `density.${bound} must be a finite number`, `density.${bound}`);
  }
  if (query.sort !== undefined && !featureSortKeys.includes(query.sort)) {
    throw new ApiFailure('failed', `sort "${query.sort}": expected one of ${featureSortKeys.join(', ')}`, 'sort');
  }
  return { offset, limit };
}

/** The SAEs a query covers, the named one first, each with its current run. */
function searchScope(db: Database, query: FeatureQuery, terms: MatchTerms | null): ScopeSae[] {
  const saes = db.all<{ id: string; name: string }>('SELECT id, name FROM saes ORDER BY added_at, id');
  const named = saes.find((s) => s.id === query.saeId);
  if (!named) throw new ApiFailure('not_found', `no SAE "${query.saeId}" in this workspace`, 'saeId');
  if (query.allSaes === true && terms === null)
    throw new ApiFailure('failed', 'allSaes searches by text or token: give one, or list one SAE at a time', 'allSaes');
  const runs = new IndexRunsTable(db);
  const chosen = query.allSaes === true ? [named, ...saes.filter((s) => s !== named)] : [named];
  return chosen.map((s) => ({ saeId: s.id, name: s.name, runId: runs.current(s.id)?.id ?? null }));
}

interface SummaryRow {
  sae_id: string;
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

/** The summaries of `page` features, in order, each with its matches when the query had terms. */
function summaries(
  db: Database,
  page: readonly (MatchedFeature & { relevance: number | null })[],
  scope: readonly ScopeSae[],
  terms: MatchTerms | null,
): FeatureSummary[] {
  const rows = db.all<SummaryRow>(
    `WITH page(k, sae_id, feature, run_id) AS (SELECT key, value ->> 0, value ->> 1, value ->> 2 FROM json_each(@page))
     SELECT p.sae_id, p.feature, l.label AS label, s.density AS density, s.mean_act AS mean_act, s.max_act AS max_act,
         (SELECT json_group_array(token) FROM (SELECT token FROM feature_logits t
            WHERE t.run_id = p.run_id AND t.feature = p.feature AND t.kind = 'frequent' ORDER BY t.rank LIMIT 5)) AS top_tokens,
         (SELECT json_group_array(tag) FROM (SELECT tag FROM feature_tags g WHERE g.sae_id = p.sae_id AND g.feature = p.feature ORDER BY tag)) AS tags,
         c.tag AS best_tag, c.f1 AS best_f1
       FROM page p
       LEFT JOIN feature_candidates c ON c.run_id = p.run_id AND c.feature = p.feature AND c.rank = 0
       LEFT JOIN feature_stats s ON s.run_id = p.run_id AND s.feature = p.feature
       LEFT JOIN feature_labels l ON l.sae_id = p.sae_id AND l.feature = p.feature
       ORDER BY p.k`,
    { page: JSON.stringify(page.map((f) => [f.saeId, f.feature, f.runId])) },
  );
  const reasons = terms === null ? new Map<string, SearchMatch[]>() : matchReasons(db, terms, page);
  const names = new Map(scope.map((s) => [s.saeId, s.name]));
  return rows.map((r, i) => ({
    key: { saeId: r.sae_id, index: r.feature },
    label: r.label ?? '',
    density: r.density,
    meanAct: r.mean_act,
    maxAct: r.max_act,
    topTokens: JSON.parse(r.top_tokens) as string[],
    tags: JSON.parse(r.tags) as string[],
    bestCandidate: r.best_tag === null || r.best_f1 === null ? null : { tag: r.best_tag, f1: r.best_f1 },
    saeName: names.get(r.sae_id) ?? r.sae_id,
    matches: reasons.get(featureKey({ saeId: r.sae_id, index: r.feature })) ?? [],
    relevance: page[i].relevance,
  }));
}

function countFeatures(db: Database, p: Plan): number {
  return db.get<{ n: number }>(`${p.with} SELECT count(*) AS n ${sql(p)}`, p.params)?.n ?? 0;
}

/**
 * Runs a search or list in one read transaction, so `total` and `items` see the same data: the page
 * of features and a count, then the summaries of just those features.
 */
export function queryFeatures(db: Database, query: FeatureQuery): FeatureResults {
  const { offset, limit } = checkQuery(query);
  const terms = matchTerms(query);
  const sort = query.sort ?? (terms !== null ? 'relevance' : 'index');
  const filters = { stats: query.density !== undefined, labels: query.labelState === 'labelled' || query.labelState === 'unlabelled' };
  return db.readTransaction(() => {
    const scope = searchScope(db, query, terms);
    const paged = plan(query, scope, terms, {
      stats: filters.stats || ['density', 'maxAct', 'meanAct'].includes(sort),
      labels: filters.labels || sort === 'label',
    });
    const runs = new Map(scope.map((s) => [s.saeId, s.runId]));
    // A search counts its matches in the page query (a window over all of them, before LIMIT), so
    // its terms are matched once; a list's count is cheaper without the sort's joins.
    const rows = db.all<{ sae: string; feature: number; relevance: number | null; total: number | null }>(
      `${paged.with} SELECT ${paged.sae} AS sae, ${paged.feature} AS feature, ${paged.relevance ?? 'NULL'} AS relevance, ${terms !== null ? 'count(*) OVER ()' : 'NULL'} AS total ${sql(paged)}
       ORDER BY ${orderBy(sort, query.descending === true, paged)} LIMIT @limit OFFSET @offset`,
      { ...paged.params, limit, offset },
    );
    const page = rows.map((r) => ({ saeId: r.sae, feature: r.feature, runId: runs.get(r.sae) ?? null, relevance: r.relevance }));
    const counted = rows[0]?.total ?? null;
    const total = counted ?? countFeatures(db, plan(query, scope, terms, filters));
    return { total, offset, items: summaries(db, page, scope, terms), runId: scope[0].runId };
  });
}

/**
 * Every feature of one SAE matching a query's filters (text, token, label state, density), by index:
 * the label queue's selection, one query however many features match (features.search pages 1,000).
 */
export function matchingFeatureIndices(db: Database, query: FeatureQuery): number[] {
  checkQuery({ ...query, offset: 0, limit: 1 });
  const terms = matchTerms(query);
  return db.readTransaction(() => {
    const scope = searchScope(db, { ...query, allSaes: false }, terms);
    const labels = query.labelState === 'labelled' || query.labelState === 'unlabelled';
    const p = plan(query, scope, terms, { stats: query.density !== undefined, labels });
    return db
      .all<{ feature: number }>(`${p.with} SELECT DISTINCT ${p.feature} AS feature ${sql(p)} ORDER BY 1`, p.params)
      .map((r) => r.feature);
  });
}
