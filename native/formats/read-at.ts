import { readSync } from 'node:fs';
import { FormatError } from './tensor.js';

/**
 * Reads `length` bytes at `position` into a fresh buffer (so the result is aligned for any element
 * type); loops because one read is capped near 2 GB.
 */
export function readAt(path: string, fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, Math.min(length - done, 1 << 30), position + done);
    if (n === 0) throw new FormatError(path, `unexpected end of file at byte ${position + done}`);
    done += n;
  }
  return out;
}
