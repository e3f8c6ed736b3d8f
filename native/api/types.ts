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
  /** how faithfully the layout keeps the directions' neighbourhoods (null for maps made before it was measured) */
  quality?: MapQuality | null;
}

/**
 * A map's faithfulness, measured when it is made (native/maps/layout-quality.ts): the share of each
 * point's k nearest directions (exact cosine) among its k nearest map points, next to chance, and
 * how far the directions are from random ones (mean cosine to the nearest other direction).
 */
export interface MapQuality {
  k: number;
  sampled: number;
  recall: number;
  chanceRecall: number;
  nearestCosine: number;
  randomNearestCosine: number;
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
    /** edges: [nBins + 1] activation values, log-spaced (an import's may be linear, as its export has them); counts: [nBins] */
    histogram: { edges: number[]; counts: number[]; /** how the bins are spaced (absent: log) */ scale?: 'log' | 'linear' };
    /** statistics the run could not supply (an import's export lacks them): their numbers above are 0 and must be shown absent */
    absent?: AbsentStatKey[];
  } | null;
  label: FeatureLabel;
  candidates: FeatureCandidate[];
  /** Each window once; examples point into this list. */
  windows: {
    index: number;
    docId: string;
    /** one display string per token */
    tokens: string[];
    /** 1 where the token counted in the statistics, 0 for the BOS, padding and burn-in context (absent: all counted) */
    counted?: number[];
  }[];
  top: PageExample[];
  quantiles: { band: number; /** activation range of the band; null when the run stored no edges */ lo: number | null; hi: number | null; examples: PageExample[] }[];
  boosted: PageToken[];
  suppressed: PageToken[];
  frequent: PageToken[];
  neighbours: { within: PageNeighbour[]; across: PageNeighbour[] };
  /** How complete `frequent` is; null for an index made before Loupe counted tokens exactly (approximate counts). */
  frequentCoverage?: FrequentCoverage | null;
  /** The feature's page on Neuronpedia, when its SAE's config has a Neuronpedia id (SAELens's neuronpedia_id, top level or metadata). */
  neuronpedia?: NeuronpediaFeatureLink | null;
  /** Set when the page's run was imported from an exported dashboard rather than computed here. */
  imported?: ImportedRunInfo | null;
}

/** A Neuronpedia source: the model id and the source ("layer") id, e.g. gpt2-small and 6-res-jb. */
export interface NeuronpediaSource {
  modelId: string;
  layer: string;
}

export interface NeuronpediaFeatureLink extends NeuronpediaSource {
  /** https://www.neuronpedia.org/{modelId}/{layer}/{index} */
  url: string;
}

/**
 * The "fires most on" list counts every firing per token exactly, unless the count table reached its
 * memory cap: then `uncounted` firings had no token count, and a token not listed may have up to
 * that many. Shares are of `stats.fires`.
 */
export interface FrequentCoverage {
  /** Firings whose token went uncounted (0: every firing counted). */
  uncounted: number;
  /** Exact firings on the most frequent counted token that is not listed (0 when none is left off). */
  nextCount: number;
  /** No token left off the list fires more often than the last one listed. */
  complete: boolean;
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
 * those with a label); with text, those where every word is in the label, notes or tags or is a
 * token the feature fires on most or boosts most (native/store/feature-match.ts ranks them).
 */
export interface FeatureQuery {
  saeId: string;
  /** Words over label, notes, tags and top tokens (a trailing `*` makes a prefix); FTS syntax in it is taken literally. */
  text?: string;
  /** Features that fire on, or boost, this token (case-insensitive, surrounding spaces ignored). */
  token?: string;
  labelState?: LabelStateFilter;
  /** Firing density bounds, inclusive. */
  density?: { min?: number; max?: number };
  /** Default: relevance with text or a token, else index. */
  sort?: FeatureSortKey;
  descending?: boolean;
  offset?: number;
  /** Default 50, at most 1000. */
  limit?: number;
  /** Search every SAE of the workspace, not only `saeId` (which then only comes first in ties and in index order). */
  allSaes?: boolean;
}

