/** Compare (feature splitting) and evaluations. */

import type { FeatureKey } from './features.js';

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
  pairs: {
    pair: number;
    narrowSaeId: string;
    wideSaeId: string;
    nNarrow: number;
    nWide: number;
    /** wide features whose two best parents agree */ agree: number;
  }[];
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
  edge: {
    cosine: number;
    correlation: number | null;
    cofire: number | null;
    parentShare: number | null;
    pParentGivenChild: number | null;
  } | null;
  children: SplitTreeNode[];
}

export interface SplitTree {
  runId: number;
  by: MatchMeasure;
  /** tokens the comparison read */
  tokens: number;
  root: SplitTreeNode;
}
