import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileKind } from '../formats/file-kind.js';
import { brownFiles, selectBrownFiles } from './brown-files.js';
import { CorpusError } from './types.js';
import type { CorpusSpec } from './types.js';

export const CORPUS_SCHEMES = ['brown', 'text', 'jsonl', 'parquet'] as const;

const EXTENSIONS: Record<string, 'text' | 'jsonl' | 'parquet'> = {
  '.txt': 'text',
  '.text': 'text',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
};

const SPEC_HELP =
  'expected brown, brown:CATEGORY, text:PATH, jsonl:PATH[#FIELD], parquet:PATH[#COLUMN], or a path ending in ' +
  Object.keys(EXTENSIONS).join(', ');

function checkFile(path: string): string {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new CorpusError(`corpus file not found: ${absolute}`);
  const stat = statSync(absolute);
  if (!stat.isFile()) throw new CorpusError(`corpus path is ${fileKind(stat)}, not a regular file: ${absolute}`);
  return absolute;
}

/** 'PATH#NAME' → the file and the field; a file whose own name holds '#' wins over the split. */
function splitField(rest: string, fallback: string, what: 'field' | 'column'): { path: string; name: string } {
  const hash = rest.lastIndexOf('#');
  if (hash < 0 || existsSync(resolve(rest))) return { path: checkFile(rest), name: fallback };
  const name = rest.slice(hash + 1);
  if (name.length === 0) throw new CorpusError(`empty ${what} name after "#" in "${rest}"`);
  return { path: checkFile(rest.slice(0, hash)), name };
}

function fileSpec(kind: 'text' | 'jsonl' | 'parquet', rest: string): CorpusSpec {
  if (rest.length === 0) throw new CorpusError(`corpus spec "${kind}:" names no file: ${SPEC_HELP}`);
  if (kind === 'text') return { kind, path: checkFile(rest) };
  if (kind === 'jsonl') {
    const { path, name } = splitField(rest, 'text', 'field');
    return { kind, path, field: name };
  }
  const { path, name } = splitField(rest, 'text', 'column');
  return { kind, path, column: name };
}

/** A bare path: its extension (before any '#FIELD') decides the format. */
function pathSpec(spec: string): CorpusSpec {
  const hash = spec.lastIndexOf('#');
  const bare = hash >= 0 && !existsSync(resolve(spec)) ? spec.slice(0, hash) : spec;
  const kind = EXTENSIONS[extname(bare).toLowerCase()];
  if (kind === undefined) {
    if (!existsSync(resolve(bare))) throw new CorpusError(`corpus file not found: ${resolve(bare)} (${SPEC_HELP})`);
    throw new CorpusError(`cannot tell the format of "${spec}" from its extension: ${SPEC_HELP}`);
  }
  if (kind === 'text' && bare !== spec) throw new CorpusError(`plain text has no fields: "${spec}"`);
  return fileSpec(kind, spec);
}

/**
 * Validates a corpus spec: `brown` (the built-in Brown corpus), `brown:SELECTION` (categories,
 * document ids or ranges, comma-separated: `brown:news,fiction`, `brown:ca01-ca05`), `text:PATH`,
 * `jsonl:PATH[#FIELD]` (default field `text`), `parquet:PATH[#COLUMN]` (default column `text`),
 * or a bare path whose extension decides (.txt, .text, .jsonl, .ndjson, .parquet). Paths become
 * absolute; files must exist.
 */
export function parseCorpusSpec(spec: string): CorpusSpec {
  const trimmed = spec.trim();
  if (trimmed.length === 0) throw new CorpusError(`empty corpus spec: ${SPEC_HELP}`);
  if (trimmed === 'brown') return { kind: 'brown', files: brownFiles().map((f) => f.id) };
  const colon = trimmed.indexOf(':');
  // One letter before ':' is a Windows drive ('C:\data.txt'), not a scheme.
  const scheme = colon > 1 ? trimmed.slice(0, colon) : null;
  if (scheme === null || !/^[a-z][a-z0-9+.-]*$/i.test(scheme)) return pathSpec(trimmed);
  const rest = trimmed.slice(colon + 1);
  switch (scheme.toLowerCase()) {
    case 'brown':
      return { kind: 'brown', files: selectBrownFiles(rest), selection: rest };
    case 'text':
    case 'jsonl':
    case 'parquet':
      return fileSpec(scheme.toLowerCase() as 'text' | 'jsonl' | 'parquet', rest);
    default:
      if (existsSync(resolve(trimmed))) return pathSpec(trimmed);
      throw new CorpusError(`unknown corpus scheme "${scheme}": expected one of ${CORPUS_SCHEMES.join(', ')} (${SPEC_HELP})`);
  }
}

/** The canonical string for a spec: what `Corpus.spec` reports and a store can keep. */
export function formatCorpusSpec(spec: CorpusSpec): string {
  switch (spec.kind) {
    case 'brown':
      return spec.selection === undefined ? 'brown' : `brown:${spec.selection}`;
    case 'text':
      return `text:${spec.path}`;
    case 'jsonl':
      return spec.field === 'text' ? `jsonl:${spec.path}` : `jsonl:${spec.path}#${spec.field}`;
    case 'parquet':
      return spec.column === 'text' ? `parquet:${spec.path}` : `parquet:${spec.path}#${spec.column}`;
  }
}
