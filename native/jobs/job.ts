/** What a job implementation receives in its worker thread. */
export interface JobContext<P> {
  jobId: string;
  params: P;
  workspacePath: string;
  /** Aborted when the user cancels; implementations check it between units of work. */
  signal: AbortSignal;
  /** fraction in 0..1; cheap to call often (the runner throttles what it stores and emits). */
  progress(fraction: number, message?: string): void;
  /** A partial result (JSON-serialisable), kept for `jobs.data` and sent as a `job.data` event. */
  data(payload: unknown): void;
}

export interface JobKind<P> {
  title(params: P): string;
  /** Runs in a worker thread; returns a JSON-serialisable result. */
  run(context: JobContext<P>): Promise<unknown>;
}

export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelled';
  }
}
