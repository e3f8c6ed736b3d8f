/** Messages between the job runner (engine worker) and one job's worker thread. */

export interface JobStart {
  jobId: string;
  kind: string;
  params: unknown;
  workspacePath: string;
}

export type ToJobWorker = { type: 'cancel' };

export type FromJobWorker =
  | { type: 'progress'; fraction: number; message: string }
  | { type: 'data'; data: unknown }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: string }
  | { type: 'cancelled' };