/**
 * Why a feature matched a search: a word in its label, notes or tags, a token it fires on (with that
 * token's share of its firings), or an output token its decoder direction boosts.
 */
export type SearchMatch =
  | { kind: 'label' }
  | { kind: 'notes'; /** the notes around the first match, plain text */ excerpt: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'token'; token: string; /** 0..1 of the feature's firings */ share: number }
  | { kind: 'boosted'; token: string; /** 0 for the most boosted */ rank: number };

export interface FeatureSummary {
  key: FeatureKey;
  label: string;
  /** null when the current run has no stats for the feature. */
  density: number | null;
  meanAct: number | null;
  maxAct: number | null;
  /** the tokens it fires on most often (up to 5, most first); empty without an index */
  topTokens: string[];
  tags: string[];
  /** the best candidate label from corpus annotations (by F1), or null */
  bestCandidate: { tag: string; f1: number } | null;
  saeName: string;
  /** What matched the text or token, strongest first; empty for a list without either. */
  matches: SearchMatch[];
  /** The score results are ranked by (feature-match.ts), null without text or token. */
  relevance: number | null;
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
  /** what the run trained on: corpus tokens scanned, rows per epoch (the filter's, for a split), epochs (absent in older results) */
  data?: { tokensScanned: number; tokensKept: number; epochs: number };
  /** the latents beyond the SAE it was initialised from (a split's new latents), and how many ended dead; null without one */
  newLatents?: { count: number; dead: number } | null;
}

// ——— Prompt (per-token activations) ———

/** One token of a prompt: its id, how it reads, and the [start, end) span of the text (UTF-16 units) it came from. */
export interface PromptToken {
  id: number;
  /** byte-level characters mapped back ('Ġthe' reads ' the') */
  text: string;
  start: number;
  end: number;
}

/** A feature that fires somewhere on the prompt. */
export interface PromptFeature {
  index: number;
  /** the feature's label in the store, '' when it has none */
  label: string;
  /** its largest activation on the prompt */
  max: number;
  /** the token where that is (position in `tokens`) */
  maxPos: number;
  /** how many tokens it fires on */
  count: number;
  /** its largest activation over the SAE's current index run, null without one */
  corpusMax: number | null;
  /** its most frequent firing tokens in that run (empty without one) */
  topTokens?: string[];
  /** the fraction of the run's tokens it fires on, null without a run */
  density?: number | null;
}

/** prompt.run: the prompt's tokens and the SAE's activations on them, as the Prompt view draws them. */
export interface PromptResult {
  saeId: string;
  tokens: PromptToken[];
  /** per token, its strongest features (at most topK), strongest first */
  perToken: { features: number[]; values: number[] }[];
  /** the prompt's strongest features (by max activation) and their activation on every token */
  heatmap: {
    features: { index: number; label: string }[];
    /** [nTokens × nFeatures], row-major */
    values: number[];
  };
  /** the largest activation of any feature on any token (0 when none fires) */
  maxAct: number;
  /** every feature that fires on the prompt, by max activation, strongest first */
  features: PromptFeature[];
  /**
   * Every activation, sparse (CSR): token t's features are features[rowStart[t] … rowStart[t + 1]),
   * so the view can colour the tokens by any feature without another call.
   */
  acts: { /** [nTokens + 1] */ rowStart: number[]; /** [nnz] */ features: number[]; /** [nnz] */ values: number[] };
  /** tokens in the whole text; more than tokens.length when the text was truncated to the model's context */
  nTextTokens: number;
  truncated: boolean;
  /** the model read a BOS (GPT-2: <|endoftext|>) before the text; it is not among `tokens` */
  prependedBos: boolean;
  /** the model's context, in tokens */
  nCtx: number;
  /** things the researcher should know (truncation, a provider fallback) */
  notes: string[];
  provider: string;
}

// ——— Compare (feature splitting) and evaluations ———

/** How a wider SAE's feature is matched to a narrower one's: by decoder cosine or by activation correlation. */
export const matchMeasures = ['cosine', 'correlation'] as const;
export type MatchMeasure = (typeof matchMeasures)[number];

