import { FormatError } from '../formats/tensor.js';

/**
 * One SAE, whatever library wrote it. Every reader folds its library's quirks (transposed weights,
 * decoder-norm rescaling, gated encoders, per-latent scaling factors) into these tensors, so
 * `encode(x)` and `decode(f)` below are the whole contract:
 *
 *   x1 = inputNorm(x) · inputScale;  x2 = subtractDecoderBias ? x1 − bDec : x1
 *   pre = x2 · wEnc + bEnc;          f = activation(pre)
 *   y = (f · wDec + bDec) / inputScale, then inputNorm undone with the statistics of the same token
 */

/**
 * relu: max(pre, 0). topk: keep the k largest pre-activations of each token, then ReLU (ties at the
 * k-th value are broken arbitrarily, as torch.topk does). jumprelu: pre where pre > threshold, else 0;
 * thresholds are ≥ 0, so this equals ReLU(pre)·[pre > threshold], the form every library writes.
 */
export type SaeActivation = { kind: 'relu' } | { kind: 'topk'; k: number } | { kind: 'jumprelu'; /** [dSae] */ threshold: Float32Array };

/**
 * Per-token input normalisation, undone after decoding with that token's own statistics:
 * - 'layer-norm': x ← (x − mean(x)) / (std(x) + 1e-5), std with Bessel's correction (torch.std);
 *   decoding multiplies by std (no eps) and adds the mean. openai/sparse_autoencoder applies it to
 *   every SAE saved with a TopK activation; SAELens calls it normalize_activations 'layer_norm'.
 * - 'constant-norm-rescale': x ← x · sqrt(dIn) / ‖x‖; decoding divides by the same factor (SAELens).
 */
export type SaeInputNorm = 'none' | 'layer-norm' | 'constant-norm-rescale';

export const SAE_INPUT_NORMS: readonly SaeInputNorm[] = ['none', 'layer-norm', 'constant-norm-rescale'];

export type SaeFormat = 'saelens' | 'sparsify' | 'openai' | 'gemma-scope' | 'dictionary-learning' | 'llama-scope' | 'loupe';

export interface CanonicalSae {
  source: { path: string; format: SaeFormat };
  dIn: number;
  dSae: number;
  /** [dIn, dSae], row-major */
  wEnc: Float32Array;
  /** [dSae] */
  bEnc: Float32Array;
  /** [dSae, dIn], row-major */
  wDec: Float32Array;
  /** [dIn] */
  bDec: Float32Array;
  activation: SaeActivation;
  /** Subtract b_dec from the input before encoding (SAELens apply_b_dec_to_input; openai pre_bias; sparsify always). */
  subtractDecoderBias: boolean;
  /** See SaeInputNorm; applied before inputScale. */
  inputNorm: SaeInputNorm;
  /**
   * x is multiplied by this before encoding and the output divided by it after decoding (1 if none).
   * Set from SAELens normalize_activations 'expected_average_only_in' with a norm_scaling_factor in
   * cfg.json; the SAELens writer folds it into the weights, as SAELens itself does.
   */
  inputScale: number;
  /**
   * Where inputScale came from, when the format says the inputs are scaled (SAELens
   * expected_average_only_in, Llama Scope dataset-wise norms): given in the config or a file,
   * estimated as √d_in / mean ‖x‖ over a corpus, or 'pending' until resolveInputScale estimates it
   * with the model (nothing computes with a pending scale).
   */
  inputScaleFrom?: { kind: 'given' | 'estimated' | 'pending'; detail: string };
  hookName: string | null;
  /**
   * Transcoders only: the hook the output predicts (SAELens hook_name_out, Llama Scope hook_point_out).
   * A transcoder encodes `hookName` and decodes to this hook: its output is f · wDec + bDec (+ x · wSkip),
   * never mapped back through the input normalisation (SAELens Transcoder.decode), and it never
   * subtracts b_dec from its input (b_dec lives in the output space).
   */
  outputHookName?: string | null;
  /** Skip transcoders: [dIn, dIn] row-major, output += x · wSkip with x the raw input (SAELens W_skip is its transpose). */
  wSkip?: Float32Array;
  modelName: string | null;
  /** Everything else from the config, verbatim, for display. */
  config: Record<string, unknown>;
}

/** A bad SAE file or SAE object; the message names the file, the tensor or key, and what was expected. */
export class SaeError extends FormatError {
  constructor(file: string, message: string) {
    super(file, message);
    this.name = 'SaeError';
  }
}

/**
 * Checks shapes, finiteness and activation settings before anything computes with the SAE.
 * Non-finite weights are never used: the error names the tensor, the count and the first index.
 */
