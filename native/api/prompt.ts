/** Prompt: per-token activations of an SAE on a text. */

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
  /**
   * How well the SAE reconstructs the hook's activation x on each token: ‖x − x̂‖² / ‖x‖² (x̂ the SAE's
   * output, in x's space), and over the text Σ‖x − x̂‖² / Σ‖x‖² (the text's fraction of variance
   * unexplained, without centring). [nTokens] each; null where ‖x‖ = 0.
   */
  reconstruction?: PromptReconstruction;
}

export interface PromptReconstruction {
  /** [nTokens] ‖x − x̂‖² / ‖x‖², null where ‖x‖² = 0 */ relativeError: (number | null)[];
  /** [nTokens] ‖x − x̂‖² */ errorSq: number[];
  /** [nTokens] ‖x‖² */ inputSq: number[];
  /** Σ‖x − x̂‖² / Σ‖x‖² over the text's tokens (the BOS excluded), null when Σ‖x‖² = 0 */ overall: number | null;
}