/** An SAE's evaluation (`loupe eval`, `eval.start`) as the views show it. Ratios that cannot be computed are null. */
export interface SaeEvalMetrics {
  saeId: string;
  corpusSpec: string;
  tokens: number;
  contextLength: number;
  createdAt: string;
  /** fraction of variance unexplained (normalised MSE) */
  fvu: number | null;
  explainedVariance: number | null;
  mse: number;
  /** mean active latents per token */
  l0: number;
  deadFraction: number;
  denseFraction: number;
  /** mean next-token loss (nats): clean, with the SAE spliced in, with the hook zero-ablated */
  ceClean: number;
  ceSae: number;
  ceZeroAblated: number;
  /** (zeroAblated − sae) / (zeroAblated − clean) */
  lossRecovered: number | null;
  deltaLoss: number;
  /** mean ablation sparsity (Gao et al. 2024 §4.5) */
  ablationSparsity: number | null;
  /** each decoder row's max cosine to the others, and the same for random directions, over [min, max] */
  decoderCosines: { min: number; max: number; bins: number; decoder: number[]; random: number[] } | null;
}

/** One SAE of a comparison. */
export interface CompareSaeInfo {
  saeId: string;
  name: string;
  dSae: number;
  k: number | null;
  /** whether the SAE has a finished index run (labels, examples and top tokens come from it) */
  indexed: boolean;
  /** its newest stored evaluation, null when none */
  eval: SaeEvalMetrics | null;
}

/** A stored comparison of 2–3 SAEs on one hook, narrowest first. Pair p matches saes[p + 1] to saes[p]. */
export interface CompareRunSummary {
  runId: number;
  saes: CompareSaeInfo[];
  corpusSpec: string;
  /** tokens the activations were read on */
  tokens: number;
  contextLength: number;
  /** candidate parents per feature (by cosine) among which the correlation match is chosen */
  candidates: number;
  createdAt: string;
  pairs: { pair: number; narrowSaeId: string; wideSaeId: string; nNarrow: number; nWide: number; /** wide features whose two best parents agree */ agree: number }[];
}

/** A narrow-SAE feature a wide one is matched to. */
export interface MatchParent {
  index: number;
  label: string;
  /** the tokens it fires on most often in its SAE's index run (empty without one) */
  topTokens: string[];
  cosine: number;
  /** null where it cannot be computed (a feature that never fired) */
  correlation: number | null;
}

/** One feature of the wider SAE and its best parents in the narrower one. */
export interface MatchRow {
  /** index in the wider SAE */
  feature: number;
  label: string;
  topTokens: string[];
  /** firing density over the comparison's tokens */
  density: number;
  byCosine: MatchParent;
  /** null when no candidate's correlation can be computed */
  byCorrelation: MatchParent | null;
}

export const matchSortKeys = ['feature', 'cosine', 'correlation', 'parent', 'density'] as const;
export type MatchSortKey = (typeof matchSortKeys)[number];

export interface MatchPage {
  total: number;
  offset: number;
  items: MatchRow[];
}

export const compareGroupKinds = ['oneToMany', 'unmatchedWide', 'unmatchedNarrow'] as const;
export type CompareGroupKind = (typeof compareGroupKinds)[number];

/** A feature in a group list: for oneToMany a narrow parent with its children, else one lone feature. */
export interface CompareGroupItem {
  index: number;
  label: string;
  /** the tokens it fires on most often in its SAE's index run (empty without one) */
  topTokens: string[];
  density: number;
  /** unmatchedWide: its best similarity; unmatchedNarrow: its best child's (null without any) */
  similarity: number | null;
  children: { index: number; label: string; topTokens: string[]; density: number; similarity: number }[];
}

/** Counts of all three lists at the threshold, and a page of one. */
export interface CompareGroups {
  by: MatchMeasure;
  threshold: number;
  counts: Record<CompareGroupKind, number> & { matched: number };
  kind: CompareGroupKind;
  total: number;
  offset: number;
  items: CompareGroupItem[];
}

