/** Features: one feature's page, search and lists, its logit and loss effects, the label queue. */

import type { AbsentStatKey, ImportedRunInfo } from './imports.js';
import type { FeatureLabel } from './labels.js';

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
  run: {
    id: number;
    corpusSpec: string;
    contextLength: number;
    tokensDone: number;
    state: IndexRunState;
    finishedAt: string | null;
  } | null;
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
  quantiles: {
    band: number;
    /** activation range of the band; null when the run stored no edges */ lo: number | null;
    hi: number | null;
    examples: PageExample[];
  }[];
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
  /**
   * Where the correlations of `neighbours.across` come from, per other SAE: the index sees one SAE's
   * activations, so a cross-SAE correlation is known only from a stored comparison of the two SAEs,
   * and there only for the pairs it matched (a wide feature and its best parent by cosine or by correlation).
   */
  acrossCorrelation?: AcrossCorrelation[];
}

export interface AcrossCorrelation {
  saeId: string;
  /** the newest comparison with the two SAEs side by side; null when they were never compared */
  compare: { runId: number; tokens: number; corpus: string } | null;
  /** neighbours whose correlation the comparison gave, of `listed` */
  filled: number;
  listed: number;
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

/** A feature to open first (features.suggest): where to start reading an SAE. */
export interface SuggestedFeature {
  key: FeatureKey;
  /** the tokens it fires on most often (up to 4) */
  topTokens: string[];
  /** its best candidate label from corpus annotations, when there is one */
  candidate: string | null;
}

/**
 * features.logitHistogram: a feature's direct effect on every output token, W_dec[f] · W_U (no final
 * LayerNorm, no unembedding bias: as the boosted and suppressed lists and sae_vis's histogram), in
 * equal-width bins over [min, max]. A panel's plain data: the view only draws it.
 */
export interface LogitHistogram {
  key: FeatureKey;
  /** tokens in the vocabulary: the counts add up to it */
  dVocab: number;
  /** [bins + 1] bin edges, equal width, from min to max */
  edges: number[];
  /** [bins] tokens whose effect falls in [edges[i], edges[i + 1]) (the last bin includes max) */
  counts: number[];
  min: number;
  max: number;
  mean: number;
  /** standard deviation over the vocabulary */
  std: number;
}

/**
 * features.lossEffect: what feature F does for the model's predictions in one stored example window,
 * sae_vis's per-token loss effect. The window runs twice, as read, and with F removed at the SAE's
 * hook at every position (its activation times its decoder row subtracted, the SAE's error term
 * kept, so the clean pass is the model's own); effect[t] = loss_ablated − loss_clean of predicting
 * token t from the tokens before it. Positive: F helped predict token t.
 */
export interface LossEffect {
  key: FeatureKey;
  /** the stored window (PageWindow.index) */
  window: number;
  /** [nTokens] null at position 0 (nothing predicts it) */
  effect: (number | null)[];
  /** [nTokens] the clean pass's −log p(token t), null at position 0 */
  cleanLoss: (number | null)[];
}

/** features.queue: a label queue's features and the SAE's labelling progress, from one call. */
export interface FeatureQueue {
  saeId: string;
  /** the index run the selection reads (null before the SAE is indexed: then only labelled features exist) */
  runId: number | null;
  /** [n] the matching features' indices, ascending */
  indices: number[];
  /** features with a label and not marked uninterpretable */
  labelled: number;
  /** features marked uninterpretable (reviewed, not labelled) */
  uninterpretable: number;
  /** all features of the SAE's index run */
  total: number;
}
