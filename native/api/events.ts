import type { JobData, JobSummary } from './jobs.js';

/** Every event the engine emits, with its payload. Events flow engine -> renderer only. */
export interface EventPayloads {
  /** A job was created, moved, finished, failed, was cancelled or found interrupted. */
  'job.progress': JobSummary;
  /** A running job's partial result (for `train.start`, a loss-curve TrainPoint): the same items `jobs.data` returns. */
  'job.data': JobData;
}

export type EventName = keyof EventPayloads;
