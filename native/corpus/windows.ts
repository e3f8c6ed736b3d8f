import type { Tokenizer } from '../formats/index.js';
import { CorpusError, TagVocab, tokenTags } from './index.js';
import type { Corpus, CorpusDocument } from './index.js';

/**
 * Corpus → fixed-length token windows, packed the way GPT-2 style models are trained: the token
 * stream is doc₀, EOS, doc₁, EOS, … and windows are consecutive slices of it, so a short document
 * (or a long one's tail) shares its window with the next document behind an EOS token. Nothing is
 * dropped but the stream's last partial window. Documents are tokenised one at a time; only the
 * current document and one window's worth of tokens are held.
 */

export interface TokenWindowOptions {
  /** Tokens per window (default 128). */
  contextLength?: number;
  /** Stream tokens between window starts (default: a window's stream tokens, so windows do not overlap). */
  stride?: number;
  /** Start every window with EOS (then it holds contextLength - 1 stream tokens). Default false. */
  prependEos?: boolean;
  /** Stop before the window that would take the total past this many tokens. */
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
  /** The document of the window's first document token. */
  docId: string;
  /** [contextLength, 2] [start, end) of each token in `text`, UTF-16 units; an EOS token spans the EOS text. */
  offsets: Int32Array;
  /** [contextLength] tag id (in `tagVocab`) of each token, -1 for none; only for annotated corpora. */
  tags?: Int32Array;
  /** What the window covers, for display: document slices, with the EOS token's text where EOS stands. */
  text: string;
  segments: WindowSegment[];
}

type WindowTokenizer = Pick<Tokenizer, 'encode' | 'eosId' | 'tokenText' | 'path'>;

/** A run of stream tokens: one document's tokens, or a single EOS (doc null). */
interface Piece {
  doc: CorpusDocument | null;
  /** [n] */ ids: Int32Array;
  /** [n, 2] into doc.text */ offsets: Int32Array;
  /** [n] */ tags: Int32Array | null;
}

function checkOptions(options: TokenWindowOptions): { contextLength: number; need: number; stride: number } {
  const contextLength = options.contextLength ?? 128;
  if (!Number.isInteger(contextLength) || contextLength < (options.prependEos ? 2 : 1)) {
    throw new RangeError(`contextLength must be an integer ≥ ${options.prependEos ? 2 : 1}, got ${contextLength}`);
  }
  const need = contextLength - (options.prependEos ? 1 : 0);
  const stride = options.stride ?? need;
  if (!Number.isInteger(stride) || stride < 1 || stride > need) throw new RangeError(`stride must be an integer from 1 to ${need}, got ${stride}`);
  const max = options.maxTokens;
  if (max !== undefined && (!Number.isInteger(max) || max < contextLength)) {
    throw new RangeError(`maxTokens must be an integer of at least one window (${contextLength} tokens), got ${max}`);
  }
  return { contextLength, need, stride };
}

/** The stream tokens not yet slid past, as pieces from a head position. */
class TokenQueue {
  pieces: Piece[] = [];
  /** Index of the head token inside pieces[0]. */
  head = 0;
  available = 0;

  push(piece: Piece): void {
    if (piece.ids.length === 0) return;
    this.pieces.push(piece);
    this.available += piece.ids.length;
  }

  advance(count: number): void {
    this.available -= count;
    this.head += count;
    while (this.pieces.length > 0 && this.head >= this.pieces[0].ids.length) this.head -= this.pieces.shift()!.ids.length;
  }
}

interface Assembly {
  contextLength: number;
  need: number;
  eosId: number;
  eosText: string;
  prependEos: boolean;
  annotated: boolean;
}

/** Copies the next `need` queued tokens into a window, rebasing each document's offsets onto the window text. */
function assembleWindow(queue: TokenQueue, a: Assembly, index: number): TokenWindow {
  const ids = new Int32Array(a.contextLength);
  const offsets = new Int32Array(2 * a.contextLength);
  const tags = a.annotated ? new Int32Array(a.contextLength).fill(-1) : undefined;
  const parts: string[] = [];
  const segments: WindowSegment[] = [];
  let textLength = 0;
  let w = 0;
  const putEos = () => {
    ids[w] = a.eosId;
    offsets[2 * w] = textLength;
    offsets[2 * w + 1] = textLength + a.eosText.length;
    parts.push(a.eosText);
    textLength += a.eosText.length;
    w++;
  };
  if (a.prependEos) putEos();
  let taken = 0;
  for (let p = 0; taken < a.need; p++) {
    const piece = queue.pieces[p];
    const from = p === 0 ? queue.head : 0;
    const n = Math.min(piece.ids.length - from, a.need - taken);
    taken += n;
    if (piece.doc === null) {
      for (let k = 0; k < n; k++) putEos();
      continue;
    }
    const docStart = piece.offsets[2 * from];
    let docEnd = docStart;
    for (let k = from; k < from + n; k++) docEnd = Math.max(docEnd, piece.offsets[2 * k + 1]);
    segments.push({ docId: piece.doc.id, tokenStart: w, textStart: textLength, docStart });
    for (let k = from; k < from + n; k++, w++) {
      ids[w] = piece.ids[k];
      offsets[2 * w] = piece.offsets[2 * k] - docStart + textLength;
      offsets[2 * w + 1] = piece.offsets[2 * k + 1] - docStart + textLength;
      if (tags && piece.tags) tags[w] = piece.tags[k];
    }
    parts.push(piece.doc.text.slice(docStart, docEnd));
    textLength += docEnd - docStart;
  }
  return { index, ids, docId: segments[0]?.docId ?? '', offsets, ...(tags ? { tags } : {}), text: parts.join(''), segments };
}

/**
 * Token windows over a corpus (packing described at the top of this file). Deterministic: the
 * same corpus, tokenizer and options give the same windows. Fails if the whole corpus is shorter
 * than one window.
 */
export async function* tokenWindows(corpus: Corpus, tokenizer: WindowTokenizer, options: TokenWindowOptions = {}): AsyncGenerator<TokenWindow> {
  const { contextLength, need, stride } = checkOptions(options);
  const eosId = tokenizer.eosId;
  if (eosId === undefined) throw new CorpusError(`tokenizer ${tokenizer.path} has no end-of-text token to separate documents with`);
  const vocab = options.tagVocab ?? new TagVocab();
  const assembly: Assembly = { contextLength, need, eosId, eosText: tokenizer.tokenText(eosId), prependEos: options.prependEos === true, annotated: corpus.annotated };
  const eosPiece: Piece = { doc: null, ids: Int32Array.of(eosId), offsets: new Int32Array(2), tags: null };
  const queue = new TokenQueue();
  let index = 0;
  let streamTokens = 0;
  for await (const doc of corpus.documents()) {
    const { ids, offsets } = tokenizer.encode(doc.text);
    const tags = doc.annotations ? tokenTags(offsets, doc.annotations, doc.text.length, vocab, options.tagMap) : null;
    queue.push({ doc, ids, offsets, tags });
    queue.push(eosPiece);
    streamTokens += ids.length + 1;
    while (queue.available >= need) {
      if (options.maxTokens !== undefined && (index + 1) * contextLength > options.maxTokens) return;
      yield assembleWindow(queue, assembly, index++);
      queue.advance(stride);
    }
  }
  if (index === 0) throw new CorpusError(`corpus "${corpus.spec}" makes ${streamTokens} tokens (EOS separators included), fewer than one window of ${need}`);
}
