import { open } from 'node:fs/promises';
import { CountingUtf8Decoder } from './utf8.js';

/** 1 MiB: large enough that reads are cheap, small enough that a pass never holds much. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/** The file's bytes, `chunkSize` at a time. */
export async function* readByteChunks(path: string, chunkSize = DEFAULT_CHUNK_SIZE): AsyncGenerator<Uint8Array> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(chunkSize);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) return;
      // A copy: the consumer may keep the chunk while the next read refills the buffer.
      yield buffer.slice(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * The file as decoded text pieces, `chunkSize` bytes at a time. A character cut by a chunk edge
 * comes out whole in the next piece; invalid UTF-8 becomes U+FFFD and is counted in `decoder`.
 */
export async function* readTextChunks(path: string, decoder: CountingUtf8Decoder, chunkSize?: number): AsyncGenerator<string> {
  for await (const bytes of readByteChunks(path, chunkSize)) {
    const text = decoder.decode(bytes);
    if (text.length > 0) yield text;
  }
  const tail = decoder.end();
  if (tail.length > 0) yield tail;
}

/** Whether the file's bytes contain `needle` anywhere, read in chunks (a match may straddle two). */
export async function fileContains(path: string, needle: string, chunkSize?: number): Promise<boolean> {
  const pattern = Buffer.from(needle, 'utf8');
  let carry = Buffer.alloc(0);
  for await (const bytes of readByteChunks(path, chunkSize)) {
    const window = Buffer.concat([carry, bytes]);
    if (window.indexOf(pattern) >= 0) return true;
    carry = window.subarray(Math.max(0, window.length - (pattern.length - 1)));
  }
  return false;
}

/** The file's lines without their line endings ('\n' or '\r\n'), numbered from 1. */
export async function* readLines(
  path: string,
  decoder: CountingUtf8Decoder,
  chunkSize?: number,
): AsyncGenerator<{ line: string; lineNo: number }> {
  let pending = '';
  let lineNo = 0;
  for await (const text of readTextChunks(path, decoder, chunkSize)) {
    pending += text;
    let from = 0;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', from)) {
      yield { line: stripCr(pending.slice(from, nl)), lineNo: ++lineNo };
      from = nl + 1;
    }
    pending = pending.slice(from);
  }
  if (pending.length > 0) yield { line: stripCr(pending), lineNo: ++lineNo };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