/** All matches of one pair as arrays for drawing links: base64 of little-endian [nWide] int32 parents (−1 none) and float32 similarities. */
export interface CompareLinks {
  pair: number;
  by: MatchMeasure;
  nWide: number;
  parents: string;
  similarity: string;
}

/** A node of a splitting tree: a feature, and the features of the next wider SAE whose best parent it is. */
export interface SplitTreeNode {
  key: FeatureKey;
  label: string;
  /** over the comparison's tokens */
  density: number;
  /** tokens it fires on among the comparison's */
  fires: number;
  /** the tokens it fires on most often, from its SAE's index run (empty without one) */
  topTokens: string[];
  /**
   * How the node relates to its parent node (null at the root): similarity, and over the
   * comparison's tokens the firings they share: the share of the parent's firings this child covers
   * and P(parent fires | child fires), the two numbers that judge a split (null in comparisons
   * stored before they were counted, or where a feature never fired).
   */
  edge: { cosine: number; correlation: number | null; cofire: number | null; parentShare: number | null; pParentGivenChild: number | null } | null;
  children: SplitTreeNode[];
}

export interface SplitTree {
  runId: number;
  by: MatchMeasure;
  /** tokens the comparison read */
  tokens: number;
  root: SplitTreeNode;
}

// ——— Concepts: hierarchical-concept geometry (Park et al. 2024) ———

/**
 * A concept, named by its source: `wn:<synset>` is a WordNet noun synset with all its hyponyms
 * (`wn:mammal.n.01`), `list:<name>` a word list saved in the workspace.
 */
export type ConceptRef = string;

/** What a concept became in one model's vocabulary. */
export interface ConceptCounts {
  ref: ConceptRef;
  /** the synset's first lemma, or the list's name */
  name: string;
  /** distinct words: the lemmas of the synset and its hyponyms, or the list's words */
  words: number;
  /** words the whole-word rule keeps: one word-initial token as written, used as a whole word (see ConceptWordRule) */
  found: number;
  /** distinct single tokens: the rows the estimator uses */
  nTokens: number;
  /** nTokens reaches the minimum asked for: a vector is estimated */
  enough: boolean;
}

export interface ConceptRefused {
  ref: ConceptRef;
  name: string;
  nTokens: number;
}

export interface ConceptNode extends ConceptCounts {
  gloss: string;
  /** up to 12 of its tokens, as text */
  sample: string[];
  children: ConceptNode[];
  /** hyponyms with some tokens but too few to estimate (at most 8, most tokens first) */
  refused: ConceptRefused[];
  /** the words of its closure the whole-word rule dropped, by reason (most common reasons first) */
  dropped?: ConceptDropped[];
}

/**
 * Why a word does not count for a concept: `phrase` (several words), `pieces` (not one token),
 * `not-letters`, `short`, `word-piece` (a token that mostly begins longer words), `rare` (too few
 * Brown uses, as a noun for WordNet), `not-noun` (mostly another part of speech in Brown),
 * `other-sense` (its dominant WordNet sense lies outside the concept).
 */
export type ConceptDropReason = 'phrase' | 'pieces' | 'not-letters' | 'short' | 'word-piece' | 'rare' | 'not-noun' | 'other-sense';

export interface ConceptDropped {
  reason: ConceptDropReason;
  count: number;
  /** the most used such words, each with a short plain-text why ("2 tokens: f·ish") */
  examples: { word: string; detail: string }[];
}

/** The thresholds of the whole-word rule (native/maps/concepts/whole-words.ts). */
export interface ConceptWordRule {
  minLetters: number;
  /** a token counts when it is the whole word in at least this share of the Brown words it begins */
  minWholeShare: number;
  /** Brown uses needed (as a noun for WordNet's nouns) */
  minUses: number;
  /** share of a WordNet noun's Brown uses that must be nouns */
  minNounShare: number;
}

export interface ConceptHierarchy {
  modelId: string;
  depth: number;
  minTokens: number;
  root: ConceptNode;
  wordRule?: ConceptWordRule;
}

