/** Steering and generation. */

/** One generated token (steer.start): its id, text and probability under the model that chose it. */
export interface GeneratedTokenInfo {
  id: number;
  text: string;
  prob: number;
}

/** One step of a steered generation; `Token` is what each side chose (the engine's ids, or with the text for the renderer). */
export interface SteerStep<Token> {
  step: number;
  /** null once the clean continuation stopped at EOS */
  clean: Token | null;
  /** `cleanProb`: the steered token's probability under the clean model reading the same (steered) text */
  steered: (Token & { cleanProb: number }) | null;
  /** KL(steered ‖ clean) in nats between the next-token distributions on the steered text; null once it stopped */
  kl: number | null;
  /** the first edit's top output tokens' total probability on the steered text, under each model (when computed) */
  watched?: { steered: number; clean: number };
}

/** One step of a steered generation, streamed as a `job.data` item of steer.start. */
export type SteerStepData = SteerStep<GeneratedTokenInfo>;

/** An edit as it ran: clampMax resolved to a value from the feature's max activation in the index. */
export interface SteerEditApplied {
  saeId: string;
  feature: number;
  hookName: string;
  mode: 'clamp' | 'add' | 'ablate';
  /** the clamp value or the coefficient α; 0 for ablate */
  amount: number;
  label: string;
}

/** The result of steer.start: the prompt, both continuations and every step. */
export interface SteerResult {
  modelId: string;
  prompt: { id: number; text: string }[];
  edits: SteerEditApplied[];
  keepError: boolean;
  /** the first position (in the prompt's tokens, BOS not counted) where the edits apply */
  fromToken: number;
  /** the top output tokens of the first edit's feature (W_dec · W_U) whose probability `watched` sums */
  watch: string[];
  clean: { text: string; stop: 'eos' | 'length' | 'context' };
  steered: { text: string; stop: 'eos' | 'length' | 'context' };
  steps: SteerStepData[];
  provider: string;
  notes: string[];
  /** the raw vector added, when there was one */
  vector?: { hookName: string; norm: number; coefficient: number };
}

/** A feature in a steering-vector decomposition (steer.decompose). */
export interface DecomposedFeature {
  index: number;
  label: string;
  /** cos(W_dec[index], v) */
  cosine: number;
  /** mean activation on the positive prompts' last tokens minus on the negative ones' */
  deltaAct: number;
  /** least-squares coefficient of W_dec[index] in the fit of v by its ranking's top k */
  coefficient: number;
}

/** A CAA vector at an SAE's hook and its reading in the SAE's features (steer.decompose). */
export interface SteeringDecomposition {
  saeId: string;
  modelId: string;
  hookName: string;
  nPositive: number;
  nNegative: number;
  /** ‖v‖ */
  norm: number;
  /** the vector v [dIn], to steer with (steer.start's `vector`) */
  vector: number[];
  /** top k by |cosine| with v */
  byCosine: DecomposedFeature[];
  /** top k by |Δ mean activation| (the SAE's encoder) */
  byEncoder: DecomposedFeature[];
  /** the fraction of ‖v‖² the top j decoder directions of each ranking explain (least squares), for j = 1…k */
  explained: { j: number; byCosine: number; byEncoder: number }[];
}
