import { ApiFailure } from '../api/errors.js';
import { count } from './checks.js';
import type { Database } from './database.js';
import type { IndexRunState } from '../api/types.js';

export { indexRunStates } from '../api/types.js';
export type { IndexRunState };

/** How far a run got: committed with each batch's data, in the same transaction. */
export interface IndexCursor {
  batchesDone: number;
  /** Windows consumed from the corpus stream: a resumed run restarts at this `TokenWindow.index`. */
  windowsDone: number;
  tokensDone: number;
}

/** One pass of a model + SAE over a corpus, whose results fill the feature tables. */
export interface IndexRun extends IndexCursor {
  /** Assigned by the store; an integer because every index row repeats it. */
  id: number;
  saeId: string;
  modelId: string | null;
  jobId: string | null;
  /** Canonical corpus spec (Corpus.spec). */
  corpusSpec: string;
  contextLength: number;
  tokensTarget: number;
  state: IndexRunState;
  /** Whatever the pipeline needs to resume identically (example counts, bands, bins, seed). */
  params: unknown;
  message: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export type NewIndexRun = Pick<IndexRun, 'saeId' | 'modelId' | 'jobId' | 'corpusSpec' | 'contextLength' | 'tokensTarget' | 'params'>;

interface IndexRunRow {
  id: number;
  sae_id: string;
  model_id: string | null;
  job_id: string | null;
  corpus_spec: string;
  context_length: number;
  tokens_target: number;
  tokens_done: number;
  windows_done: number;
  batches_done: number;
  state: IndexRunState;
  params_json: string;
  message: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export function fromRow(row: IndexRunRow): IndexRun {
  return {
    id: row.id,
    saeId: row.sae_id,
    modelId: row.model_id,
    jobId: row.job_id,
    corpusSpec: row.corpus_spec,
    contextLength: row.context_length,
    tokensTarget: row.tokens_target,
    tokensDone: row.tokens_done,
    windowsDone: row.windows_done,
    batchesDone: row.batches_done,
    state: row.state,
    params: JSON.parse(row.params_json) as unknown,
    message: row.message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function toRow(run: IndexRun): IndexRunRow {
  return {
    id: run.id,
    sae_id: run.saeId,
    model_id: run.modelId,
    job_id: run.jobId,
    corpus_spec: run.corpusSpec,
    context_length: run.contextLength,
    tokens_target: run.tokensTarget,
    tokens_done: count(run.tokensDone, 'tokensDone'),
    windows_done: count(run.windowsDone, 'windowsDone'),
    batches_done: count(run.batchesDone, 'batchesDone'),
    state: run.state,
    params_json: JSON.stringify(run.params ?? null),
    message: run.message,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    finished_at: run.finishedAt,
  };
}

/** Without `id`: SQLite assigns it. */
const columns: readonly (keyof IndexRunRow)[] = [
  'sae_id',
  'model_id',
  'job_id',
  'corpus_spec',
  'context_length',
  'tokens_target',
  'tokens_done',
  'windows_done',
  'batches_done',
  'state',
  'params_json',
  'message',
  'created_at',
  'updated_at',
  'finished_at',
];

/** Reads and writes `index_runs`; the cursor moves only through `advance`. */
export class IndexRunsTable {
  constructor(private readonly db: Database) {}

  create(run: NewIndexRun, now = new Date().toISOString()): IndexRun {
    const full: IndexRun = {
      ...run,
      id: 0,
      tokensDone: 0,
      windowsDone: 0,
      batchesDone: 0,
      state: 'running',
      message: '',
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    };
    if (this.db.get('SELECT 1 FROM saes WHERE id = ?', [run.saeId]) === undefined) {
      throw new ApiFailure('not_found', `no SAE "${run.saeId}" in this workspace: register it before indexing`, 'saeId');
    }
    const { lastInsertRowid } = this.db.run(
      `INSERT INTO index_runs (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
      toRow(full) as unknown as Record<string, string | number | null>,
    );
    return { ...full, id: Number(lastInsertRowid) };
  }

  get(id: number): IndexRun | undefined {
    const row = this.db.get<IndexRunRow>('SELECT * FROM index_runs WHERE id = ?', [id]);
    return row && fromRow(row);
  }

  /** Newest first. */
  listForSae(saeId: string): IndexRun[] {
    return this.db.all<IndexRunRow>('SELECT * FROM index_runs WHERE sae_id = ? ORDER BY created_at DESC, id DESC', [saeId]).map(fromRow);
  }

  /** The run whose data feature pages show: the newest finished one, else the newest at all (partial data). */
  current(saeId: string): IndexRun | undefined {
    const row = this.db.get<IndexRunRow>(
      `SELECT * FROM index_runs WHERE sae_id = ? ORDER BY state = 'done' DESC, created_at DESC, rowid DESC LIMIT 1`,
      [saeId],
    );
    return row && fromRow(row);
  }

  /** The newest run still marked running: its process died (or is alive elsewhere) and it can resume at its cursor. */
  resumable(saeId: string): IndexRun | undefined {
    const row = this.db.get<IndexRunRow>(
      `SELECT * FROM index_runs WHERE sae_id = ? AND state = 'running' ORDER BY created_at DESC, id DESC LIMIT 1`,
      [saeId],
    );
    return row && fromRow(row);
  }

  /**
   * Moves the cursor from `from` to `to`, one batch on. Refuses when the stored cursor is not `from`:
   * the batch was already committed (a resumed job replaying it) or one was skipped.
   */
  advance(runId: number, from: IndexCursor, to: Omit<IndexCursor, 'batchesDone'>, now: string): IndexCursor {
    if (to.windowsDone < from.windowsDone || to.tokensDone < from.tokensDone) {
      throw new ApiFailure(
        'conflict',
        `index run ${runId}: the cursor cannot move backwards (${from.windowsDone} → ${to.windowsDone} windows)`,
      );
    }
    const next = {
      batchesDone: from.batchesDone + 1,
      windowsDone: count(to.windowsDone, 'windowsDone'),
      tokensDone: count(to.tokensDone, 'tokensDone'),
    };
    const { changes } = this.db.run(
      `UPDATE index_runs SET batches_done = ?, windows_done = ?, tokens_done = ?, updated_at = ?
       WHERE id = ? AND state = 'running' AND batches_done = ? AND windows_done = ? AND tokens_done = ?`,
      [next.batchesDone, next.windowsDone, next.tokensDone, now, runId, from.batchesDone, from.windowsDone, from.tokensDone],
    );
    if (changes !== 1) {
      const run = this.get(runId);
      const found = run ? `${run.state} at batch ${run.batchesDone}, window ${run.windowsDone}, token ${run.tokensDone}` : 'missing';
      throw new ApiFailure(
        'conflict',
        `index run ${runId}: expected a running run at batch ${from.batchesDone}, window ${from.windowsDone}, token ${from.tokensDone}; it is ${found}`,
      );
    }
    return next;
  }

  /** An import learns its windows' length as it reads: the run's context grows to the longest seen. */
  growContextLength(runId: number, contextLength: number): void {
    this.db.run('UPDATE index_runs SET context_length = max(context_length, ?) WHERE id = ?', [
      count(contextLength, 'contextLength'),
      runId,
    ]);
  }

  setState(runId: number, state: IndexRunState, message: string, now: string): void {
    const finishedAt = state === 'running' ? null : now;
    const { changes } = this.db.run('UPDATE index_runs SET state = ?, message = ?, updated_at = ?, finished_at = ? WHERE id = ?', [
      state,
      message,
      now,
      finishedAt,
      runId,
    ]);
    if (changes !== 1) throw new ApiFailure('not_found', `no index run "${runId}"`);
  }

  /** Deletes a run and everything it computed, child tables first (range deletes, no per-row cascades). */
  delete(runId: number): void {
    this.db.transaction(() => {
      for (const table of [
        'index_run_state',
        'feature_examples',
        'feature_logits',
        'feature_neighbours',
        'feature_candidates',
        'feature_stats',
        'windows',
      ]) {
        this.db.run(`DELETE FROM ${table} WHERE run_id = ?`, [runId]);
      }
      this.db.run('DELETE FROM index_runs WHERE id = ?', [runId]);
    });
  }
}
