import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';

/** Bytes read from each end of a weights file. */
export const fingerprintEdgeBytes = 1 << 20;

/**
 * A content fingerprint that costs the same on a 10 MB and a 10 GB file: sha256 over, for each
 * weights file in the given order, its name, its size and its first and last MiB (all of it when it
 * is at most 2 MiB), then the config text. Safetensors and PyTorch files start with their header
 * (names, dtypes, shapes, offsets) and any retraining or fine-tune rewrites the tail, so a changed
 * model almost always changes one of them; a same-size edit in the middle of a large file does not,
 * which is the price of not reading gigabytes to open a workspace.
 */
export function contentFingerprint(weightsFiles: readonly string[], configText: string): string {
  const hash = createHash('sha256');
  for (const file of weightsFiles) {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      hash.update(`${basename(file)}\0${size}\0`);
      if (size <= 2 * fingerprintEdgeBytes) hash.update(readRange(fd, 0, size));
      else {
        hash.update(readRange(fd, 0, fingerprintEdgeBytes));
        hash.update(readRange(fd, size - fingerprintEdgeBytes, fingerprintEdgeBytes));
      }
    } finally {
      closeSync(fd);
    }
  }
  hash.update('\0config\0');
  hash.update(configText);
  return hash.digest('hex');
}

function readRange(fd: number, position: number, length: number): Uint8Array {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}
