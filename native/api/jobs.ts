/** Jobs: long work that reports progress and partial results. */

export const jobStates = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof jobStates)[number];

export function isActiveJobState(state: JobState): boolean {
  return state === 'queued' || state === 'running';
}

export interface JobSummary {
  id: string;
  kind: string;
  title: string;
  state: JobState;
  /** 0..1 */
  progress: number;
  message: string;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: unknown;
}

/** One partial result of a job, in the order the job produced them. */
export interface JobData {
  jobId: string;
  kind: string;
  /** 0, 1, 2 … within the job */
  seq: number;
  data: unknown;
}
