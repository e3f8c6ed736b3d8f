import type { Database } from './database.js';
import { commitIndexBatch } from './index-batch.js';
import type { IndexBatch } from './index-batch.js';
import { IndexRunsTable } from './index-runs-table.js';
import type { IndexCursor, IndexRun, NewIndexRun } from './index-runs-table.js';
import { runSource, setRunSource } from './import-source.js';
import type { ImportSource } from './import-source.js';
import { SaesTable } from './saes-table.js';

/** What an import's commit changes besides its batch, in the same transaction. */
export interface ImportGrowth {
  /** a row without weights grows to this many features */
  dSae?: { saeId: string; features: number };
  /** the run's windows are at least this long (an export's longest example) */
  contextLength?: number;
}

/**
 * The store's side of imports (loupe import, imports.*): runs marked with where they came from, and
 * commits that hold an export's rows, both cursors and the SAE row's growth in one transaction.
 */
export class ImportsStore {
  readonly #db: Database;
  readonly #runs: IndexRunsTable;
  readonly #saes: SaesTable;

  constructor(db: Database) {
    this.#db = db;
    this.#runs = new IndexRunsTable(db);
    this.#saes = new SaesTable(db);
  }

  /** A new index run marked as imported from `source`, in one transaction. */
  createRun(run: NewIndexRun, source: ImportSource): IndexRun {
    return this.#db.transaction(() => {
      const created = this.#runs.create(run);
      setRunSource(this.#db, created.id, source);
      return created;
    });
  }

  /** The run's import source, or null for a run Loupe computed. */
  source(runId: number): ImportSource | null {
    return runSource(this.#db, runId);
  }

  setSource(runId: number, source: ImportSource): void {
    setRunSource(this.#db, runId, source);
  }

  /** Commits the batch and the growth together: a killed import keeps all of it or none. */
  commit(batch: IndexBatch, grow: ImportGrowth = {}): IndexCursor {
    return this.#db.transaction(() => {
      const cursor = commitIndexBatch(this.#db, batch);
      if (grow.dSae) this.#saes.setDSae(grow.dSae.saeId, grow.dSae.features);
      if (grow.contextLength !== undefined) this.#runs.growContextLength(batch.runId, grow.contextLength);
      return cursor;
    });
  }
}
