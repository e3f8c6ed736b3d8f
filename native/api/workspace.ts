/** The workspace and what is registered in it: models, SAEs, the machine's measured rate, path grants. */

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

export interface MatmulRate {
  gflops: number;
  provider: string;
  shape: [number, number, number];
  measuredAt: string;
}

/**
 * What a registration did. Models and SAEs are upserted by path: `unchanged` when the path is
 * registered with the same content fingerprint, `updated` when its files changed (or an SAE was
 * attached to another model) and the row was rewritten under the same id.
 */
export type RegistrationOutcome = 'added' | 'unchanged' | 'updated';

export interface Registration {
  registration: RegistrationOutcome;
  /** The fingerprint the row had before an update that found different files; null otherwise. */
  previousFingerprint: string | null;
}

export type ModelRegistration = ModelSummary & Registration;
export type SaeRegistration = SaeSummary & Registration;

/** grants.choose: what a native dialog chose, as the renderer may hold it. */
export interface PathGrant {
  /** opaque: send it wherever a path is asked for (a corpus as text:GRANT, jsonl:GRANT#field, parquet:GRANT#column) */
  grant: string;
  /** the chosen path, to show (the desktop app refuses it as input) */
  path: string;
  kind: 'file' | 'folder';
}
