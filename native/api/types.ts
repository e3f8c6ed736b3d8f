/** Plain, serialisable shapes that cross the renderer/engine boundary. */

export interface WorkspaceInfo {
  /** Absolute folder path. */
  path: string;
  name: string;
  /** Schema version recorded in the database's `user_version`. */
  schemaVersion: number;
  counts: { models: number; saes: number; jobs: number; activeJobs: number };
  /** Jobs found running when the workspace was opened: the process that ran them died. */
  interruptedJobs: number;
}

export interface ModelSummary {
  id: string;
  name: string;
  path: string;
  family: string;
  nLayers: number;
  dModel: number;
  dVocab: number;
  nCtx: number;
  /** Content fingerprint of the weights file (sha256, hex). */
  fingerprint: string;
  addedAt: string;
}

export interface SaeSummary {
  id: string;
  name: string;
  path: string;
  format: string;
  modelId: string | null;
  hookName: string;
  dIn: number;
  dSae: number;
  /** "relu", "topk" or "jumprelu". */
  activation: string;
  k: number | null;
  fingerprint: string;
  addedAt: string;
}

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

export interface MatmulRate {
  gflops: number;
  provider: string;
  shape: [number, number, number];
  measuredAt: string;
}
