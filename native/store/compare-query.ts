import { ApiFailure } from '../api/errors.js';
import type {
  CompareGroupKind,
  CompareGroups,
  CompareLinks,
  MatchMeasure,
  MatchPage,
  MatchRow,
  MatchSortKey,
  SplitTree,
  SplitTreeNode,
} from '../api/types.js';
import { bytesOf } from './blob-codec.js';
import { jsonList } from './checks.js';
import { CompareTable } from './compare-table.js';
import type { CompareRun, MatchRowData } from './compare-table.js';
import type { Database } from './database.js';
import { topTokensOf } from './feature-top-tokens.js';

/**
 * Reads over a stored comparison, each one statement or a few in one read transaction: pages of
 * matches sorted by an indexed column, the one-to-many and unmatched lists at a threshold, the
 * links for a joint map, and splitting trees.
 */

/** The parent and similarity columns of a measure. */
const columns: Record<MatchMeasure, { parent: string; sim: string }> = {
  cosine: { parent: 'cos_parent', sim: 'cos' },
  correlation: { parent: 'corr_parent', sim: 'corr' },
};

const sortOrder: Record<MatchSortKey, (dir: string) => string> = {
  feature: (dir) => `feature ${dir}`,
  cosine: (dir) => `cos ${dir}, feature ${dir}`,
  // Features whose correlation cannot be computed go last either way; descending, SQLite puts NULLs
  // last by itself, and the plain order can walk the index instead of sorting 32,768 rows.
  correlation: (dir) => (dir === 'DESC' ? 'corr DESC, feature DESC' : 'corr IS NULL, corr ASC, feature ASC'),
  parent: (dir) => `cos_parent ${dir}, cos DESC, feature`,
  density: (dir) => `density ${dir}, feature ${dir}`,
};

/** The run, and the pair's SAE ids, or a not_found / failed naming the field. */
export function comparePair(db: Database, runId: number, pair: number): { run: CompareRun; narrow: string; wide: string } {
  const run = new CompareTable(db).get(runId);
  if (!run) throw new ApiFailure('not_found', `no comparison ${runId} in this workspace`, 'runId');
  if (pair < 0 || pair + 1 >= run.saeIds.length)
    throw new ApiFailure(
      'failed',
      `comparison ${runId} of ${run.saeIds.length} SAEs has pairs 0 to ${run.saeIds.length - 2}, not ${pair}`,
      'pair',
    );
  return { run, narrow: run.saeIds[pair], wide: run.saeIds[pair + 1] };
}

function labels(db: Database, saeId: string, features: readonly number[]): Map<number, string> {
  if (features.length === 0) return new Map();
  const rows = db.all<{ feature: number; label: string }>(
    'SELECT feature, label FROM feature_labels WHERE sae_id = ? AND feature IN (SELECT value FROM json_each(?))',
    [saeId, jsonList([...new Set(features)])],
  );
  return new Map(rows.map((r) => [r.feature, r.label]));
}

/** Names features of one SAE: each one's label ('' when none) and top tokens ([] when none), read in two statements. */
function namer(db: Database, saeId: string, features: readonly number[]): (feature: number) => { label: string; topTokens: string[] } {
  const labelOf = labels(db, saeId, features);
  const tokensOf = topTokensOf(db, saeId, features);
  return (feature) => ({ label: labelOf.get(feature) ?? '', topTokens: tokensOf.get(feature) ?? [] });
}

export interface MatchQuery {
  runId: number;
  pair: number;
  sort: MatchSortKey;
  descending?: boolean;
  disagreeing?: boolean;
  offset?: number;
  limit?: number;
}

export function matchPage(db: Database, q: MatchQuery): MatchPage {
  return db.readTransaction(() => {
    const { narrow, wide } = comparePair(db, q.runId, q.pair);
    const where = `run_id = @run AND pair = @pair${q.disagreeing ? ' AND corr_parent IS NOT NULL AND corr_parent <> cos_parent' : ''}`;
    const params = { run: q.runId, pair: q.pair };
    const total = db.get<{ n: number }>(`SELECT count(*) AS n FROM compare_matches WHERE ${where}`, params)?.n ?? 0;
    const offset = q.offset ?? 0;
    const rows = db.all<MatchRowData>(
      `SELECT * FROM compare_matches WHERE ${where} ORDER BY ${sortOrder[q.sort](q.descending ? 'DESC' : 'ASC')} LIMIT @limit OFFSET @offset`,
      {
        ...params,
        limit: q.limit ?? 50,
        offset,
      },
    );
    const parents = rows.flatMap((r) => (r.corr_parent === null ? [r.cos_parent] : [r.cos_parent, r.corr_parent]));
    const wideName = namer(
      db,
      wide,
      rows.map((r) => r.feature),
    );
    const narrowName = namer(db, narrow, parents);
    const parent = (index: number, cosine: number, correlation: number | null) => ({
      index,
      ...narrowName(index),
      cosine,
      correlation,
    });
    const items = rows.map((r): MatchRow => ({
      feature: r.feature,
      ...wideName(r.feature),
      density: r.density,
      byCosine: parent(r.cos_parent, r.cos, r.cos_parent_corr),
      byCorrelation: r.corr_parent === null ? null : parent(r.corr_parent, r.corr_parent_cos as number, r.corr),
    }));
    return { total, offset, items };
  });
}

