/**
 * Character offsets for byte-level BPE tokens. @huggingface/tokenizers returns tokens without
 * offsets, but a byte-level token spells its UTF-8 bytes exactly, so walking the tokens along the
 * text's UTF-8 bytes recovers where each one came from.
 */

/** What the offset walk needs to know about the tokenizer that produced the tokens. */
export interface OffsetTokenizerView {
  /** Added tokens (e.g. <|endoftext|>): matched in the text as whole strings, not as bytes. */
  isAddedToken(token: string): boolean;
  /** The UTF-8 bytes a byte-level token stands for; null if it is not byte-level. */
  bytesOf(token: string): Uint8Array | null;
  /** The ByteLevel pre-tokenizer prepends a space the text does not have. */
  addPrefixSpace: boolean;
}

/** For each UTF-8 byte of a text, the UTF-16 span of the character that byte belongs to. */
interface ByteMap {
  bytes: Uint8Array;
  /** [nBytes] */ charStart: Int32Array;
  /** [nBytes] */ charEnd: Int32Array;
  /** [text.length + 1] byte offset where the character at each UTF-16 index starts */ byteAt: Int32Array;
}

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

function buildByteMap(text: string): ByteMap {
  // TextEncoder writes a lone surrogate as U+FFFD (3 bytes), as the tokenizer's own encoder does.
  const bytes = new TextEncoder().encode(text);
  const charStart = new Int32Array(bytes.length);
  const charEnd = new Int32Array(bytes.length);
  const byteAt = new Int32Array(text.length + 1);
  let b = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) as number;
    const units = cp > 0xffff ? 2 : 1;
    const n = cp >= 0xd800 && cp <= 0xdfff ? 3 : utf8Length(cp);
    for (let u = 0; u < units; u++) byteAt[i + u] = b;
    charStart.fill(i, b, b + n);
    charEnd.fill(i + units, b, b + n);
    b += n;
    i += units;
  }
  byteAt[text.length] = b;
  return { bytes, charStart, charEnd, byteAt };
}

function matchesAt(text: Uint8Array, at: number, bytes: Uint8Array, from: number): boolean {
  if (at + bytes.length - from > text.length) return false;
  for (let i = from; i < bytes.length; i++) if (text[at + i - from] !== bytes[i]) return false;
  return true;
}

function isAsciiSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/** The [begin, end) bytes of the text that `bytes` covers at `cursor`, or null when they are not there. */
function locate(map: ByteMap, cursor: number, bytes: Uint8Array, addPrefixSpace: boolean): [number, number] | null {
  const text = map.bytes;
  if (matchesAt(text, cursor, bytes, 0)) return [cursor, cursor + bytes.length];
  // The pre-tokenizer's own leading space is not in the text: the token covers only what follows it.
  if (addPrefixSpace && bytes[0] === 0x20 && matchesAt(text, cursor, bytes, 1)) return [cursor, cursor + bytes.length - 1];
  // lstrip/rstrip added tokens and Strip normalizers drop whitespace the tokens no longer contain.
  let at = cursor;
  while (at < text.length && isAsciiSpace(text[at])) at++;
  if (at > cursor && matchesAt(text, at, bytes, 0)) return [at, at + bytes.length];
  return null;
}

/**
 * [nTokens, 2] offsets [start, end) into `text` in UTF-16 units. A token holding part of a multi-byte
 * character gets the whole character's span, so neighbouring tokens can share it. A token that is not
 * in the text (a BOS a post-processor added, or text a normalizer rewrote) gets an empty span where
 * the walk stands.
 */
export function tokenOffsets(text: string, tokens: readonly string[], view: OffsetTokenizerView): Int32Array {
  const map = buildByteMap(text);
  const nBytes = map.bytes.length;
  const charAt = (byte: number) => (byte >= nBytes ? text.length : map.charStart[byte]);
  const offsets = new Int32Array(tokens.length * 2);
  let cursor = 0;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t];
    let start = charAt(cursor);
    let end = start;
    if (view.isAddedToken(token)) {
      const found = text.indexOf(token, start);
      if (found >= 0) {
        start = found;
        end = found + token.length;
        cursor = map.byteAt[end];
      }
    } else {
      const bytes = view.bytesOf(token);
      const span = bytes === null || bytes.length === 0 ? null : locate(map, cursor, bytes, view.addPrefixSpace);
      if (span !== null && span[1] > span[0]) {
        start = map.charStart[span[0]];
        end = map.charEnd[span[1] - 1];
        cursor = span[1];
      } else if (span !== null) {
        start = end = charAt(span[0]);
      }
    }
    offsets[2 * t] = start;
    offsets[2 * t + 1] = end;
  }
  return offsets;
}
