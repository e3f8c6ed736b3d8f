import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { ApiFailure } from '../api/errors.js';
import type { JobMethod, ValidParamsOf } from '../api/methods.js';
import { isActiveJobState, type JobData, type JobSummary } from '../api/types.js';
import { summaryOf, type JobRecord, type JobsTable } from '../store/jobs-table.js';
import { isJobKind, loadJobKind } from './kinds.js';
import type { FromJobWorker, JobStart } from './protocol.js';
import { workerEntry } from './worker-entry.js';

const storeIntervalMs = 250;
const emitIntervalMs = 100;
/** ONNX Runtime cannot interrupt a run in progress: a job that ignores cancel this long is terminated. */
const cancelGraceMs = 5000;
/** Partial results kept per job, and jobs whose partial results are kept (oldest dropped first). */
const maxDataPerJob = 5000;
const maxJobsWithData = 20;

interface Running {
  record: JobRecord;
  worker: Worker;
  lastStored: number;
  lastEmitted: number;
  cancelTimer?: NodeJS.Timeout;
}

/**
 * Runs long work in worker threads, one job at a time (these machines have two cores, and a job is
 * expected to use them), recording every state change in the store and reporting it as an event.
 */
export class JobRunner {
  readonly #queue: JobRecord[] = [];
  #running: Running | null = null;
  #idleWaiters: (() => void)[] = [];
  readonly #data = new Map<string, JobData[]>();

  constructor(
    readonly jobs: JobsTable,
    readonly workspacePath: string,
    readonly emit: (job: JobSummary) => void,
    readonly emitData: (data: JobData) => void = () => {},
  ) {}

  /** The partial results a job has produced in this process (empty for jobs of earlier sessions). */
  data(jobId: string): JobData[] {
    return this.#data.get(jobId) ?? [];
  }

  async start<K extends JobMethod>(kind: K, params: ValidParamsOf<K>): Promise<JobSummary> {
    if (!isJobKind(kind)) throw new ApiFailure('not_found', `unknown job kind "${kind}"`);
    const title = (await loadJobKind(kind)).title(params);
    const record: JobRecord = {
      id: randomUUID(),
      kind,
      title,
      params,
      state: 'queued',
      progress: 0,
      message: 'waiting for the previous job',
      error: null,
      result: null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
    };
    this.jobs.insert(record);
    this.#queue.push(record);
    this.emit(summaryOf(record));
    this.#next();
    return summaryOf(record);
  }

  cancel(jobId: string): JobSummary {
    const queued = this.#queue.findIndex((j) => j.id === jobId);
    if (queued >= 0) {
      const [record] = this.#queue.splice(queued, 1);
      this.#finish(record, { state: 'cancelled', message: 'cancelled before it started' });
      return summaryOf(record);
    }
    const running = this.#running;
    if (running && running.record.id === jobId) {
      running.record.message = 'cancelling…';
      running.worker.postMessage({ type: 'cancel' });
      running.cancelTimer ??= setTimeout(() => void running.worker.terminate(), cancelGraceMs);
      this.emit(summaryOf(running.record));
      return summaryOf(running.record);
    }
    const stored = this.jobs.get(jobId);
    if (!stored) throw new ApiFailure('not_found', `no job with id "${jobId}"`, 'jobId');
    return summaryOf(stored);
  }

  /** Resolves when no job is queued or running (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const record of this.#queue.splice(0)) this.#finish(record, { state: 'cancelled', message: 'workspace closed' });
    const running = this.#running;
    if (running) {
      running.worker.postMessage({ type: 'cancel' });
      await running.worker.terminate();
    }
  }

  #next(): void {
    if (this.#running) return;
    const record = this.#queue.shift();
    if (!record) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      return;
    }
    record.state = 'running';
    record.startedAt = new Date().toISOString();
    record.message = 'starting';
    this.jobs.update(record);
    this.emit(summaryOf(record));
    const start: JobStart = { jobId: record.id, kind: record.kind, params: record.params, workspacePath: this.workspacePath };
    const entry = workerEntry(import.meta.url, 'job-worker');
    const worker = new Worker(entry.url, { workerData: start, argv: entry.argv });
    const running: Running = { record, worker, lastStored: Date.now(), lastEmitted: 0 };
    this.#running = running;
    worker.on('message', (message: FromJobWorker) => this.#onMessage(running, message));
    worker.on('error', (error) => this.#finish(record, { state: 'failed', error: error.message, message: 'crashed' }));
    worker.on('exit', () => {
      clearTimeout(running.cancelTimer);
      if (isActiveJobState(record.state)) {
        const cancelled = running.cancelTimer !== undefined;
        this.#finish(
          record,
          cancelled
            ? { state: 'cancelled', message: 'cancelled' }
            : { state: 'failed', error: 'the job worker exited without a result', message: 'crashed' },
        );
      }
      this.#running = null;
      this.#next();
    });
  }

  #onMessage(running: Running, message: FromJobWorker): void {
    const record = running.record;
    if (!isActiveJobState(record.state)) return;
    switch (message.type) {
      case 'progress': {
        record.progress = Math.min(1, Math.max(0, message.fraction));
        if (running.cancelTimer === undefined) record.message = message.message;
        const now = Date.now();
        if (now - running.lastStored >= storeIntervalMs) {
          running.lastStored = now;
          this.jobs.update(record);
        }
        if (now - running.lastEmitted >= emitIntervalMs) {
          running.lastEmitted = now;
          this.emit(summaryOf(record));
        }
        return;
      }
      case 'data': {
        let list = this.#data.get(record.id);
        if (!list) {
          this.#data.set(record.id, (list = []));
          if (this.#data.size > maxJobsWithData) this.#data.delete(this.#data.keys().next().value as string);
        }
        const item: JobData = { jobId: record.id, kind: record.kind, seq: list.length, data: message.data };
        if (list.length < maxDataPerJob) list.push(item);
        this.emitData(item);
        return;
      }
      case 'done':
        return this.#finish(record, { state: 'done', progress: 1, message: 'done', result: message.result });
      case 'failed':
        return this.#finish(record, { state: 'failed', message: 'failed', error: message.error });
      case 'cancelled':
        return this.#finish(record, { state: 'cancelled', message: 'cancelled' });
    }
  }

  #finish(record: JobRecord, change: Partial<JobRecord>): void {
    if (!isActiveJobState(record.state)) return;
    Object.assign(record, change, { finishedAt: new Date().toISOString() });
    this.jobs.update(record);
    this.emit(summaryOf(record));
  }
}
