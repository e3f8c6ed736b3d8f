import { featureKey } from '../api/feature-key.js';
import type { SearchMatch } from '../api/types.js';
import type { Database, SqlValue } from './database.js';
import { tokenKey } from './feature-logits-table.js';
import { ftsWord, searchWords } from './feature-search.js';
import type { SearchWord } from './feature-search.js';

/**
 * Which features a search matches, how strongly, and why. A search is terms that must all match:
 * each typed word matches a feature's label, notes or tags (FTS5) or a token it fires on or boosts
 * (the index run's token lists, case-folded, a prefix when the word is); a `token` (punctuation
 * typed alone) matches the token lists only, exactly.
 *
 * Relevance is the sum over terms of what each matched: a word in the label 1, in a tag 0.8, in the
 * notes 0.5; a token the feature fires on its share of the feature's firings (0–1, so a feature that
 * fires on nothing else weighs as much as a label), taken at the lower end of its 95 % Wilson
 * interval so that a feature seen firing four times, always on "The", does not outrank one that
 * fired 2,000 times, 90 % of them on it; an output token the decoder boosts 0.1 at rank 0, then
 * 0.1 / (1 + rank) down the list (what a feature does to the output is a weaker hint of what a
 * searcher means than what it fires on). FTS5's bm25 over label, notes and tags breaks ties.
 */

export const MATCH_WEIGHTS = { label: 1, tag: 0.8, notes: 0.5, boosted: 0.1 } as const;

/** An SAE a search covers: its current index run (null: only its labels are searched). */
export interface ScopeSae {
  saeId: string;
  name: string;
  runId: number | null;
}

export interface MatchTerms {
  words: SearchWord[];
  /** a token matched exactly (case-folded, surrounding spaces dropped), or null */
  token: string | null;
}

/** The query's terms, or null when it has none (a list, not a search). */
export function matchTerms(query: { text?: string; token?: string }): MatchTerms | null {
  const words = query.text === undefined ? [] : searchWords(query.text);
  const token = query.token !== undefined && query.token.length > 0 ? query.token : null;
  return words.length > 0 || token !== null ? { words, token } : null;
}

/** `WITH` clauses `scope(sae_id, run_id, ord)` from a JSON list of [saeId, runId] bound as @scope. */
export function scopeSql(scope: readonly ScopeSae[], params: Record<string, SqlValue>): string {
  params.scope = JSON.stringify(scope.map((s) => [s.saeId, s.runId]));
  return `scope(sae_id, run_id, ord) AS (SELECT value ->> 0, value ->> 1, key FROM json_each(@scope))`;
}

/**
 * `WITH` clauses (after scopeSql's) that end in `matched(sae_id, feature, relevance, bm25)`: the
 * features of the scope's SAEs where every term matches, with their relevance.
 */
export function matchedSql(terms: MatchTerms, params: Record<string, SqlValue>): string {
  const parts: string[] = [];
  terms.words.forEach((word, i) => {
    parts.push(textHits(i, bindWord(word, i, params)));
    parts.push(tokenHits(i, bindTokenRange(word, i, params)));
  });
  if (terms.token !== null) {
    const i = terms.words.length;
    params[`k${i}`] = tokenKey(terms.token);
    parts.push(tokenHits(i, `t.token_key = @k${i}`));
  }
  params.terms = terms.words.length + (terms.token !== null ? 1 : 0);
  return `hits(sae_id, feature, term, weight, bm25) AS (${parts.join(' UNION ALL ')}),
    matched(sae_id, feature, relevance, bm25) AS (
      SELECT sae_id, feature, sum(weight), sum(bm25) FROM hits GROUP BY sae_id, feature HAVING count(DISTINCT term) = @terms)`;
}

function bindWord(word: SearchWord, i: number, params: Record<string, SqlValue>): string {
  params[`w${i}`] = `{label notes tags} : ${ftsWord(word)}`;
  return `@w${i}`;
}

/**
 * The token-key condition for a word. `key` is the column as the condition names it: a lookup by
 * feature writes `+t.token_key` so that SQLite uses the primary key, not the token index.
 */
function bindTokenRange(word: SearchWord, i: number, params: Record<string, SqlValue>, key = 't.token_key'): string {
  params[`k${i}`] = tokenKey(word.text);
  if (!word.prefix) return `${key} = @k${i}`;
  // Every key that starts with the word sorts between it and it + the last code point.
  params[`kk${i}`] = `${tokenKey(word.text)}\u{10FFFF}`;
  return `${key} >= @k${i} AND ${key} < @kk${i}`;
}

/** A column matched iff FTS5's highlight() marked something in it (char(1) opens a match). */
const marked = (column: number) => `(instr(highlight(feature_search, ${column}, char(1), ''), char(1)) > 0)`;

function textHits(term: number, match: string): string {
  const { label, tag, notes } = MATCH_WEIGHTS;
  return `SELECT d.sae_id, d.feature, ${term}, ${marked(0)} * ${label} + ${marked(2)} * ${tag} + ${marked(1)} * ${notes}, bm25(feature_search, 1.0, 1.0, 1.0, 0.0)
    FROM feature_search JOIN feature_docs d ON d.id = feature_search.rowid
    WHERE feature_search MATCH ${match} AND d.sae_id IN (SELECT sae_id FROM scope)`;
}

