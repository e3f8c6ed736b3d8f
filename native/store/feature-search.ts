import type { Database } from './database.js';
import type { FeatureKey } from '../api/types.js';

/**
 * Full-text search over each feature's label, notes and tags (FTS5, see migration 2). This module
 * writes `feature_docs` (the FTS5 content table, kept in step by triggers in the same transaction as
 * the write) and turns what a person types into words FTS5 cannot choke on. Token matches do not go
 * through FTS5: they read the token lists themselves (feature-match.ts).
 */

/** One word of a search: its text (NFC) and whether it matches as a prefix (typed with a trailing `*`). */
export interface SearchWord {
  text: string;
  prefix: boolean;
}

/**
 * User text → words: whitespace-separated, a trailing `*` makes a prefix, words with no letter or
 * digit are dropped (the FTS tokenizer would drop them too). Every word must match.
 */
export function searchWords(text: string): SearchWord[] {
  const words: SearchWord[] = [];
  for (const raw of text.normalize('NFC').split(/\s+/u)) {
    const word = raw.replace(/\*+$/u, '');
    if (/[\p{L}\p{N}]/u.test(word)) words.push({ text: word, prefix: raw.endsWith('*') });
  }
  return words;
}

/** One word as an FTS5 string: quoted (inner quotes doubled), so `AND`, `(`, `:`, `-`, `^` are plain text. */
export function ftsWord(word: SearchWord): string {
  return `"${word.text.replaceAll('"', '""')}"${word.prefix ? '*' : ''}`;
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
