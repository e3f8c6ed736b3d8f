/** Training SAEs. */

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
