import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { JsonSyntaxError, parseStrictJson } from './strict-json.js';
import type { JsonValue } from './strict-json.js';
import { FormatError } from './tensor.js';

/**
 * JSON Lines files, plain or gzipped (`.gz`), read as a stream: a multi-gigabyte export is never in
 * memory whole, only the line being parsed. Each line goes through the strict JSON reader (no
 * duplicate keys, null-prototype objects, and whatever size and depth limits it sets).
 */

/** A line longer than this is refused rather than buffered (a dashboard row is a few kilobytes). */
export const MAX_JSON_LINE_CHARS = 64 << 20;

export interface JsonLine {
  value: JsonValue;
  /** 1-based */
  lineNo: number;
}

export interface LineReadOptions {
  /** pass over the first lines without yielding them (a resumed read) */
  skipLines?: number;
  /** called with the bytes read from disk so far (compressed bytes for `.gz`), for progress */
  onBytes?: (bytesRead: number) => void;
}

/** The file's non-blank lines as text, numbered from 1 (blank lines count); `.gz` is gunzipped on the way. */
export async function* readTextLines(path: string, options: LineReadOptions = {}): AsyncGenerator<{ line: string; lineNo: number }> {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const source = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  file.on('error', (e) => source.destroy(e));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const skip = options.skipLines ?? 0;
  let pending = '';
  let lineNo = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      options.onBytes?.(file.bytesRead);
      pending += decodeChunk(path, decoder, chunk, lineNo + 1);
      let from = 0;
      for (let nl = pending.indexOf('\n', from); nl >= 0; nl = pending.indexOf('\n', from)) {
        lineNo++;
        const line = pending.slice(from, nl);
        from = nl + 1;
        if (lineNo > skip && line.trim() !== '') yield { line, lineNo };
      }
      pending = pending.slice(from);
      if (pending.length > MAX_JSON_LINE_CHARS)
        throw new FormatError(path, `line ${lineNo + 1} is longer than ${MAX_JSON_LINE_CHARS} characters`);
    }
    pending += decodeChunk(path, decoder, undefined, lineNo + 1);
    lineNo++;
    if (lineNo > skip && pending.trim() !== '') yield { line: pending, lineNo };
  } catch (e) {
    if (e instanceof FormatError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') throw new FormatError(path, `not a valid gzip stream (${(e as Error).message})`);
    throw e;
  } finally {
    source.destroy();
    file.destroy();
  }
}

function decodeChunk(path: string, decoder: InstanceType<typeof TextDecoder>, chunk: Buffer | undefined, lineNo: number): string {
  try {
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
  } catch {
    throw new FormatError(path, `line ${lineNo} is not valid UTF-8`);
  }
}

/** The file's lines parsed as JSON; `skipLines` passes over the first lines unparsed (a resumed read). */
export async function* readJsonLines(path: string, options: LineReadOptions = {}): AsyncGenerator<JsonLine> {
  for await (const { line, lineNo } of readTextLines(path, options)) {
    let value: JsonValue;
    try {
      value = parseStrictJson(line);
    } catch (e) {
      if (e instanceof JsonSyntaxError) throw new FormatError(path, `line ${lineNo}: not valid JSON (${e.message})`);
      throw e;
    }
    yield { value, lineNo };
  }
}
