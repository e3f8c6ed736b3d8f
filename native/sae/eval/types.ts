import type { AblationSparsityReport } from './ablation-sparsity.js';
import type { DecoderCosineReport } from './decoder-cosines.js';

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
