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

/** Little-endian unsigned fields, each [byte width (2, 4 or 8), value]. */
export function le(fields: [number, number][]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, [w]) => n + w, 0));
  const v = new DataView(out.buffer);
  let at = 0;
  for (const [w, x] of fields) {
    if (w === 2) v.setUint16(at, x, true);
    else if (w === 4) v.setUint32(at, x, true);
    else v.setBigUint64(at, BigInt(x), true);
    at += w;
  }
  return out;
}
