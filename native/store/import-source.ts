import { absentStatKeys, importFormats } from '../api/types.js';
import type { AbsentStatKey, ImportedRunInfo } from '../api/types.js';
import { StoreValueError } from './checks.js';
import type { Database } from './database.js';

/**
 * `index_runs.source_json` (migration 16): where an imported run came from and which statistics its
 * export does not carry. NULL for runs Loupe computed. The absent statistics are stored as 0 in
 * NOT NULL columns; this record is what says they are unknown.
 */
export type ImportSource = ImportedRunInfo;

export function toSourceJson(source: ImportSource): string {
  if (!(importFormats as readonly string[]).includes(source.format))
    throw new StoreValueError(`import format "${source.format}": expected one of ${importFormats.join(', ')}`);
  for (const a of source.absent)
    if (!(absentStatKeys as readonly string[]).includes(a))
      throw new StoreValueError(`absent statistic "${a}": expected one of ${absentStatKeys.join(', ')}`);
  return JSON.stringify({ format: source.format, path: source.path, absent: [...new Set(source.absent)].sort(), dataset: source.dataset });
}

export function fromSourceJson(text: string | null): ImportSource | null {
  if (text === null) return null;
  const v = JSON.parse(text) as Partial<ImportSource>;
  const absent = Array.isArray(v.absent)
    ? v.absent.filter((a): a is AbsentStatKey => (absentStatKeys as readonly string[]).includes(a))
    : [];
  if (typeof v.format !== 'string' || !(importFormats as readonly string[]).includes(v.format))
    throw new StoreValueError(`index run source: unknown import format ${JSON.stringify(v.format)}`);
  return { format: v.format, path: String(v.path ?? ''), absent, dataset: typeof v.dataset === 'string' ? v.dataset : null };
}

/** Marks a run as imported; call in the transaction that creates it. */
export function setRunSource(db: Database, runId: number, source: ImportSource): void {
  db.run('UPDATE index_runs SET source_json = ? WHERE id = ?', [toSourceJson(source), runId]);
}

/** The run's import source, or null for a run Loupe computed. */
export function runSource(db: Database, runId: number): ImportSource | null {
  const row = db.get<{ source_json: string | null }>('SELECT source_json FROM index_runs WHERE id = ?', [runId]);
  return fromSourceJson(row?.source_json ?? null);
}