/** A frequent token's share of the feature's firings (NULL without firings). */
const tokenShare = 't.value / nullif(s.fires, 0)';
/** The Wilson score interval's lower bound for that share, z = 1.96 (z² = 3.8416). */
const shareLowerBound = `(${tokenShare} + 1.9208 / s.fires - 1.96 * sqrt(max(${tokenShare} * (1 - ${tokenShare}), 0) / s.fires + 0.9604 / (s.fires * s.fires))) / (1 + 3.8416 / s.fires)`;
/** The lower bound of the share for a frequent token, the boosted weight for a boosted one. */
const tokenWeight = `CASE t.kind WHEN 'frequent' THEN max(coalesce(${shareLowerBound}, 0), 0) ELSE ${MATCH_WEIGHTS.boosted} / (1 + t.rank) END`;

function tokenHits(term: number, keyMatch: string): string {
  return `SELECT sc.sae_id, t.feature, ${term}, ${tokenWeight}, 0
    FROM scope sc JOIN feature_logits t INDEXED BY feature_logits_by_token ON t.run_id = sc.run_id AND ${keyMatch} AND t.kind IN ('frequent', 'boosted')
    LEFT JOIN feature_stats s ON s.run_id = t.run_id AND s.feature = t.feature`;
}

/** A result feature whose matches are wanted. */
export interface MatchedFeature {
  saeId: string;
  feature: number;
  runId: number | null;
}

/** Why each of `features` matched (keyed by featureKey), strongest first, each reason once. */
export function matchReasons(db: Database, terms: MatchTerms, features: readonly MatchedFeature[]): Map<string, SearchMatch[]> {
  const found = new Map<string, { match: SearchMatch; weight: number }[]>();
  const add = (saeId: string, feature: number, match: SearchMatch, weight: number) => {
    const key = featureKey({ saeId, index: feature });
    const list = found.get(key) ?? [];
    if (!list.some((m) => JSON.stringify(m.match) === JSON.stringify(match))) list.push({ match, weight });
    found.set(key, list);
  };
  const page = JSON.stringify(features.map((f) => [f.saeId, f.feature, f.runId]));
  terms.words.forEach((word, i) => {
    const params: Record<string, SqlValue> = { page };
    for (const r of textReasons(db, bindWord(word, i, params), params)) {
      if (r.in_label) add(r.sae_id, r.feature, { kind: 'label' }, MATCH_WEIGHTS.label);
      for (const tag of markedTags(r.tags)) add(r.sae_id, r.feature, { kind: 'tag', tag }, MATCH_WEIGHTS.tag);
      if (r.in_notes) add(r.sae_id, r.feature, { kind: 'notes', excerpt: r.excerpt }, MATCH_WEIGHTS.notes);
    }
    for (const r of tokenReasons(db, bindTokenRange(word, i, params, '+t.token_key'), params)) addToken(add, r);
  });
  if (terms.token !== null) {
    const params: Record<string, SqlValue> = { page, k: tokenKey(terms.token) };
    for (const r of tokenReasons(db, '+t.token_key = @k', params)) addToken(add, r);
  }
  return new Map([...found].map(([key, list]) => [key, list.sort((a, b) => b.weight - a.weight).map((m) => m.match)]));
}

interface TextReasonRow {
  sae_id: string;
  feature: number;
  in_label: number;
  in_notes: number;
  /** the tags text with char(1) before and char(2) after each match */
  tags: string;
  excerpt: string;
}

function textReasons(db: Database, match: string, params: Record<string, SqlValue>): TextReasonRow[] {
  return db.all<TextReasonRow>(
    `SELECT d.sae_id, d.feature, ${marked(0)} AS in_label, ${marked(1)} AS in_notes,
       highlight(feature_search, 2, char(1), char(2)) AS tags, snippet(feature_search, 1, '', '', '…', 12) AS excerpt
     FROM feature_search JOIN feature_docs d ON d.id = feature_search.rowid
     WHERE feature_search MATCH ${match} AND EXISTS (SELECT 1 FROM json_each(@page) p WHERE p.value ->> 0 = d.sae_id AND p.value ->> 1 = d.feature)`,
    params,
  );
}

/** The tags (`; `-separated, see tagsText) that hold a highlighted match. */
function markedTags(highlighted: string): string[] {
  return highlighted
    .split('; ')
    .filter((tag) => tag.includes('\u0001'))
    .map((tag) => tag.replaceAll('\u0001', '').replaceAll('\u0002', ''));
}

interface TokenReasonRow {
  sae_id: string;
  feature: number;
  kind: 'frequent' | 'boosted';
  rank: number;
  token: string;
  share: number | null;
  weight: number;
}

function tokenReasons(db: Database, keyMatch: string, params: Record<string, SqlValue>): TokenReasonRow[] {
  return db.all<TokenReasonRow>(
    `SELECT p.value ->> 0 AS sae_id, t.feature, t.kind, t.rank, t.token, ${tokenShare} AS share, ${tokenWeight} AS weight
     FROM json_each(@page) p CROSS JOIN feature_logits t ON t.run_id = p.value ->> 2 AND t.feature = p.value ->> 1 AND ${keyMatch} AND t.kind IN ('frequent', 'boosted')
     LEFT JOIN feature_stats s ON s.run_id = t.run_id AND s.feature = t.feature`,
    params,
  );
}

function addToken(add: (saeId: string, feature: number, match: SearchMatch, weight: number) => void, r: TokenReasonRow): void {
  const match: SearchMatch =
    r.kind === 'frequent' ? { kind: 'token', token: r.token, share: r.share ?? 0 } : { kind: 'boosted', token: r.token, rank: r.rank };
  add(r.sae_id, r.feature, match, r.weight);
}
