/**
 * What the search box means by what is typed:
 * - "#42" opens feature 42 of the SAE;
 * - text with a letter or digit searches labels, notes, tags and top tokens. The store quotes every
 *   word and treats a word ending in "*" as a prefix; while a word is still being typed it is a
 *   prefix ("determ" already finds "determiner"); a trailing space matches the word whole;
 * - anything else (".", ",", "—") is a token: features that fire on or boost it.
 */
export type SearchRequest =
  { kind: 'none' } | { kind: 'index'; index: number } | { kind: 'text'; text: string } | { kind: 'token'; token: string };

export function parseSearch(input: string): SearchRequest {
  const trimmed = input.trim();
  if (trimmed.length === 0) return { kind: 'none' };
  const index = /^#(\d{1,10})$/u.exec(trimmed);
  if (index) return { kind: 'index', index: Number(index[1]) };
  if (!/[\p{L}\p{N}]/u.test(trimmed)) return { kind: 'token', token: trimmed };
  return { kind: 'text', text: searchText(input) };
}

/** The text half of parseSearch: a prefix "*" on an unfinished last word. */
export function searchText(input: string): string {
  const text = input.trimStart();
  if (text.length === 0 || /\s$/u.test(text) || text.endsWith('*')) return text.trim();
  return /[\p{L}\p{N}]$/u.test(text) ? `${text}*` : text;
}
