import type { JobSummary } from './types.js';

/** Every event the engine emits, with its payload. Events flow engine -> renderer only. */
export interface EventPayloads {
  /** A job was created, moved, finished, failed, was cancelled or found interrupted. */
  'job.progress': JobSummary;
}

export type EventName = keyof EventPayloads;

export const eventNames: readonly EventName[] = ['job.progress'];
