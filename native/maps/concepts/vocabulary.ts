/**
 * Words → single tokens of a model's vocabulary. A concept is a set of words; each word counts when
 * one of its surface forms is exactly one token: the word as written, lowercased and Capitalised,
 * each with and without a leading space (byte-level BPE spells " dog" and "dog" as different tokens).
 * Plurals are not generated: WordNet lists lemmas, and English plurals need a dictionary of their own.
 */
export interface Vocabulary {
  /** [dVocab] each token's text, byte-level characters mapped back (" dog", not "Ġdog") */
  texts: string[];
  /** text → token id (texts are unique in a BPE vocabulary; a duplicate keeps the lowest id) */
  ids: Map<string, number>;
}

export function buildVocabulary(texts: readonly string[]): Vocabulary {
  const ids = new Map<string, number>();
  texts.forEach((text, id) => {
    if (!ids.has(text)) ids.set(text, id);
  });
  return { texts: [...texts], ids };
}

/** The surface forms of a word that a single token can spell. */
export function wordForms(word: string): string[] {
  const w = word.trim();
  if (w.length === 0) return [];
  const lower = w.toLowerCase();
  const capital = lower.charAt(0).toUpperCase() + lower.slice(1);
  const bases = new Set([w, lower, capital]);
  const forms = new Set<string>();
  for (const b of bases) {
    forms.add(b);
    forms.add(` ${b}`);
  }
  return [...forms];
}

/** The token ids of the word's forms that are single tokens, ascending. */
export function wordTokenIds(word: string, vocab: Vocabulary): number[] {
  const found = new Set<number>();
  for (const form of wordForms(word)) {
    const id = vocab.ids.get(form);
    if (id !== undefined) found.add(id);
  }
  return [...found].sort((a, b) => a - b);
}

/** What a word list became in this vocabulary. */
export interface WordMatch {
  /** [nTokens] distinct token ids, ascending */
  tokenIds: number[];
  /** words with at least one single-token form */
  found: string[];
  /** words with none */
  missing: string[];
}

export function matchWords(words: Iterable<string>, vocab: Vocabulary): WordMatch {
  const tokens = new Set<number>();
  const found: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const word of words) {
    const key = word.trim();
    if (key.length === 0 || seen.has(key)) continue;
    seen.add(key);
    const ids = wordTokenIds(key, vocab);
    (ids.length > 0 ? found : missing).push(key);
    for (const id of ids) tokens.add(id);
  }
  return { tokenIds: [...tokens].sort((a, b) => a - b), found, missing };
}
