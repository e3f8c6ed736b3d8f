import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch folder for one test file; `write` puts bytes in it and returns the path. */
export interface ScratchDir {
  dir: string;
  write(name: string, bytes: Uint8Array | string): string;
  remove(): void;
}

export function scratchDir(prefix: string): ScratchDir {
  const dir = mkdtempSync(join(tmpdir(), `loupe-${prefix}-`));
  return {
    dir,
    write(name, bytes) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
