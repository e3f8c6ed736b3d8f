/**
 * Character offsets for BPE tokens. @huggingface/tokenizers returns tokens without offsets, but
 * every token it returns spells bytes of the normalized text exactly (a byte-level token in GPT-2's
 * stand-in alphabet, a SentencePiece piece as UTF-8 with "▁" for a space, a `<0xNN>` byte token as
 * its byte), so cutting the text the way the encoder did (added tokens, then the normalizer, keeping
 * each character's original span) and walking the tokens along the normalized bytes recovers where
 * each came from, with Hugging Face's alignments: a byte of a multi-byte character spans the whole
 * character, a prepended "▁" spans the first character.
 */
import { alignedBytes, alignedSlice, sliceBytes, alignedText, normalizeAligned, prependAligned, replaceSpaces } from './aligned-text.js';
import type { AlignedBytes, AlignedChars } from './aligned-text.js';
import type { AddedTokenSplitter } from './added-split.js';
import type { TokenizerSpec } from './tokenizer-spec.js';

/** What the offset walk needs to know about the tokenizer that produced the tokens. */
export interface OffsetTokenizerView {
  spec: TokenizerSpec;
  /** Added tokens matched in the raw text (normalized: false, or no normalizer). */
  rawAdded: AddedTokenSplitter;
  /** Added tokens matched in the normalized text, by their normalized spelling. */
  normalizedAdded: AddedTokenSplitter;
  /** The bytes a model token stands for; null when it spells none (e.g. an unknown-token marker). */
  bytesOf(token: string): Uint8Array | null;
}

/** Writes one token's span and moves on. */
class OffsetWriter {
  readonly offsets: Int32Array;
  t = 0;

  constructor(readonly tokens: readonly string[]) {
    this.offsets = new Int32Array(tokens.length * 2);
  }

  get done(): boolean {
    return this.t >= this.tokens.length;
  }

  get token(): string {
    return this.tokens[this.t];
  }

  write(start: number, end: number): void {
    this.offsets[2 * this.t] = start;
    this.offsets[2 * this.t + 1] = end;
    this.t++;
  }
}

function matchesAt(text: Uint8Array, at: number, bytes: Uint8Array, from: number): boolean {
  if (at + bytes.length - from > text.length) return false;
  for (let i = from; i < bytes.length; i++) if (text[at + i - from] !== bytes[i]) return false;
  return true;
}

/** Where the token after `t` starts again in `text`, at or after `from` (a token that spells no bytes covers up to there). */
function resync(out: OffsetWriter, view: OffsetTokenizerView, text: Uint8Array, from: number): number {
  const next = out.t + 1 < out.tokens.length ? view.bytesOf(out.tokens[out.t + 1]) : null;
  if (next === null || next.length === 0) return text.length;
  for (let q = from; q < text.length; q++) if (matchesAt(text, q, next, 0)) return q;
  return text.length;
}

/** Walks the tokens of one normalized, pre-tokenized run of text along its bytes. */
function walkBytes(out: OffsetWriter, view: OffsetTokenizerView, aligned: AlignedBytes): void {
  const { bytes: text, start, end } = aligned;
  let p = 0;
  while (p < text.length && !out.done) {
    const bytes = view.bytesOf(out.token);
    if (bytes !== null && bytes.length > 0 && matchesAt(text, p, bytes, 0)) {
      out.write(start[p], end[p + bytes.length - 1]);
      p += bytes.length;
    } else if (view.spec.addPrefixSpace && bytes !== null && bytes[0] === 0x20 && matchesAt(text, p, bytes, 1)) {
      // The ByteLevel pre-tokenizer's own leading space is aligned with the first character.
      const last = p + bytes.length - 2;
      out.write(start[p], last >= p ? end[last] : start[p]);
      p = last + 1;
    } else if (bytes === null || out.token === view.spec.unkToken) {
      const q = Math.max(p + 1, resync(out, view, text, p + 1));
      out.write(start[p], end[q - 1]);
      p = q;
    } else {
      // Not where the walk expected it: an empty span rather than a wrong one.
      out.write(start[p], start[p]);
    }
  }
}

