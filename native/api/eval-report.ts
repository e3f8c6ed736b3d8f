// The evaluation report an SAE eval produces and the store keeps (evals table) and the host returns:
// plain data, so it lives in the contract floor where both the store and sae/eval can read it.

/** What `loupe eval` prints and stores as JSON. Ratios that cannot be computed are null, never NaN. */
export interface EvalReport {
  model: string;
  /** the corpus spec, when the windows came from one */
  corpus?: string;
  hook: string;
  /** transcoders: the hook their output predicts, which reconstruction and the splice are measured at */
  outputHook?: string;
  /** what the report leaves out and why (e.g. ablation sparsity for a transcoder) */
  notes?: string[];
  sae: { path: string; format: string; dIn: number; dSae: number; activation: string };
  /** tokens the SAE was evaluated on: the counted positions of the windows (corpus/windows.ts) */
  tokens: number;
  windows: number;
  contextLength: number;
  provider: string;
  fallbackMessage?: string;
  reconstruction: {
    /** fraction of variance unexplained, Σ‖x − x̂‖² / Σ‖x − x̄‖² over all tokens (normalised MSE) */
    fvu: number | null;
    explainedVariance: number | null;
    /** mean of (x − x̂)² over tokens and dimensions */
    mse: number;
    /** mean of ‖x − x̄‖² per token: the squared error of predicting the mean */
    baselineSquaredError: number;
    /** mean number of latents with f > 0 per token */
    l0: number;
  };
  latents: {
    dSae: number;
    dead: { count: number; fraction: number; definition: string };
    dense: { count: number; fraction: number; threshold: number; definition: string };
  };
  crossEntropy: {
    /** mean next-token loss (nats) of the model, with the SAE's reconstruction spliced in, with the hook zeroed */
    clean: number;
    sae: number;
    zeroAblated: number;
    /** (zeroAblated − sae) / (zeroAblated − clean) */
    lossRecovered: number | null;
    /** sae − clean */
    deltaLoss: number;
    /** next-token predictions made at counted positions (a window's last position has none) */
    predictedTokens: number;
  };
  ablationSparsity: AblationSparsityReport | null;
  decoderCosines: DecoderCosineReport | null;
}

export interface AblationSparsityReport {
  formula: string;
  vocabSize: number;
  /** windows and tokens of the evaluation the latents were sampled and ablated in */
  windows: number;
  tokens: number;
  seed: number;
  /** latents that fire at least once in those windows (the sampling pool) */
  candidates: number;
  perLatent: LatentAblation[];
  /** mean of S over the sampled latents with a non-null S; null when there are none */
  mean: number | null;
  median: number | null;
}

export interface LatentAblation {
  latent: number;
  /** windows of the ablation set in which the latent fires */
  windows: number;
  /** T_F: positions whose logits the ablation can change */
  positions: number;
  /** S(F); null when ablating it changes no logit at all */
  sparsity: number | null;
}

export interface DecoderCosineReport {
  measure: 'max cosine similarity to any other row (signed)';
  dSae: number;
  dIn: number;
  seed: number;
  histogram: { min: number; max: number; bins: number; decoder: number[]; random: number[] };
  decoder: CosineSummary;
  random: CosineSummary;
}

export interface CosineSummary {
  mean: number;
  median: number;
  /** fraction of rows whose nearest other row has cosine above 0.9 (near-duplicates) */
  above09: number;
}
