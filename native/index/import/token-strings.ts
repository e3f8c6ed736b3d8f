import type { Tokenizer } from '../../formats/tokenizer.js';

/**
 * Token strings of an export back to the model's ids. SAEDashboard writes each token as its
 * vocabulary spells it ("Ġthe") or, after its own clean-up, as text (" the"); both are looked up.
 * A string the vocabulary does not hold ("<|outofrange|>", a merged piece) keeps its text and has
 * no id (-1): it is shown, never guessed.
 */
export class TokenStrings {
  readonly #byRaw = new Map<string, number>();
  readonly #byText = new Map<string, number>();
  /** [vocabSize] each id's display text, computed once (a 10 GB export shows the same tokens millions of times) */
  readonly #texts: string[] = [];
  /** distinct strings that matched no token */
  readonly unknown = new Set<string>();

  constructor(readonly tokenizer: Tokenizer) {
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      const raw = tokenizer.idToToken(id);
      if (raw !== undefined && !this.#byRaw.has(raw)) this.#byRaw.set(raw, id);
      const text = tokenizer.tokenText(id);
      this.#texts.push(text);
      if (text !== undefined && !this.#byText.has(text)) this.#byText.set(text, id);
    }
  }

  /** The token's id, or -1. */
  id(token: string): number {
    const id = this.#byRaw.get(token) ?? this.#byText.get(token);
    if (id === undefined) {
      this.unknown.add(token);
      return -1;
    }
    return id;
  }

  /** How the page shows the token: the model's text for a known id, the export's string otherwise. */
  text(token: string, id: number): string {
    return id >= 0 ? this.#texts[id] : token;
  }
}

/** A window of token strings as text with [nTokens, 2] offsets, and [nTokens] ids (-1 unknown). */
export function windowOfStrings(strings: TokenStrings, tokens: readonly string[]): { text: string; ids: Int32Array; offsets: Int32Array } {
  const ids = new Int32Array(tokens.length);
  const offsets = new Int32Array(2 * tokens.length);
  let text = '';
  tokens.forEach((t, i) => {
    ids[i] = strings.id(t);
    offsets[2 * i] = text.length;
    text += strings.text(t, ids[i]);
    offsets[2 * i + 1] = text.length;
  });
  return { text, ids, offsets };
}

/** A window of token ids as text with offsets (delphi caches store ids). */
export function windowOfIds(tokenizer: Tokenizer, ids: Int32Array): { text: string; offsets: Int32Array } {
  const offsets = new Int32Array(2 * ids.length);
  let text = '';
  for (let i = 0; i < ids.length; i++) {
    offsets[2 * i] = text.length;
    text += ids[i] >= 0 && ids[i] < tokenizer.vocabSize ? tokenizer.tokenText(ids[i]) : '';
    offsets[2 * i + 1] = text.length;
  }
  return { text, offsets };
}
