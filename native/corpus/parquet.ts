import * as zlib from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, Compressors, FileMetaData } from 'hyparquet';
import { CorpusError } from './types.js';
import type { CorpusDocument } from './types.js';
import type { CountingUtf8Decoder } from './utf8.js';

/** hyparquet decodes SNAPPY and UNCOMPRESSED itself; Node's zlib covers the other common codecs. */
function compressors(): Compressors {
  const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array) => Uint8Array }).zstdDecompressSync;
  return {
    GZIP: (input) => zlib.gunzipSync(input),
    BROTLI: (input) => zlib.brotliDecompressSync(input),
    ...(zstd ? { ZSTD: (input: Uint8Array) => zstd(input) } : {}),
  };
}

async function readMetadata(path: string, file: AsyncBuffer): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(file);
  } catch (e) {
    throw new CorpusError(`${path}: not a readable Parquet file (${(e as Error).message})`);
  }
}

/** Refuses a column that is missing or does not hold text, naming the columns that exist. */
function checkColumn(path: string, metadata: FileMetaData, column: string): void {
  const columns = parquetSchema(metadata).children;
  const found = columns.find((c) => c.element.name === column);
  const names = columns.map((c) => `"${c.element.name}"`).join(', ');
  if (!found) throw new CorpusError(`${path}: no column "${column}" (columns: ${names}); name another with parquet:PATH#COLUMN`);
  if (found.children.length > 0 || found.element.type !== 'BYTE_ARRAY') {
    const type = found.children.length > 0 ? 'a nested column' : (found.element.type ?? 'untyped');
    throw new CorpusError(`${path}: column "${column}" is ${type}, expected a string (BYTE_ARRAY) column`);
  }
}

/**
 * Documents of a Parquet file's text column, one row group at a time (hyparquet reads only that
 * group's column chunk). Null and whitespace-only rows are skipped; ids are 'row-N' from 0.
 */
export async function* readParquetDocuments(path: string, column: string, decoder: CountingUtf8Decoder): AsyncGenerator<CorpusDocument> {
  const file = await asyncBufferFromFile(path);
  const metadata = await readMetadata(path, file);
  checkColumn(path, metadata, column);
  // Our own UTF-8 decoding, so invalid bytes are counted like in the other formats.
  const parsers = { stringFromBytes: (bytes: Uint8Array) => bytes && decoder.decode(bytes, true) };
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file, metadata, columns: [column], rowStart, rowEnd, parsers, compressors: compressors() });
    } catch (e) {
      throw new CorpusError(`${path}: cannot read rows ${rowStart}–${rowEnd - 1} of column "${column}" (${(e as Error).message})`);
    }
    for (let i = 0; i < rows.length; i++) {
      const text = rows[i][column];
      if (text === null || text === undefined) continue;
      if (typeof text !== 'string') throw new CorpusError(`${path}: row ${rowStart + i} of column "${column}" is not a string`);
      if (text.trim().length > 0) yield { id: `row-${rowStart + i}`, text };
    }
    rowStart = rowEnd;
  }
}
