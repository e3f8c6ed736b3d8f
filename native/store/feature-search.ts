import type { Database } from './database.js';
import type { FeatureKey } from './feature-key.js';

/**
 * Full-text search over each feature's label, notes, tags and top tokens (FTS5, see migration 2).
 * This module writes `feature_docs` (the FTS5 content table, kept in step by triggers in the same
 * transaction as the write) and turns what a person types into a query FTS5 cannot choke on.
 */

/**
 * User text → an FTS5 query that is always valid: every whitespace-separated word becomes a quoted
 * string (inner quotes doubled), so `AND`, `(`, `:`, `-`, `^` and stray quotes are plain text; a word
 * ending in `*` keeps it as a prefix search. Words with no letter or digit are dropped (the
 * tokenizer would drop them too). Words are ANDed. Returns null when nothing searchable is left.
 */
export function ftsQuery(text: string): string | null {
  const parts: string[] = [];
  for (const raw of text.normalize('NFC').split(/\s+/u)) {
    const prefix = raw.endsWith('*');
    const word = raw.replace(/\*+$/u, '');
    if (!/[\p{L}\p{N}]/u.test(word)) continue;
    parts.push(`"${word.replaceAll('"', '""')}"${prefix ? '*' : ''}`);
  }
  return parts.length > 0 ? parts.join(' ') : null;
}

/** Tags as the search index sees them: one string, `; `-separated (the CSV export's separator too). */
export function tagsText(tags: readonly string[]): string {
  return tags.join('; ');
}

/** Keeps a feature's label, notes and tags searchable; call inside the label write's transaction. */
export function writeSearchLabel(db: Database, key: FeatureKey, doc: { label: string; notes: string; tags: readonly string[] }): void {
  db.run(
    `INSERT INTO feature_docs (sae_id, feature, label, notes, tags) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (sae_id, feature) DO UPDATE SET label = excluded.label, notes = excluded.notes, tags = excluded.tags`,
    [key.saeId, key.index, doc.label, doc.notes, tagsText(doc.tags)],
  );
}

/**
 * Makes the SAE's searchable top tokens those of `runId` (the tokens each feature fires on most,
 * then those it boosts most). Labels, notes and tags in the same rows are left as they are.
 */
export function refreshSearchTokens(db: Database, saeId: string, runId: number): void {
  db.transaction(() => {
    db.run(
      `UPDATE feature_docs SET tokens = '' WHERE sae_id = ? AND tokens <> '' AND feature NOT IN
         (SELECT feature FROM feature_logits WHERE run_id = ? AND kind IN ('frequent', 'boosted'))`,
      [saeId, runId],
    );
    db.run(
      `INSERT INTO feature_docs (sae_id, feature, tokens)
       SELECT ?, feature, group_concat(token, ' ' ORDER BY kind DESC, rank) FROM feature_logits
       WHERE run_id = ? AND kind IN ('frequent', 'boosted') GROUP BY feature
       ON CONFLICT (sae_id, feature) DO UPDATE SET tokens = excluded.tokens WHERE tokens <> excluded.tokens`,
      [saeId, runId],
    );
  });
}

/** FTS5's own check that the index matches feature_docs: throws SQLITE_CORRUPT_VTAB if not. */
export function checkSearchIndex(db: Database): void {
  db.run(`INSERT INTO feature_search (feature_search, rank) VALUES ('integrity-check', 1)`);
}
