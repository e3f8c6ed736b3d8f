import type { Tokenizer } from '../../formats/index.js';
import type { BrownUsage } from './brown-usage.js';
import { brownUsage } from './brown-usage.js';
import { detectWordStart } from './word-start.js';
import type { WordStartScheme } from './word-start.js';

/**
 * A model's vocabulary as the concept views read it: each token's text, how the vocabulary spells
 * a word-initial token, how running text is cut into tokens, and, from the Brown corpus cut that
 * way, how often each token is a whole word rather than the start of a longer one.
 */
export interface Vocabulary {
  /** [dVocab] each token's text, byte-level characters mapped back (" dog", not "Ġdog") */
  texts: string[];
  /** the vocabulary's own spelling ("Ġdog", "▁dog") → token id (a duplicate keeps the lowest id) */
  rawIds: Map<string, number>;
  scheme: WordStartScheme;
  /** The tokens `word` becomes when it follows a space in running text. */
  piecesOf(word: string): number[];
  usage: BrownUsage;
  /** [dVocab] Brown word occurrences (after a space) whose first token is this one */
  starts: Float64Array;
  /** [dVocab] of those, the occurrences that are this token alone */
  wholes: Float64Array;
}

export interface TokenizerView {
  /** [dVocab] the vocabulary's spelling of each token */
  raw: readonly string[];
  /** [dVocab] readable text of each token */
  texts: readonly string[];
  encode(text: string): ArrayLike<number>;
}

/** A one-token word that no BPE merges with what follows a space ("a dog" → "a", "Ġdog"). */
const probe = 'a';

/**
 * The tokens of `word` after a space, read off "a word" minus the tokens of "a": whatever a
 * tokenizer does with a leading space (byte-level keeps it in "Ġword"; SentencePiece normalizers
 * turn it into "▁", and some also prepend one), a word in mid-sentence is cut the same way.
 */
export function wordPieces(
  encode: (text: string) => ArrayLike<number>,
  word: string,
  head: readonly number[] = Array.from(encode(probe)),
): number[] {
  const all = Array.from(encode(`${probe} ${word}`));
  const same = head.every((id, i) => all[i] === id);
  return same ? all.slice(head.length) : Array.from(encode(` ${word}`));
}

/** Brown spellings that start with a letter: the words whose first token says what a token is used for. */
function wordSpellings(usage: BrownUsage): [string, number][] {
  const out: [string, number][] = [];
  for (const [spelling, use] of usage) if (/^\p{L}/u.test(spelling)) out.push([spelling, use.all]);
  return out;
}

/**
 * Cuts every Brown word into tokens (≈ 56,000 spellings, about a second) and counts, per token,
 * the occurrences it starts and those it is all of.
 */
export function buildVocabulary(view: TokenizerView, usage: BrownUsage = brownUsage()): Vocabulary {
  const dVocab = view.raw.length;
  if (view.texts.length !== dVocab) throw new RangeError(`buildVocabulary: ${view.texts.length} texts for ${dVocab} tokens`);
  const rawIds = new Map<string, number>();
  view.raw.forEach((t, id) => {
    if (!rawIds.has(t)) rawIds.set(t, id);
  });
  const head = Array.from(view.encode(probe));
  const piecesOf = (word: string) => wordPieces(view.encode, word, head);
  const starts = new Float64Array(dVocab);
  const wholes = new Float64Array(dVocab);
  for (const [spelling, uses] of wordSpellings(usage)) {
    const pieces = piecesOf(spelling);
    const first = pieces[0];
    if (first === undefined || first >= dVocab) continue;
    starts[first] += uses;
    if (pieces.length === 1) wholes[first] += uses;
  }
  return { texts: [...view.texts], rawIds, scheme: detectWordStart(view.raw), piecesOf, usage, starts, wholes };
}

/** A model's vocabulary of `dVocab` rows through its tokenizer (rows past the tokenizer's size are empty). */
export function vocabularyOfTokenizer(tokenizer: Tokenizer, dVocab: number): Vocabulary {
  const n = Math.min(dVocab, tokenizer.vocabSize);
  const raw = Array.from({ length: dVocab }, (_, i) => (i < n ? tokenizer.idToToken(i) : ''));
  const texts = Array.from({ length: dVocab }, (_, i) => (i < n ? tokenizer.tokenText(i) : ''));
  return buildVocabulary({ raw, texts, encode: (text) => tokenizer.encode(text).ids });
}
