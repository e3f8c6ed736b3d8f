/** Concepts: hierarchical-concept geometry (Park et al. 2024). */

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
  match: {
    found: string[];
    missing: string[];
    nTokens: number;
    dropped?: { word: string; reason: ConceptDropReason; detail: string }[];
  } | null;
}
