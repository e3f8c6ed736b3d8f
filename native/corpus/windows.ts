import type { Tokenizer } from '../formats/index.js';
import { CorpusError, TagVocab, tokenTags } from './index.js';
import type { Corpus, CorpusDocument } from './index.js';

/**
 * Corpus → fixed-length token windows, the one policy that indexing, training, evaluation and
 * comparisons share, so that a token is read the same way everywhere (and as the Prompt view reads
 * a text: after the model's BOS).
 *
 * - Every window starts with the model's BOS at position 0 (GPT-2: `<|endoftext|>`, which the demo
 *   model saw between documents in training). The BOS is never counted.
 * - A document at least a window long gets windows of its own: the first holds its start right
 *   after the BOS; each next one starts `burnIn` tokens before the previous one ended, and those
 *   burn-in tokens are read again (as left context) but not counted; the last window is aligned to
 *   the document's end. Every document token is counted exactly once, and with at least `burnIn`
 *   tokens of its own document before it, or at its document's start.
 * - Shorter documents are packed behind one BOS, separated by EOS, as the model was trained
 *   (doc, EOS, doc …); a document that does not fit starts the next window, and the rest of the
 *   window is padding (EOS, uncounted: with causal attention it changes nothing before it).
 * - `counted[t]` says which positions count: only document tokens, never BOS, separators, padding or
 *   burn-in. `maxTokens` caps the counted tokens exactly (the last window's mask is cut).
 *
 * Documents are tokenised one at a time; only the current document is held.
 */

export interface TokenWindowOptions {
  /** Tokens per window, BOS included (default 128). */
  contextLength?: number;
  /** Tokens of a long document re-read, uncounted, at the start of each window after its first (default min(32, contextLength / 8)). */
  burnIn?: number;
  /** Stop when this many tokens are counted (the last window's mask is cut to the exact total). */
  maxTokens?: number;
  /** Where tag ids come from; pass one to share ids across passes or to read them back. */
  tagVocab?: TagVocab;
  /** Applied to each annotation tag before it gets an id (e.g. `coarseBrownTag`). */
  tagMap?: (tag: string) => string;
}

/** Where one document's slice sits in a window. */
export interface WindowSegment {
  docId: string;
  /** Window position of the document's first token here. */
  tokenStart: number;
  /** Where the slice starts in the window's `text`. */
  textStart: number;
  /** Where the slice starts in the document's text (add `offset - textStart` to map a token back). */
  docStart: number;
}

export interface TokenWindow {
  /** 0, 1, 2 … in stream order: what a resumed job skips to. */
  index: number;
  /** [contextLength] token ids */
  ids: Int32Array;
  /** [contextLength] 1 where the position counts in statistics (document tokens outside the burn-in) */
  counted: Uint8Array;
  /** [contextLength] 1 for every document token, burn-in included: where an SAE is spliced in (not the BOS, separators, padding) */
  inDocument: Uint8Array;
  /** The document of the window's first document token. */
  docId: string;
  /**
   * [contextLength, 2] [start, end) of each token in `text`, UTF-16 units. The BOS and the padding
   * are empty spans (the text does not show them); a separator EOS spans the EOS text.
   */
  offsets: Int32Array;
  /** [contextLength] tag id (in `tagVocab`) of each token, -1 for none; only for annotated corpora. */
  tags?: Int32Array;
  /** What the window's document tokens cover, with the EOS text where a separator stands. */
  text: string;
  segments: WindowSegment[];
}

export type WindowTokenizer = Pick<Tokenizer, 'encode' | 'eosId' | 'tokenText' | 'path'> & { bosId?: number };

/** The default burn-in for a context length. */
export function defaultBurnIn(contextLength: number): number {
  return Math.min(32, Math.floor(contextLength / 8));
}

function checkOptions(options: TokenWindowOptions): { contextLength: number; need: number; burnIn: number } {
  const contextLength = options.contextLength ?? 128;
  if (!Number.isInteger(contextLength) || contextLength < 2)
    throw new RangeError(`contextLength must be an integer ≥ 2 (a BOS and a token), got ${contextLength}`);
  const need = contextLength - 1;
  const burnIn = options.burnIn ?? defaultBurnIn(contextLength);
  if (!Number.isInteger(burnIn) || burnIn < 0 || burnIn >= need)
    throw new RangeError(`burnIn must be an integer from 0 to ${need - 1}, got ${burnIn}`);
  const max = options.maxTokens;
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1))
    throw new RangeError(`maxTokens must be a positive integer, got ${max}`);
  return { contextLength, need, burnIn };
}

/** One document, tokenised. */
interface Doc {
  doc: CorpusDocument;
  /** [n] */ ids: Int32Array;
  /** [n, 2] into doc.text */ offsets: Int32Array;
  /** [n] */ tags: Int32Array | null;
}

/** Builds one window: a BOS, then document slices and separators, then padding. */
class WindowBuilder {
  readonly ids: Int32Array;
  readonly counted: Uint8Array;
  readonly inDocument: Uint8Array;
  readonly offsets: Int32Array;
  readonly tags: Int32Array | undefined;
  readonly #parts: string[] = [];
  readonly segments: WindowSegment[] = [];
  #textLength = 0;
  /** Next free position. */
  at = 1;

  constructor(
    readonly contextLength: number,
    readonly bosId: number,
    readonly eosId: number,
    readonly eosText: string,
    annotated: boolean,
  ) {
    this.ids = new Int32Array(contextLength).fill(eosId);
    this.ids[0] = bosId;
    this.counted = new Uint8Array(contextLength);
    this.inDocument = new Uint8Array(contextLength);
    this.offsets = new Int32Array(2 * contextLength);
    this.tags = annotated ? new Int32Array(contextLength).fill(-1) : undefined;
  }