/** The hierarchy a model's Concepts view opens on: the first candidate root its vocabulary can hold. */
export interface ConceptDefaultRoot {
  modelId: string;
  ref: ConceptRef;
  name: string;
  /** false when no candidate holds (then `ref` is the last one tried) */
  holds: boolean;
  /** each candidate tried, in rank order, with why it holds or not */
  tried: { ref: ConceptRef; name: string; holds: boolean; why: string }[];
}

/** A WordNet synset offered by the hierarchy picker. */
export interface ConceptSynsetMatch extends ConceptCounts {
  gloss: string;
  lemmas: string[];
  /** hyponyms (after pruning) that have enough tokens */
  children: number;
}

/** A concept with its estimated vector's summary. */
export interface ConceptVectorInfo extends ConceptCounts {
  /** ‖ℓ̄‖ in the whitened space */
  norm: number;
  /** Ledoit–Wolf shrinkage of the words' covariance */
  shrinkage: number;
  /** standard deviation over the words of ⟨g(y), ℓ̄⟩ / ‖ℓ̄‖² (whose mean is 1) */
  spread: number;
}

/** One parent → child edge of a hierarchy: cos(ℓ̄_parent, ℓ̄_child − ℓ̄_parent), and the same over shuffled vocabularies. */
export interface ConceptEdge {
  parent: number;
  child: number;
  /** null when the child's vector equals the parent's */
  cosine: number | null;
  /** the shuffled cosines: mean, standard deviation, count, and their 5th and 95th percentiles */
  baseline: { mean: number; std: number; n: number; p5?: number; p95?: number } | null;
  /** the permutation test of |cos| against the shuffles; null without a cosine or a baseline */
  verdict?: ConceptEdgeVerdict | null;
}

/**
 * `beyond-chance`: |cos| is smaller than the shuffles' at level `alpha` (p = (1 + #{|cos_s| ≤ |cos|}) / (N + 1));
 * `less-orthogonal`: larger (p the mirror count); `not-distinguishable`: neither; `too-few-shuffles`:
 * N is under `needed`, so no p can reach alpha.
 */
export type ConceptEdgeVerdict =
  | { kind: 'beyond-chance' | 'not-distinguishable' | 'less-orthogonal'; p: number }
  | { kind: 'too-few-shuffles'; p: number; needed: number };

/** The paper's noun heat map for one hierarchy. */
export interface ConceptHeatmap {
  modelId: string;
  depth: number;
  minTokens: number;
  /** tree order, parents first; concepts with too few tokens are left out */
  concepts: (ConceptVectorInfo & { parent: number | null; depth: number })[];
  /** [n, n] row-major: cos(ℓ̄_i, ℓ̄_j) */
  cosines: number[];
  /** [n, n] row-major: cos(ℓ̄_i − ℓ̄_parent(i), ℓ̄_j − ℓ̄_parent(j)); null where i or j is the root */
  differences: (number | null)[];
  edges: ConceptEdge[];
  shuffles: number;
  /** the significance level of the edges' verdicts */
  alpha?: number;
}

export interface ConceptPlaneAxis {
  /** e.g. "ℓ̄(mammal) − ℓ̄(animal), orthogonalised against x" */
  label: string;
  /** the concepts that make the axis: [a] or [b, c] for ℓ̄_b − ℓ̄_c */
  concepts: ConceptVectorInfo[];
  /** ‖axis vector‖ before normalising */
  norm: number;
}

/**
 * Tokens and SAE features in the plane of two concept directions, in the whitened (causal) space.
 * A token sits at (⟨g(y), x̂⟩, ⟨g(y), ŷ⟩); over the whole vocabulary each coordinate has variance 1.
 */