export function validateSae(sae: CanonicalSae): void {
  const file = sae.source.path;
  const { dIn, dSae } = sae;
  for (const [name, v] of [
    ['d_in', dIn],
    ['d_sae', dSae],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new SaeError(file, `${name} is ${v}, expected a positive integer`);
  }
  const tensors: [string, Float32Array, [string, number][]][] = [
    [
      'W_enc',
      sae.wEnc,
      [
        ['d_in', dIn],
        ['d_sae', dSae],
      ],
    ],
    ['b_enc', sae.bEnc, [['d_sae', dSae]]],
    [
      'W_dec',
      sae.wDec,
      [
        ['d_sae', dSae],
        ['d_in', dIn],
      ],
    ],
    ['b_dec', sae.bDec, [['d_in', dIn]]],
  ];
  if (sae.activation.kind === 'jumprelu') tensors.push(['threshold', sae.activation.threshold, [['d_sae', dSae]]]);
  if (sae.wSkip !== undefined)
    tensors.push([
      'W_skip',
      sae.wSkip,
      [
        ['d_in', dIn],
        ['d_out', dIn],
      ],
    ]);
  checkTranscoder(sae);
  for (const [name, data, dims] of tensors) {
    const expected = dims.reduce((n, [, d]) => n * d, 1);
    if (!(data instanceof Float32Array) || data.length !== expected) {
      const got = data instanceof Float32Array ? `${data.length} values` : 'not a Float32Array';
      throw new SaeError(
        file,
        `${name} is ${got}, expected [${dims.map(([l]) => l).join(', ')}] = [${dims.map(([, d]) => d).join(', ')}] (${expected} values)`,
      );
    }
    const bad = describeNonFinite(
      data,
      dims.map(([, d]) => d),
    );
    if (bad) throw new SaeError(file, `${name} has ${bad}; refusing to use non-finite weights`);
  }
  checkActivation(file, sae.activation, dSae);
  if (!SAE_INPUT_NORMS.includes(sae.inputNorm)) {
    throw new SaeError(file, `input normalisation "${String(sae.inputNorm)}" is unknown; expected one of ${SAE_INPUT_NORMS.join(', ')}`);
  }
  if (!Number.isFinite(sae.inputScale) || sae.inputScale <= 0) {
    throw new SaeError(file, `input scale is ${sae.inputScale}, expected a finite number > 0`);
  }
}

/** A transcoder has an output hook; a skip connection or a missing one without it is a contradiction. */
function checkTranscoder(sae: CanonicalSae): void {
  const file = sae.source.path;
  if (isTranscoder(sae)) {
    if (sae.subtractDecoderBias)
      throw new SaeError(file, "a transcoder cannot subtract b_dec from its input: b_dec is in the output hook's space");
    if (sae.outputHookName === sae.hookName)
      throw new SaeError(file, `output hook ${sae.outputHookName} is its input hook; a transcoder maps one hook to another`);
    return;
  }
  if (sae.wSkip !== undefined)
    throw new SaeError(
      file,
      "has W_skip but no output hook: a skip connection is a transcoder's, and Loupe needs to know which hook it predicts",
    );
}

/** A transcoder reads one hook and predicts another (SAELens transcoder, sparsify transcode, Llama Scope TC). */
export function isTranscoder(sae: CanonicalSae): boolean {
  return typeof sae.outputHookName === 'string' && sae.outputHookName !== '';
}

/** The hook an SAE's output is compared against: the output hook of a transcoder, else the hook it reads. */
export function reconstructedHook(sae: CanonicalSae, inputHook: string): string {
  return isTranscoder(sae) ? (sae.outputHookName as string) : inputHook;
}

/** For features of Loupe that edit one hook in place (feature ablation, clamping, steering) and do not handle transcoders yet. */
export function refuseTranscoder(sae: CanonicalSae, what: string): void {
  if (!isTranscoder(sae)) return;
  throw new SaeError(
    sae.source.path,
    `is a transcoder (${sae.hookName} → ${sae.outputHookName}); ${what} does not support transcoders yet`,
  );
}

/** Graphs refuse an SAE whose input scale is still to be estimated from the model's activations. */
export function assertInputScaleKnown(sae: CanonicalSae): void {
  if (sae.inputScaleFrom?.kind !== 'pending') return;
  throw new SaeError(
    sae.source.path,
    `${sae.inputScaleFrom.detail}; it is estimated from the model's activations (resolveInputScale), so this SAE needs its model to be used`,
  );
}

function checkActivation(file: string, act: SaeActivation, dSae: number): void {
  if (act.kind === 'relu') return;
  if (act.kind === 'topk') {
    if (!Number.isSafeInteger(act.k) || act.k < 1) throw new SaeError(file, `topk k is ${act.k}, expected an integer ≥ 1`);
    if (act.k > dSae) throw new SaeError(file, `topk k = ${act.k} is larger than d_sae = ${dSae}`);
    return;
  }
  if (act.kind === 'jumprelu') {
    const t = act.threshold;
    const negative = t.findIndex((v) => v < 0);
    if (negative >= 0) {
      const count = t.reduce((n, v) => n + (v < 0 ? 1 : 0), 0);
      throw new SaeError(
        file,
        `threshold has ${count} negative values, first at [${negative}] (${t[negative]}); JumpReLU thresholds must be ≥ 0`,
      );
    }
    return;
  }
  throw new SaeError(file, `activation "${(act as { kind: unknown }).kind}" is unknown; expected relu, topk or jumprelu`);
}

/**
 * "3 NaN and 1 infinite values, first at [2, 5] (NaN)" for a tensor of the given shape, or null when
 * every value is finite.
 */
export function describeNonFinite(data: ArrayLike<number>, shape: readonly number[]): string | null {
  let nan = 0;
  let inf = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v === 0) continue; // finite: fast path, false only for NaN and ±Infinity
    if (Number.isNaN(v)) nan++;
    else inf++;
    if (first < 0) first = i;
  }
  if (first < 0) return null;
  const parts = [nan > 0 ? `${nan} NaN` : '', inf > 0 ? `${inf} infinite` : ''].filter(Boolean).join(' and ');
  return `${parts} value${nan + inf === 1 ? '' : 's'}, first at [${unravel(first, shape).join(', ')}] (${data[first]})`;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return shape.length === 0 ? [flat] : index;
}

/** The SAE must read activations exactly as wide as the model's hook; the error names both. */
export function assertHookWidth(sae: CanonicalSae, modelHookWidth: number, modelName: string, hookName: string): void {
  if (sae.dIn === modelHookWidth) return;
  throw new SaeError(
    sae.source.path,
    `SAE reads d_in = ${sae.dIn} values per token, but ${modelName}'s hook ${hookName} is ${modelHookWidth} wide` +
      (sae.hookName && sae.hookName !== hookName ? ` (the SAE was trained on ${sae.hookName})` : ''),
  );
}
