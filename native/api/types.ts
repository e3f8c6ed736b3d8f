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

/** A stored 2-D map of 1–3 SAEs' decoder directions (UMAP). */
export interface MapData {
  mapId: number;
  key: string;
  saeIds: string[];
  params: { algorithm: string; nNeighbors: number; minDist: number; seed: number; nEpochs: number };
  createdAt: string;
  /** per SAE: base64 of little-endian float32 (x, y) pairs, [nPoints, 2] in [0, 1]² (a third of the size of JSON numbers) */
  points: { saeId: string; nPoints: number; xy: string }[];
}

export interface MatmulRate {
  gflops: number;
  provider: string;
  shape: [number, number, number];
  measuredAt: string;
}

// ——— Registration (models.add, saes.add) ———

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

// ——— Features ———

/** One feature of one SAE. Everything that names a feature uses this shape. */
export interface FeatureKey {
  saeId: string;
  /** 0 ≤ index < dSae */
  index: number;
}

export const indexRunStates = ['running', 'done', 'failed', 'cancelled'] as const;
export type IndexRunState = (typeof indexRunStates)[number];

/**
 * An annotation tag that explains where a feature fires, scored as a classifier "feature fires ⇒
 * token has tag T" over an annotated corpus: precision = P(tag | fires), recall = P(fires | tag),
 * f1 their harmonic mean. The best one is a candidate label.
 */
export interface FeatureCandidate {
  /** 0 = best F1. */
  rank: number;
  tag: string;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * A nearest neighbour by decoder cosine, in the same SAE (other.saeId is the run's SAE) or in
 * another one; `correlation` is the Pearson correlation of the two activations over the run's
 * tokens, null where the pipeline did not compute it (e.g. an SAE on another hook).
 */
export interface FeatureNeighbour {
  other: FeatureKey;
  /** Order within other.saeId, 0 nearest. */
  rank: number;
  cosine: number;
  correlation: number | null;
}

/**
 * Everything a feature page shows, as plain JSON-safe data (numbers and strings, no typed arrays:
 * the loopback host sends it as JSON). The panels only draw it (sae_vis's config + data + view).
 */
export interface FeaturePageData {
  key: FeatureKey;
  run: { id: number; corpusSpec: string; contextLength: number; tokensDone: number; state: IndexRunState; finishedAt: string | null } | null;
  stats: {
    tokensSeen: number;
    fires: number;
    density: number;
    meanAct: number;
    maxAct: number;
    /** edges: [nBins + 1] activation values, log-spaced; counts: [nBins] */
    histogram: { edges: number[]; counts: number[] };
  } | null;
  label: FeatureLabel;
  candidates: FeatureCandidate[];
  /** Each window once; examples point into this list. */
  windows: { index: number; docId: string; /** one display string per token */ tokens: string[] }[];
  top: PageExample[];
  quantiles: { band: number; /** activation range of the band; null when the run stored no edges */ lo: number | null; hi: number | null; examples: PageExample[] }[];
  boosted: PageToken[];
  suppressed: PageToken[];
  frequent: PageToken[];
  neighbours: { within: PageNeighbour[]; across: PageNeighbour[] };
}

export interface PageExample {
  /** Position in FeaturePageData.windows. */
  window: number;
  maxAct: number;
  maxPos: number;
  /** [nTokens] the feature's activation on each token of the window */
  acts: number[];
}

export interface PageToken {
  tokenId: number;
  token: string;
  value: number;
}

export interface PageNeighbour extends FeatureNeighbour {
  label: string;
}

export const featureSortKeys = ['relevance', 'index', 'density', 'maxAct', 'meanAct', 'label'] as const;
export type FeatureSortKey = (typeof featureSortKeys)[number];
export const labelStateFilters = ['any', 'labelled', 'unlabelled'] as const;
export type LabelStateFilter = (typeof labelStateFilters)[number];

/**
 * features.search and features.list: the features of the SAE's current index run (without a run,
 * those with a label); with text, those whose label, notes, tags or top tokens match it.
 */
export interface FeatureQuery {
  saeId: string;
  /** Free text over label, notes, tags and top tokens; FTS syntax in it is taken literally. */
  text?: string;
  /** Features that fire on, or boost, this token (case-insensitive, surrounding spaces ignored). */
  token?: string;
  labelState?: LabelStateFilter;
  /** Firing density bounds, inclusive. */
  density?: { min?: number; max?: number };
  /** Default: relevance with text, else index. */
  sort?: FeatureSortKey;
  descending?: boolean;
  offset?: number;
  /** Default 50, at most 1000. */
  limit?: number;
}

export interface FeatureSummary {
  key: FeatureKey;
  label: string;
  /** null when the current run has no stats for the feature. */
  density: number | null;
  meanAct: number | null;
  maxAct: number | null;
}

export interface FeatureResults {
  /** Matches in all, for paging. */
  total: number;
  offset: number;
  items: FeatureSummary[];
  /** The index run the statistics come from, null when the SAE has none. */
  runId: number | null;
}

// ——— Labels ———

export interface FeatureLabel {
  key: FeatureKey;
  label: string;
  notes: string;
  /** Sorted, no duplicates. */
  tags: string[];
  /** null when nobody has written anything about the feature. */
  updatedAt: string | null;
  updatedBy: string | null;
}

/** Fields to change; an omitted field is left as it is. `tags` replaces the whole set. */
export interface LabelPatch {
  label?: string;
  notes?: string;
  tags?: readonly string[];
}

export type LabelField = 'label' | 'notes' | 'tag';
export type LabelSource = 'edit' | 'import' | 'undo';

/** One changed field. For a tag: old null = added, new null = removed. */
export interface LabelEvent {
  id: number;
  /** Events written by one call share an action: the id of its first event. */
  action: number;
  key: FeatureKey;
  field: LabelField;
  old: string | null;
  new: string | null;
  author: string;
  at: string;
  source: LabelSource;
  /** For an undo: the action it inverted. */
  undoes: number | null;
}

// ——— Training ———

/** One point of a training run's loss curve: a `job.data` payload of a `train.start` job. */
export interface TrainPoint {
  step: number;
  steps: number;
  tokensSeen: number;
  /** Means over the steps since the previous point (like training_log.json's entries). */
  loss: number;
  /** reconstruction MSE divided by the data's variance: the fraction of variance unexplained */
  nmse: number;
  auxLoss: number;
  l0: number;
  deadFraction: number;
  lr: number;
}

/** The result of a finished `train.start` job. */
export interface TrainJobResult {
  /** The trained SAE, registered in the workspace. */
  saeId: string;
  /** Where it was written: <workspace>/artifacts/saes/<name>. */
  out: string;
  final: TrainPoint | null;
  steps: number;
  tokensSeen: number;
  resumedFromStep: number;
  provider: string;
  warnings: string[];
}
