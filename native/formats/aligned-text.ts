import type { NormalizerStep } from './tokenizer-spec.js';

/**
 * Text a normalizer rewrote, each character keeping the span of the original it came from, as
 * Hugging Face tokenizers' NormalizedString keeps its alignments: a replaced character takes the
 * span of what it replaced, a prepended one the span of the first character, a composed one (NFC)
 * the span of the character it starts from. Spans are [start, end) in UTF-16 units of the original.
 */
export interface AlignedChars {
  /** code points */ cps: number[];
  starts: number[];
  ends: number[];
}

/** The normalized text as UTF-8 bytes, each byte with the original span of its character. */
export interface AlignedBytes {
  bytes: Uint8Array;
  /** [nBytes] */ start: Int32Array;
  /** [nBytes] */ end: Int32Array;
}

/** `text[from, to)` as characters, each spanning itself. A lone surrogate stays one unit. */
export function alignedSlice(text: string, from: number, to: number): AlignedChars {
  const out: AlignedChars = { cps: [], starts: [], ends: [] };
  for (let i = from; i < to;) {
    const cp = text.codePointAt(i) as number;
    const units = cp > 0xffff && i + 1 < to ? 2 : 1;
    out.cps.push(units === 2 ? cp : text.charCodeAt(i));
    out.starts.push(i);
    out.ends.push(i + units);
    i += units;
  }
  return out;
}

function charsToString(chars: AlignedChars, from = 0, to = chars.cps.length): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCodePoint(chars.cps[i]);
  return s;
}

function push(out: AlignedChars, text: string, start: number, end: number): void {
  for (const c of text) {
    out.cps.push(c.codePointAt(0) as number);
    out.starts.push(start);
    out.ends.push(end);
  }
}

/** A character a Unicode normalization may fold into the one before it (a mark, a Hangul vowel or final). */
function continues(cp: number): boolean {
  return (cp >= 0x1160 && cp <= 0x11ff) || /\p{M}/u.test(String.fromCodePoint(cp));
}

/**
 * Unicode normalization, one run (a character and the marks after it) at a time: each output
 * character takes the span of the input character it equals, else of the next unused one.
 */
function unicode(chars: AlignedChars, form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD'): AlignedChars {
  const whole = charsToString(chars);
  if (whole.normalize(form) === whole) return chars;
  const out: AlignedChars = { cps: [], starts: [], ends: [] };
  const n = chars.cps.length;
  for (let from = 0; from < n;) {
    let to = from + 1;
    while (to < n && continues(chars.cps[to])) to++;
    let used = from - 1;
    for (const c of charsToString(chars, from, to).normalize(form)) {
      const cp = c.codePointAt(0) as number;
      let at = used + 1;
      while (at < to && chars.cps[at] !== cp) at++;
      if (at >= to) at = Math.min(used + 1, to - 1);
      used = Math.max(used, at);
      out.cps.push(cp);
      out.starts.push(chars.starts[at]);
      out.ends.push(chars.ends[at]);
    }
    from = to;
  }
  return out;
}

function replace(chars: AlignedChars, pattern: string, content: string): AlignedChars {
  const pat = Array.from(pattern, (c) => c.codePointAt(0) as number);
  if (pat.length === 0) return chars;
  const out: AlignedChars = { cps: [], starts: [], ends: [] };
  const n = chars.cps.length;
  for (let i = 0; i < n;) {
    let match = i + pat.length <= n;
    for (let k = 0; match && k < pat.length; k++) match = chars.cps[i + k] === pat[k];
    if (match) {
      // Hugging Face aligns the new characters with the last one they replace.
      const last = i + pat.length - 1;
      push(out, content, chars.starts[last], chars.ends[last]);
      i += pat.length;
    } else {
      out.cps.push(chars.cps[i]);
      out.starts.push(chars.starts[i]);
      out.ends.push(chars.ends[i]);
      i++;
    }
  }
  return out;
}

/** Prepends `prefix`, aligned with the first character (nothing is prepended to empty text). */
export function prependAligned(chars: AlignedChars, prefix: string): AlignedChars {
  if (chars.cps.length === 0 || prefix.length === 0) return chars;
  const head: AlignedChars = { cps: [], starts: [], ends: [] };
  push(head, prefix, chars.starts[0], chars.ends[0]);
  return { cps: head.cps.concat(chars.cps), starts: head.starts.concat(chars.starts), ends: head.ends.concat(chars.ends) };
}

function lowercase(chars: AlignedChars): AlignedChars {
  const out: AlignedChars = { cps: [], starts: [], ends: [] };
  for (let i = 0; i < chars.cps.length; i++) push(out, String.fromCodePoint(chars.cps[i]).toLowerCase(), chars.starts[i], chars.ends[i]);
  return out;
}

/** Applies the normalizer steps in order, keeping every character's original span. */
export function normalizeAligned(chars: AlignedChars, steps: readonly NormalizerStep[]): AlignedChars {
  let out = chars;
  for (const step of steps) {
    if (step.type === 'unicode') out = unicode(out, step.form);
    else if (step.type === 'replace') out = replace(out, step.pattern, step.content);
    else if (step.type === 'prepend') out = prependAligned(out, step.prepend);
    else out = lowercase(out);
  }
  return out;
}

/** Replaces spaces with `replacement`, aligned with the space (SentencePiece's meta symbol). */
export function replaceSpaces(chars: AlignedChars, replacement: string): AlignedChars {
  return replace(chars, ' ', replacement);
}

export function alignedText(chars: AlignedChars): string {
  return charsToString(chars);
}

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** The characters as UTF-8 (a lone surrogate as U+FFFD, as TextEncoder writes it), each byte with its span. */
export function alignedBytes(chars: AlignedChars): AlignedBytes {
  const bytes = new TextEncoder().encode(charsToString(chars));
  const start = new Int32Array(bytes.length);
  const end = new Int32Array(bytes.length);
  let b = 0;
  for (let i = 0; i < chars.cps.length; i++) {
    const cp = chars.cps[i];
    const n = cp >= 0xd800 && cp <= 0xdfff ? 3 : utf8Length(cp);
    start.fill(chars.starts[i], b, b + n);
    end.fill(chars.ends[i], b, b + n);
    b += n;
  }
  return { bytes, start, end };
}

/** `text[from, to)` as UTF-8, each byte spanning its character: `alignedBytes(alignedSlice(...))` without the detour. */
export function sliceBytes(text: string, from: number, to: number): AlignedBytes {
  const bytes = new TextEncoder().encode(text.slice(from, to));
  const start = new Int32Array(bytes.length);
  const end = new Int32Array(bytes.length);
  let b = 0;
  for (let i = from; i < to;) {
    const cp = text.codePointAt(i) as number;
    const units = cp > 0xffff && i + 1 < to ? 2 : 1;
    const n = units === 1 && cp > 0xffff ? 3 : cp >= 0xd800 && cp <= 0xdfff ? 3 : utf8Length(cp);
    start.fill(i, b, b + n);
    end.fill(i + units, b, b + n);
    b += n;
    i += units;
  }
  return { bytes, start, end };
}
