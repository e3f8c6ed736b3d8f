import { BYTE_TO_CHAR } from '../../formats/byte-level.js';

/**
 * How a vocabulary spells a token that starts a word, i.e. follows a space in running text:
 * - byte-level BPE (GPT-2, GPT-NeoX, Llama 3, Qwen): the space is part of the token, written 'Ġ'
 *   ("Ġdog"), and every byte of the word is a stand-in character;
 * - SentencePiece-style BPE (Llama 2, Gemma, Mistral): the space is written '▁' ("▁dog") and the
 *   word's characters are themselves.
 * Park et al. build their concepts from these forms only (`space_char + word`): the same letters
 * without the marker are a piece inside some longer word ("dog" in "hotdog").
 */
export interface WordStartScheme {
  kind: 'byte-level' | 'metaspace';
  /** the character that stands for the space before a word */
  marker: string;
  /** The vocabulary's spelling of `word` as one word-initial token. */
  spell(word: string): string;
}

const utf8 = new TextEncoder();

export const byteLevelWordStart: WordStartScheme = {
  kind: 'byte-level',
  marker: 'Ġ',
  spell: (word) => Array.from(utf8.encode(` ${word}`), (b) => BYTE_TO_CHAR[b]).join(''),
};

export const metaspaceWordStart: WordStartScheme = {
  kind: 'metaspace',
  marker: '▁',
  spell: (word) => `▁${word}`,
};

/**
 * The scheme a vocabulary uses, from how many of its tokens start with each marker: a byte-level
 * vocabulary has thousands of 'Ġ…' tokens and (almost) no '▁…' ones, a SentencePiece one the reverse.
 */
export function detectWordStart(rawTokens: readonly string[]): WordStartScheme {
  let g = 0;
  let m = 0;
  for (const t of rawTokens) {
    if (t.startsWith('Ġ')) g++;
    else if (t.startsWith('▁')) m++;
  }
  return m > g ? metaspaceWordStart : byteLevelWordStart;
}
