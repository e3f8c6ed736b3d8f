import type { Database } from './database.js';

/** Named BLOBs per index run (migration 3): the accumulators a resumed run reloads. */
export class IndexStateTable {
  constructor(private readonly db: Database) {}

  /** Writes every entry; call inside the batch's transaction. */
  putMany(runId: number, entries: Readonly<Record<string, Uint8Array>>): void {
    for (const [name, value] of Object.entries(entries)) {
      this.db.run(
        'INSERT INTO index_run_state (run_id, name, value) VALUES (?, ?, ?) ON CONFLICT (run_id, name) DO UPDATE SET value = excluded.value',
        [runId, name, value],
      );
    }
  }

  get(runId: number, name: string): Uint8Array | undefined {
    const row = this.db.get<{ value: Uint8Array }>('SELECT value FROM index_run_state WHERE run_id = ? AND name = ?', [runId, name]);
    return row?.value;
  }

  deleteRun(runId: number): void {
    this.db.run('DELETE FROM index_run_state WHERE run_id = ?', [runId]);
  }
}