export interface ConceptPlane {
  modelId: string;
  x: ConceptPlaneAxis;
  y: ConceptPlaneAxis & { orthogonalized: boolean };
  /** cos between the two axis vectors before any orthogonalisation */
  cosXY: number;
  cloud: {
    /** tokens in the vocabulary */
    dVocab: number;
    /** tokens shown: a seeded sample of the vocabulary, every highlighted token included */
    n: number;
    /** base64 of little-endian float32 (x, y) pairs, [n, 2] */
    xy: string;
    /** [n] */
    tokenIds: number[];
    /** [n] the tokens as text */
    texts: string[];
    /** [n] index into `groups` of the most specific highlighted concept holding the token, −1 for none */
    group: number[];
  };
  groups: ConceptCounts[];
  /**
   * The SAE's decoder directions mapped into the whitened space (Cov(γ)^(1/2) d_i), placed where a
   * token of typical norm √d_model pointing the same way would sit: √d_model · (cos with x̂, cos with ŷ).
   */
  features: {
    saeId: string;
    n: number;
    /** base64 float32 [n, 2] */
    xy: string;
    /** base64 float32 [n]: length of the unit mapped direction's part in the plane, 0..1 */
    inPlane: string;
    labels: { index: number; label: string }[];
    scale: number;
  } | null;
}

export interface ConceptAlignedFeature {
  index: number;
  /** cos(Cov(γ)^(1/2) d_i, ℓ̄) in the whitened space */
  cosine: number;
  label: string;
  density: number | null;
  /** tokens it fires on most often, from its SAE's index run */
  topTokens: string[];
}

export interface ConceptAligned {
  modelId: string;
  saeId: string;
  concept: ConceptVectorInfo;
  /** highest cosine first */
  top: ConceptAlignedFeature[];
  /** most negative cosine first */
  bottom: ConceptAlignedFeature[];
}

export interface ConceptWordList {
  name: string;
  words: string[];
  updatedAt: string;
  /** how the words fall in a model's vocabulary, when a model was named */
  match: { found: string[]; missing: string[]; nTokens: number; dropped?: { word: string; reason: ConceptDropReason; detail: string }[] } | null;
}

// ——— Corpora ———

/** The start of a corpus, for a form to show before a job reads it (corpus.preview). */
export interface CorpusPreview {
  /** the spec as the engine reads it (e.g. brown:news expanded to its files' category) */
  spec: string;
  /** Brown carries part-of-speech tags (candidate labels come from them) */
  annotated: boolean;
  /** ids of the first documents (at most 5) */
  firstDocuments: string[];
  /** the first document's start (at most 600 characters) */
  text: string;
  /** with a model: its first window's text (BOS and padding not shown), its tokens, and how many of them count */
  window: { text: string; tokens: number; counted: number } | null;
}

/** A feature to open first (features.suggest): where to start reading an SAE. */
export interface SuggestedFeature {
  key: FeatureKey;
  /** the tokens it fires on most often (up to 4) */
  topTokens: string[];
  /** its best candidate label from corpus annotations, when there is one */
  candidate: string | null;
}

/** Formats of the SAE rows an import makes when no weights are given: no encoder, so no prompt, splitting, map or neighbours. */
export const weightlessSaeFormats = ['neuronpedia-export', 'saedashboard-export', 'delphi-export'] as const;

/** Layouts `loupe import` / imports.start read (issue 16). */
export const importFormats = ['neuronpedia', 'saedashboard', 'delphi'] as const;
export type ImportFormat = (typeof importFormats)[number];

/** Statistics an import may not be able to supply; the page shows each one as absent, never as 0. */
export const absentStatKeys = ['tokensSeen', 'fires', 'meanAct', 'histogram', 'quantiles', 'frequent', 'logits'] as const;
export type AbsentStatKey = (typeof absentStatKeys)[number];

/** Where an imported run came from and what it lacks (features.page). */
export interface ImportedRunInfo {
  format: ImportFormat;
  /** the export folder or file read */
  path: string;
  /** what the export does not carry, shown as absent */
  absent: AbsentStatKey[];
  /** the dataset the export names, when it names one */
  dataset: string | null;
}

/** What an import job returns. */
export interface ImportSummary {
  saeId: string;
  runId: number;
  format: ImportFormat;
  features: number;
  /** activation rows (SAEDashboard / Neuronpedia) or nonzero (location, activation) rows (delphi) read */
  rows: number;
  windows: number;
  /** where a resumed import picked up (rows already committed), or null for a fresh one */
  resumedAtRow: number | null;
  /** token strings of the export not in the model's vocabulary (kept as text; no id) */
  unknownTokens: number;
  seconds: number;
}
