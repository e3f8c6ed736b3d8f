import type { JobState, JobSummary } from '../api/types.js';
import type { Database } from './database.js';

interface JobRow {
  id: string;
  kind: string;
  title: string;
  params_json: string;
  state: JobState;
  progress: number;
  message: string;
  error: string | null;
  result_json: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobRecord extends JobSummary {
  params: unknown;
}

function fromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    params: JSON.parse(row.params_json) as unknown,
    state: row.state,
    progress: row.progress,
    message: row.message,
    error: row.error,
    result: row.result_json === null ? null : (JSON.parse(row.result_json) as unknown),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function toRow(job: JobRecord): JobRow {
  return {
    id: job.id,
    kind: job.kind,
    title: job.title,
    params_json: JSON.stringify(job.params ?? null),
    state: job.state,
    progress: Math.min(1, Math.max(0, Number.isFinite(job.progress) ? job.progress : 0)),
    message: job.message,
    error: job.error,
    result_json: job.result === undefined || job.result === null ? null : JSON.stringify(job.result),
    created_at: job.createdAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
  };
}

export function summaryOf(job: JobRecord): JobSummary {
  const { params: _params, ...summary } = job;
  return summary;
}

/** Reads and writes the `jobs` table; nothing else touches it. */
export class JobsTable {
  constructor(private readonly db: Database) {}

  insert(job: JobRecord): void {
    this.db.run(
      `INSERT INTO jobs (id, kind, title, params_json, state, progress, message, error, result_json, created_at, started_at, finished_at)
       VALUES (@id, @kind, @title, @params_json, @state, @progress, @message, @error, @result_json, @created_at, @started_at, @finished_at)`,
      toRow(job) as unknown as Record<string, string | number | null>,
    );
  }

  update(job: JobRecord): void {
    this.db.run(
      `UPDATE jobs SET state = @state, progress = @progress, message = @message, error = @error, result_json = @result_json,
         started_at = @started_at, finished_at = @finished_at WHERE id = @id`,
      toRow(job) as unknown as Record<string, string | number | null>,
    );
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.get<JobRow>('SELECT * FROM jobs WHERE id = ?', [id]);
    return row && fromRow(row);
  }

  list(options: { states?: readonly JobState[]; limit: number }): JobRecord[] {
    const states = options.states ?? [];
    const where = states.length > 0 ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
    const rows = this.db.all<JobRow>(`SELECT * FROM jobs ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`, [
      ...states,
      options.limit,
    ]);
    return rows.map(fromRow);
  }

  /** The most recent job of a kind that finished successfully. */
  lastDone(kind: string): JobRecord | undefined {
    const row = this.db.get<JobRow>(`SELECT * FROM jobs WHERE kind = ? AND state = 'done' ORDER BY finished_at DESC, rowid DESC LIMIT 1`, [
      kind,
    ]);
    return row && fromRow(row);
  }

  /** Jobs left queued or running by a process that died: they can no longer finish. */
  markInterrupted(now: string): number {
    return this.db.run(
      `UPDATE jobs SET state = 'interrupted', finished_at = ?, message = 'interrupted: Loupe stopped while this job ran'
       WHERE state IN ('queued', 'running')`,
      [now],
    ).changes;
  }

  count(): { total: number; active: number } {
    const row = this.db.get<{ total: number; active: number | null }>(
      `SELECT count(*) AS total, sum(state IN ('queued','running')) AS active FROM jobs`,
    );
    return { total: row?.total ?? 0, active: row?.active ?? 0 };
  }
}
