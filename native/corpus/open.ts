import { statSync } from 'node:fs';
import { readBrownDocument } from './brown.js';
import { readJsonlDocuments } from './jsonl.js';
import { readParquetDocuments } from './parquet.js';
import { formatCorpusSpec, parseCorpusSpec } from './spec.js';
import { readTextDocuments } from './text.js';
import { CorpusError } from './types.js';
import type { Corpus, CorpusDocument, CorpusSpec, CorpusStats } from './types.js';
import { CountingUtf8Decoder } from './utf8.js';

export interface OpenCorpusOptions {
  /** Bytes per read from text and JSON-lines files (tests use tiny ones to cut characters apart). */
  chunkSize?: number;
  /** Plain text documents longer than this are cut at whitespace (default 1,000,000 characters). */
  maxDocumentChars?: number;
}

async function* brownDocuments(files: string[]): AsyncGenerator<CorpusDocument> {
  for (const id of files) yield await readBrownDocument(id);
}

function source(spec: CorpusSpec, decoder: CountingUtf8Decoder, options: OpenCorpusOptions): AsyncGenerator<CorpusDocument> {
  switch (spec.kind) {
    case 'brown':
      return brownDocuments(spec.files);
    case 'text':
      return readTextDocuments(spec.path, decoder, options);
    case 'jsonl':
      return readJsonlDocuments(spec.path, spec.field, decoder, options.chunkSize);
    case 'parquet':
      return readParquetDocuments(spec.path, spec.column, decoder);
  }
}

/**
 * Opens a corpus by spec (see `parseCorpusSpec`). Each `documents()` call reads the source afresh
 * and resets `stats`; a pass that finds no text at all fails with `corpus "SPEC" has no text`.
 */
export function openCorpus(spec: string | CorpusSpec, options: OpenCorpusOptions = {}): Corpus {
  const parsed = typeof spec === 'string' ? parseCorpusSpec(spec) : spec;
  const name = formatCorpusSpec(parsed);
  if (parsed.kind !== 'brown' && statSync(parsed.path).size === 0)
    throw new CorpusError(`corpus "${name}" has no text (the file is empty)`);
  const stats: CorpusStats = { documents: 0, characters: 0, invalidUtf8: 0 };
  return {
    spec: name,
    annotated: parsed.kind === 'brown',
    stats,
    async *documents() {
      Object.assign(stats, { documents: 0, characters: 0, invalidUtf8: 0 });
      const decoder = new CountingUtf8Decoder();
      for await (const doc of source(parsed, decoder, options)) {
        stats.documents++;
        stats.characters += doc.text.length;
        stats.invalidUtf8 = decoder.replaced;
        yield doc;
      }
      stats.invalidUtf8 = decoder.replaced;
      if (stats.documents === 0) {
        const invalid = stats.invalidUtf8 > 0 ? ` (${stats.invalidUtf8} invalid UTF-8 sequences replaced)` : '';
        throw new CorpusError(`corpus "${name}" has no text${invalid}`);
      }
    },
  };
}