export interface GroupQuery {
  runId: number;
  pair: number;
  by: MatchMeasure;
  threshold: number;
  kind: CompareGroupKind;
  offset?: number;
  limit?: number;
}

export function compareGroups(db: Database, q: GroupQuery): CompareGroups {
  return db.readTransaction(() => {
    const { run, narrow, wide } = comparePair(db, q.runId, q.pair);
    const { parent: P, sim: S } = columns[q.by];
    const params = { run: q.runId, pair: q.pair, t: q.threshold };
    const base = 'FROM compare_matches WHERE run_id = @run AND pair = @pair';
    const table = new CompareTable(db);
    const narrowDensity = table.densities(q.runId, q.pair);
    const nWide = run.dSae[q.pair + 1];
    const matched = db.get<{ n: number }>(`SELECT count(*) AS n ${base} AND ${S} >= @t`, params)?.n ?? 0;
    const parents = db.all<{ parent: number; n: number; best: number }>(
      `SELECT ${P} AS parent, count(*) AS n, max(${S}) AS best ${base} AND ${S} >= @t GROUP BY ${P}`,
      params,
    );
    const oneToMany = parents.filter((p) => p.n >= 2).sort((a, b) => b.n - a.n || b.best - a.best || a.parent - b.parent);
    const counts = {
      matched,
      oneToMany: oneToMany.length,
      unmatchedWide: nWide - matched,
      unmatchedNarrow: narrowDensity.length - parents.length,
    };
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    const page = { by: q.by, threshold: q.threshold, counts, kind: q.kind, total: counts[q.kind], offset };
    if (q.kind === 'oneToMany') {
      const shown = oneToMany.slice(offset, offset + limit).map((p) => p.parent);
      const children = db.all<{ feature: number; parent: number; sim: number; density: number }>(
        `SELECT feature, ${P} AS parent, ${S} AS sim, density ${base} AND ${S} >= @t AND ${P} IN (SELECT value FROM json_each(@parents)) ORDER BY ${S} DESC, feature`,
        { ...params, parents: jsonList(shown) },
      );
      const narrowName = namer(db, narrow, shown);
      const wideName = namer(
        db,
        wide,
        children.map((c) => c.feature),
      );
      const items = shown.map((parent) => ({
        index: parent,
        ...narrowName(parent),
        density: narrowDensity[parent],
        similarity: null,
        children: children
          .filter((c) => c.parent === parent)
          .map((c) => ({
            index: c.feature,
            ...wideName(c.feature),
            density: c.density,
            similarity: c.sim,
          })),
      }));
      return { ...page, items };
    }
    if (q.kind === 'unmatchedWide') {
      const rows = db.all<{ feature: number; sim: number | null; density: number }>(
        `SELECT feature, ${S} AS sim, density ${base} AND (${S} < @t OR ${S} IS NULL) ORDER BY ${S} IS NULL, ${S} DESC, feature LIMIT @limit OFFSET @offset`,
        { ...params, limit, offset },
      );
      const wideName = namer(
        db,
        wide,
        rows.map((r) => r.feature),
      );
      return {
        ...page,
        items: rows.map((r) => ({
          index: r.feature,
          ...wideName(r.feature),
          density: r.density,
          similarity: r.sim,
          children: [],
        })),
      };
    }
    const best = new Map(
      db
        .all<{ parent: number; best: number }>(
          `SELECT ${P} AS parent, max(${S}) AS best ${base} AND ${P} IS NOT NULL GROUP BY ${P}`,
          params,
        )
        .map((r) => [r.parent, r.best]),
    );
    const withChild = new Set(parents.map((p) => p.parent));
    const lonely: number[] = [];
    for (let f = 0; f < narrowDensity.length; f++) if (!withChild.has(f)) lonely.push(f);
    const shown = lonely.slice(offset, offset + limit);
    const narrowName = namer(db, narrow, shown);
    return {
      ...page,
      items: shown.map((f) => ({
        index: f,
        ...narrowName(f),
        density: narrowDensity[f],
        similarity: best.get(f) ?? null,
        children: [],
      })),
    };
  });
}

