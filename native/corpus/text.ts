import { fileContains, readTextChunks } from './file-chunks.js';
import type { CorpusDocument } from './types.js';
import type { CountingUtf8Decoder } from './utf8.js';

export const END_OF_TEXT = '<|endoftext|>';

/** Far beyond any real paragraph; only a file with no separators at all reaches it. */
export const DEFAULT_MAX_DOCUMENT_CHARS = 1_000_000;

export interface TextReadOptions {
  chunkSize?: number;
  /** A document longer than this is cut at the last whitespace before it, so one huge line never fills memory. */
  maxDocumentChars?: number;
}

const BLANK_LINE = /\n[^\S\n]*\n/g;

/** Where the next document separator starts in `text` at or after `from`, and where it ends. */
type SeparatorFinder = (text: string, from: number) => { start: number; end: number } | null;

function findEndOfText(text: string, from: number): { start: number; end: number } | null {
  const start = text.indexOf(END_OF_TEXT, from);
  return start < 0 ? null : { start, end: start + END_OF_TEXT.length };
}

function findBlankLine(text: string, from: number): { start: number; end: number } | null {
  BLANK_LINE.lastIndex = from;
  const match = BLANK_LINE.exec(text);
  return match === null ? null : { start: match.index, end: match.index + match[0].length };
}

/** Where a separator could still begin once more text arrives: the unmatched tail must be searched again. */
function resumeFrom(text: string, separator: 'eot' | 'blank'): number {
  if (separator === 'eot') return Math.max(0, text.length - (END_OF_TEXT.length - 1));
  let runStart = text.length;
  while (runStart > 0 && /\s/.test(text[runStart - 1])) runStart--;
  const nl = text.indexOf('\n', runStart);
  return nl < 0 ? text.length : nl;
}

/** The last whitespace before `limit` (so a cut keeps words whole), else `limit` moved off a surrogate pair. */
function cutPoint(text: string, limit: number): number {
  for (let i = limit; i > limit / 2; i--) if (/\s/.test(text[i - 1])) return i;
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

/**
 * Documents of a plain UTF-8 text file. If the file contains `<|endoftext|>` anywhere, that marker
 * alone separates documents (blank lines inside them are paragraphs); otherwise blank lines do.
 * Each document is trimmed; documents that are only whitespace are skipped.
 */
export async function* readTextDocuments(
  path: string,
  decoder: CountingUtf8Decoder,
  options: TextReadOptions = {},
): AsyncGenerator<CorpusDocument> {
  const maxChars = options.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
  const separator = (await fileContains(path, END_OF_TEXT, options.chunkSize)) ? 'eot' : 'blank';
  const find: SeparatorFinder = separator === 'eot' ? findEndOfText : findBlankLine;
  let count = 0;
  const emit = (text: string): CorpusDocument | null => {
    const trimmed = text.trim();
    return trimmed.length === 0 ? null : { id: `doc-${count++}`, text: trimmed };
  };
  let pending = '';
  let searchFrom = 0;
  for await (const piece of readTextChunks(path, decoder, options.chunkSize)) {
    pending += piece;
    // A cursor, not repeated slicing: a chunk may hold thousands of short documents.
    let docStart = 0;
    for (let sep = find(pending, searchFrom); sep !== null; sep = find(pending, docStart)) {
      const doc = emit(pending.slice(docStart, sep.start));
      docStart = sep.end;
      if (doc) yield doc;
    }
    pending = pending.slice(docStart);
    while (pending.length > maxChars) {
      const cut = cutPoint(pending, maxChars);
      const doc = emit(pending.slice(0, cut));
      pending = pending.slice(cut);
      if (doc) yield doc;
    }
    searchFrom = resumeFrom(pending, separator);
  }
  const last = emit(pending);
  if (last) yield last;
}
