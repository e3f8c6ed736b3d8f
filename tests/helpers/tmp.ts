import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder; `cleanup` removes it. */
export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `loupe-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Where tests leave files for people to look at (screenshots). */
export function testOutputDir(...parts: string[]): string {
  return join(import.meta.dirname, '..', '..', 'test-output', ...parts);
}