/** SentencePiece's Metaspace pre-tokenizer, as @huggingface/tokenizers applies it to each piece of text. */
function metaspace(chars: AlignedChars, view: OffsetTokenizerView, sectionIndex: number): AlignedChars {
  const m = view.spec.metaspace;
  if (m === null) return chars;
  const replaced = replaceSpaces(chars, m.replacement);
  const prepend =
    !alignedText(replaced).startsWith(m.replacement) &&
    (m.prependScheme === 'always' || (m.prependScheme === 'first' && sectionIndex === 0));
  return prepend ? prependAligned(replaced, m.replacement) : replaced;
}

/** Characters [from, to) of an aligned run (indices into its code points). */
function sub(chars: AlignedChars, from: number, to: number): AlignedChars {
  return { cps: chars.cps.slice(from, to), starts: chars.starts.slice(from, to), ends: chars.ends.slice(from, to) };
}

/** Whether the steps leave the text as it is (no normalizer, or NFC on text already in NFC): the common case, walked without per-character alignment. */
function unchangedBy(steps: TokenizerSpec['normalizer'], text: string): boolean {
  return steps.every((step) => step.type === 'unicode' && text.normalize(step.form) === text);
}

/** Walks the tokens of one text piece (between added tokens): normalize, cut at normalized added tokens, walk the bytes. */
function walkText(out: OffsetWriter, view: OffsetTokenizerView, text: string, from: number, to: number, sectionIndex: number): void {
  if (view.spec.metaspace === null && view.normalizedAdded.size === 0 && unchangedBy(view.spec.normalizer, text.slice(from, to))) {
    walkBytes(out, view, sliceBytes(text, from, to));
    return;
  }
  const chars = normalizeAligned(alignedSlice(text, from, to), view.spec.normalizer);
  if (chars.cps.length === 0) return;
  if (view.normalizedAdded.size === 0) {
    walkBytes(out, view, alignedBytes(metaspace(chars, view, sectionIndex)));
    return;
  }
  const normalized = alignedText(chars);
  /** [normalized.length + 1] code point index of each UTF-16 position */
  const cpAt = new Int32Array(normalized.length + 1);
  for (let i = 0, c = 0; i <= normalized.length; c++) {
    const units = i < normalized.length && (normalized.codePointAt(i) as number) > 0xffff ? 2 : 1;
    cpAt.fill(c, i, i + units);
    i += units;
  }
  for (const piece of view.normalizedAdded.split(normalized)) {
    const run = sub(chars, cpAt[piece.from], cpAt[piece.to]);
    if (piece.token === null) walkBytes(out, view, alignedBytes(metaspace(run, view, sectionIndex)));
    else if (!out.done) out.write(run.starts[0] ?? 0, run.ends[run.ends.length - 1] ?? 0);
  }
}

/**
 * [nTokens, 2] offsets [start, end) into `text` in UTF-16 units for the text's own tokens (no
 * template tokens). A token holding part of a multi-byte character gets the whole character's span,
 * so neighbouring tokens can share it. A token the walk cannot place gets an empty span where it stands.
 */
export function tokenOffsets(text: string, tokens: readonly string[], view: OffsetTokenizerView): Int32Array {
  const out = new OffsetWriter(tokens);
  const pieces = view.rawAdded.split(text);
  for (let k = 0; k < pieces.length && !out.done; k++) {
    const piece = pieces[k];
    if (piece.token === null) walkText(out, view, text, piece.from, piece.to, k);
    else if (out.token === piece.token) out.write(piece.from, piece.to);
  }
  while (!out.done) out.write(text.length, text.length);
  return out.offsets;
}
