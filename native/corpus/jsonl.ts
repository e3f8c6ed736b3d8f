import { readLines } from './file-chunks.js';
import { CorpusError } from './types.js';
import type { CorpusDocument } from './types.js';
import type { CountingUtf8Decoder } from './utf8.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The `field` string of one JSON line, with errors that name the line. */
function lineText(path: string, lineNo: number, line: string, field: string): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new CorpusError(`${path}:${lineNo}: not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CorpusError(`${path}:${lineNo}: expected a JSON object with a "${field}" field, found ${describe(value)}`);
  }
  if (!Object.hasOwn(value, field)) {
    const keys = Object.keys(value);
    const has =
      keys.length === 0
        ? 'no fields'
        : `fields ${keys
            .slice(0, 10)
            .map((k) => `"${k}"`)
            .join(', ')}${keys.length > 10 ? ', …' : ''}`;
    throw new CorpusError(`${path}:${lineNo}: no "${field}" field (the object has ${has}); name another with jsonl:PATH#FIELD`);
  }
  const text = (value as Record<string, unknown>)[field];
  if (typeof text !== 'string') throw new CorpusError(`${path}:${lineNo}: field "${field}" is ${describe(text)}, expected a string`);
  return text;
}

/** Documents of a JSON-lines file: one object per line, its `field` holding the text; blank lines are skipped. */
export async function* readJsonlDocuments(
  path: string,
  field: string,
  decoder: CountingUtf8Decoder,
  chunkSize?: number,
): AsyncGenerator<CorpusDocument> {
  for await (const { line, lineNo } of readLines(path, decoder, chunkSize)) {
    if (line.trim().length === 0) continue;
    const text = lineText(path, lineNo, line, field);
    if (text.trim().length > 0) yield { id: `line-${lineNo}`, text };
  }
}