  get room(): number {
    return this.contextLength - this.at;
  }

  separator(): void {
    const w = this.at++;
    this.ids[w] = this.eosId;
    this.offsets[2 * w] = this.#textLength;
    this.offsets[2 * w + 1] = this.#textLength + this.eosText.length;
    this.#parts.push(this.eosText);
    this.#textLength += this.eosText.length;
  }

  /** Document tokens [from, to); those at or after `countFrom` are counted. */
  slice(d: Doc, from: number, to: number, countFrom: number): void {
    const docStart = d.offsets[2 * from];
    let docEnd = docStart;
    for (let k = from; k < to; k++) docEnd = Math.max(docEnd, d.offsets[2 * k + 1]);
    this.segments.push({ docId: d.doc.id, tokenStart: this.at, textStart: this.#textLength, docStart });
    for (let k = from; k < to; k++) {
      const w = this.at++;
      this.ids[w] = d.ids[k];
      // A special token written in the text (e.g. a literal <|endoftext|>) is the model's marker, not text.
      const special = d.ids[k] === this.bosId || d.ids[k] === this.eosId;
      this.inDocument[w] = special ? 0 : 1;
      this.counted[w] = k >= countFrom && !special ? 1 : 0;
      this.offsets[2 * w] = d.offsets[2 * k] - docStart + this.#textLength;
      this.offsets[2 * w + 1] = d.offsets[2 * k + 1] - docStart + this.#textLength;
      if (this.tags && d.tags) this.tags[w] = d.tags[k];
    }
    this.#parts.push(d.doc.text.slice(docStart, docEnd));
    this.#textLength += docEnd - docStart;
  }

  /** Counts at most `budget` positions (the first ones); returns how many it counts. */
  cap(budget: number): number {
    let n = 0;
    for (let t = 0; t < this.contextLength; t++) {
      if (!this.counted[t]) continue;
      if (n >= budget) this.counted[t] = 0;
      else n++;
    }
    return n;
  }

  finish(index: number): TokenWindow {
    // Padding and the BOS are empty spans at the text's end and start.
    for (let w = this.at; w < this.contextLength; w++) this.offsets[2 * w] = this.offsets[2 * w + 1] = this.#textLength;
    return {
      index,
      ids: this.ids,
      counted: this.counted,
      inDocument: this.inDocument,
      docId: this.segments[0]?.docId ?? '',
      offsets: this.offsets,
      ...(this.tags ? { tags: this.tags } : {}),
      text: this.#parts.join(''),
      segments: this.segments,
    };
  }
}

/**
 * Token windows over a corpus (the policy at the top of this file). Deterministic: the same
 * corpus, tokenizer and options give the same windows. Fails if the corpus has no token at all.
 */
export async function* tokenWindows(
  corpus: Corpus,
  tokenizer: WindowTokenizer,
  options: TokenWindowOptions = {},
): AsyncGenerator<TokenWindow> {
  const { contextLength, need, burnIn } = checkOptions(options);
  const eosId = tokenizer.eosId ?? tokenizer.bosId;
  const bosId = tokenizer.bosId ?? tokenizer.eosId;
  if (eosId === undefined || bosId === undefined)
    throw new CorpusError(`tokenizer ${tokenizer.path} has no BOS or end-of-text token to start windows and separate documents with`);
  const vocab = options.tagVocab ?? new TagVocab();
  const eosText = tokenizer.tokenText(eosId);
  const newWindow = () => new WindowBuilder(contextLength, bosId, eosId, eosText, corpus.annotated);
  let budget = options.maxTokens ?? Number.POSITIVE_INFINITY;
  let index = 0;
  let packed: WindowBuilder | null = null;
  /** A finished window, its count cut to what is left of the budget. */
  const emit = (w: WindowBuilder): TokenWindow => {
    budget -= w.cap(budget);
    return w.finish(index++);
  };
  for await (const doc of corpus.documents()) {
    const { ids, offsets } = tokenizer.encode(doc.text);
    const n = ids.length;
    if (n === 0) continue;
    const tags = doc.annotations ? tokenTags(offsets, doc.annotations, doc.text.length, vocab, options.tagMap) : null;
    const d: Doc = { doc, ids, offsets, tags };
    if (n < need) {
      if (packed && packed.room < n + 1) {
        yield emit(packed);
        packed = null;
        if (budget <= 0) return;
      }
      packed ??= newWindow();
      if (packed.at > 1) packed.separator();
      packed.slice(d, 0, n, 0);
      continue;
    }
    if (packed) {
      yield emit(packed);
      packed = null;
      if (budget <= 0) return;
    }
    let countFrom = 0;
    for (let start = 0; ; start = countFrom - burnIn) {
      const from = Math.min(start, n - need);
      const w = newWindow();
      w.slice(d, from, from + need, countFrom);
      yield emit(w);
      if (budget <= 0) return;
      countFrom = from + need;
      if (countFrom >= n) break;
    }
  }
  if (packed) yield emit(packed);
  else if (index === 0) throw new CorpusError(`corpus "${corpus.spec}" has no tokens`);
}

/** Counted positions of a window. */
export function countedTokens(window: Pick<TokenWindow, 'counted'>): number {
  let n = 0;
  for (const c of window.counted) n += c;
  return n;
}