/** Every wide feature's best parent and similarity, packed for a joint map's links. */
export function compareLinks(db: Database, runId: number, pair: number, by: MatchMeasure): CompareLinks {
  return db.readTransaction(() => {
    const { run } = comparePair(db, runId, pair);
    const nWide = run.dSae[pair + 1];
    const { parent: P, sim: S } = columns[by];
    const parents = new Int32Array(nWide).fill(-1);
    const similarity = new Float32Array(nWide);
    for (const r of db.all<{ feature: number; parent: number | null; sim: number | null }>(
      `SELECT feature, ${P} AS parent, ${S} AS sim FROM compare_matches WHERE run_id = ? AND pair = ?`,
      [runId, pair],
    )) {
      parents[r.feature] = r.parent ?? -1;
      similarity[r.feature] = r.sim ?? 0;
    }
    const base64 = (a: Int32Array | Float32Array) => Buffer.from(bytesOf(a)).toString('base64');
    return { pair, by, nWide, parents: base64(parents), similarity: base64(similarity) };
  });
}

export interface TreeQuery {
  runId: number;
  root: { saeId: string; index: number };
  by: MatchMeasure;
  minSimilarity: number;
  maxChildren: number;
}

/** A feature of saes[p] and its children in saes[p + 1] (and theirs in saes[p + 2]). */
export function splitTree(db: Database, q: TreeQuery): SplitTree {
  return db.readTransaction(() => {
    const table = new CompareTable(db);
    const run = table.get(q.runId);
    if (!run) throw new ApiFailure('not_found', `no comparison ${q.runId} in this workspace`, 'runId');
    const position = run.saeIds.indexOf(q.root.saeId);
    if (position < 0 || position + 1 >= run.saeIds.length) {
      throw new ApiFailure(
        'failed',
        `a splitting tree starts at a feature of ${run.saeIds.slice(0, -1).join(' or ')} (an SAE with a wider one after it in comparison ${q.runId})`,
        'root.saeId',
      );
    }
    if (q.root.index >= run.dSae[position])
      throw new ApiFailure('failed', `SAE ${q.root.saeId} has ${run.dSae[position]} features, no feature ${q.root.index}`, 'root.index');
    const densities = run.saeIds.map((_, s) => table.densities(run.id, s));
    const fires = (s: number, index: number) => Math.round(densities[s][index] * run.tokens);
    const node = (s: number, index: number, edge: SplitTreeNode['edge']): SplitTreeNode => {
      const saeId = run.saeIds[s];
      const children =
        s + 1 < run.saeIds.length ? childEdges(db, q, s, index, fires(s, index)).map((c) => node(s + 1, c.feature, c.edge)) : [];
      return {
        key: { saeId, index },
        label: labels(db, saeId, [index]).get(index) ?? '',
        density: densities[s][index],
        fires: fires(s, index),
        topTokens: topTokensOf(db, saeId, [index], 5).get(index) ?? [],
        edge,
        children,
      };
    };
    return { runId: run.id, by: q.by, tokens: run.tokens, root: node(position, q.root.index, null) };
  });
}

function childEdges(
  db: Database,
  q: TreeQuery,
  pair: number,
  parent: number,
  parentFires: number,
): { feature: number; edge: NonNullable<SplitTreeNode['edge']> }[] {
  const { parent: P, sim: S } = columns[q.by];
  const rows = db.all<MatchRowData & { fires: number }>(
    `SELECT m.*, round(m.density * r.tokens) AS fires FROM compare_matches m JOIN compare_runs r ON r.id = m.run_id
     WHERE m.run_id = @run AND m.pair = @pair AND m.${P} = @parent AND m.${S} >= @min ORDER BY m.${S} DESC, m.feature LIMIT @limit`,
    { run: q.runId, pair, parent, min: q.minSimilarity, limit: q.maxChildren },
  );
  const ratio = (n: number | null, d: number) => (n === null || d <= 0 ? null : n / d);
  return rows.map((r) => {
    const [cosine, correlation, cofire] =
      q.by === 'cosine' ? [r.cos, r.cos_parent_corr, r.cos_cofire] : [r.corr_parent_cos as number, r.corr, r.corr_cofire];
    return {
      feature: r.feature,
      edge: { cosine, correlation, cofire, parentShare: ratio(cofire, parentFires), pParentGivenChild: ratio(cofire, r.fires) },
    };
  });
}
