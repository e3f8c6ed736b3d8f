import { anyUses, nounUses } from './brown-usage.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * THE rule for which words a concept keeps (one home: WordNet synsets and word lists both use it).
 * A word counts when it is ONE token of the vocabulary as a whole word, and that token means it:
 * 1. one word of letters only, at least `minLetters` long ("b", "ex" never enter);
 * 2. as written after a space in running text it is exactly one token, the vocabulary's
 *    word-initial spelling of it ("Ġdog" in GPT-2's byte-level BPE, "▁dog" in SentencePiece);
 *    only the spelling given: a lowercase WordNet lemma ("brit", a young herring) is not matched
 *    by a capitalised token ("Brit"), a capitalised one ("American") keeps its capital;
 * 3. that token is the whole word in at least `minWholeShare` of the Brown words it begins: a token
 *    that mostly begins longer words (" con" in "control", "conduct"…) is a word piece, and its
 *    unembedding stands for those words more than for the lemma;
 * 4. Brown uses the word at least `minUses` times, in any part of speech for a word list, and as a
 *    noun for WordNet's nouns ("have" is a verb there, never "a wealthy person");
 * 5. a WordNet noun is a noun in at least `minNounShare` of its Brown uses: the token's unembedding
 *    serves what the word mostly is ("national", "general", "rose" are adjectives and verbs first).
 * Plurals are not generated (Park et al. add them with `inflect`; English plurals need a dictionary).
 */
export const wholeWordRule = { minLetters: 3, minWholeShare: 0.1, minUses: 3, minNounShare: 0.5 } as const;

/** What a word is used as, for rule 4: WordNet's nouns, or a word list of any part of speech. */
export type WordRole = 'noun' | 'any';

/** Why a word was dropped; 'other-sense' is WordNet's (synset-tokens.ts): its dominant sense lies elsewhere. */
export type DropReason = 'phrase' | 'not-letters' | 'short' | 'pieces' | 'word-piece' | 'rare' | 'not-noun' | 'other-sense';

export interface WordVerdict {
  word: string;
  /** the token, when the word is kept */
  tokenId: number | null;
  reason: DropReason | null;
}

/** The order reasons are listed in: most common first. */
export const dropReasons: readonly DropReason[] = [
  'phrase',
  'pieces',
  'not-letters',
  'short',
  'word-piece',
  'rare',
  'not-noun',
  'other-sense',
];

const letters = /^\p{L}+$/u;

/** The share of the Brown words a token begins that are the token alone (NaN when it begins none). */
export function wholeShare(vocab: Vocabulary, tokenId: number): number {
  const starts = vocab.starts[tokenId];
  return starts > 0 ? vocab.wholes[tokenId] / starts : Number.NaN;
}

function uses(vocab: Vocabulary, word: string, role: WordRole): number {
  return role === 'noun' ? nounUses(vocab.usage, word) : anyUses(vocab.usage, word);
}

/** Rule 2: the word's single word-initial token, or null. */
function singleToken(vocab: Vocabulary, word: string): number | null {
  const id = vocab.rawIds.get(vocab.scheme.spell(word));
  // Cheap test first: a word whose spelling is no token cannot be one token.
  if (id === undefined) return null;
  const pieces = vocab.piecesOf(word);
  return pieces.length === 1 && pieces[0] === id ? id : null;
}

/** Whether the word enters a concept, and if not, the first rule it fails. */
export function judgeWord(word: string, vocab: Vocabulary, role: WordRole): WordVerdict {
  const w = word.trim();
  const drop = (reason: DropReason): WordVerdict => ({ word: w, tokenId: null, reason });
  if (/\s/.test(w)) return drop('phrase');
  if (!letters.test(w)) return drop('not-letters');
  if ([...w].length < wholeWordRule.minLetters) return drop('short');
  const id = singleToken(vocab, w);
  if (id === null) return drop('pieces');
  if (!(wholeShare(vocab, id) >= wholeWordRule.minWholeShare)) return drop('word-piece');
  if (uses(vocab, w, role) < wholeWordRule.minUses) return drop('rare');
  if (role === 'noun' && nounUses(vocab.usage, w) < wholeWordRule.minNounShare * anyUses(vocab.usage, w)) return drop('not-noun');
  return { word: w, tokenId: id, reason: null };
}

/** The token texts joined by "·", the leading space dropped: "dachshund" → "d·ach·sh·und". */
function spelledPieces(vocab: Vocabulary, word: string): string {
  return vocab
    .piecesOf(word)
    .map((id) => vocab.texts[id] ?? '?')
    .join('·')
    .trimStart();
}

/** A short, plain-text why for a dropped word (empty for a kept one). */
export function describeDrop(verdict: WordVerdict, vocab: Vocabulary, role: WordRole): string {
  const w = verdict.word;
  switch (verdict.reason) {
    case null:
      return '';
    case 'phrase':
      return 'several words';
    case 'not-letters':
      return 'not all letters';
    case 'short':
      return `under ${wholeWordRule.minLetters} letters`;
    case 'pieces': {
      const n = vocab.piecesOf(w).length;
      return `${n} token${n === 1 ? '' : 's'}: ${spelledPieces(vocab, w)}`;
    }
    case 'word-piece': {
      const id = vocab.rawIds.get(vocab.scheme.spell(w)) as number;
      const share = wholeShare(vocab, id);
      return Number.isNaN(share)
        ? 'a token Brown never uses'
        : `whole in ${Math.round(share * 100)}% of its ${vocab.starts[id].toLocaleString('en-US')} Brown uses`;
    }
    case 'rare': {
      const n = uses(vocab, w, role);
      return `${role === 'noun' ? 'a noun ' : ''}${n}× in Brown`;
    }
    case 'not-noun':
      return `a noun in ${nounUses(vocab.usage, w)} of its ${anyUses(vocab.usage, w)} Brown uses`;
    case 'other-sense':
      return 'mostly another sense';
  }
}

/** What a word list became in this vocabulary. */
export interface WordMatch {
  /** [nTokens] distinct token ids, ascending */
  tokenIds: number[];
  /** words kept */
  found: string[];
  /** words dropped, in the order given */
  missing: string[];
  /** each dropped word and why */
  dropped: { word: string; reason: DropReason; detail: string }[];
}

/** A word list through the rule, each word as written (a list is any part of speech). */
export function matchWords(words: Iterable<string>, vocab: Vocabulary): WordMatch {
  const tokens = new Set<number>();
  const found: string[] = [];
  const dropped: WordMatch['dropped'] = [];
  const seen = new Set<string>();
  for (const word of words) {
    const key = word.trim();
    if (key.length === 0 || seen.has(key)) continue;
    seen.add(key);
    const verdict = judgeWord(key, vocab, 'any');
    if (verdict.tokenId !== null) {
      found.push(key);
      tokens.add(verdict.tokenId);
    } else {
      dropped.push({ word: key, reason: verdict.reason as DropReason, detail: describeDrop(verdict, vocab, 'any') });
    }
  }
  return { tokenIds: [...tokens].sort((a, b) => a - b), found, missing: dropped.map((d) => d.word), dropped };
}
