import type { SaeInputNorm } from '../canonical.js';
import { SaeError } from '../canonical.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { badKey, optionalBool, optionalString, positiveInt, readJsonObject } from './json-config.js';
import { saeLensArchitecture, saeLensKeys, saeLensNormalization } from '../../formats/sae-configs.js';
import type { SaeLensKeys } from '../../formats/sae-configs.js';
import type { JsonRecord } from './json-config.js';

/**
 * SAELens cfg.json, in both layouts: flat before v6 (hook_name or the older hook_point, activation_fn_str
 * with activation_fn_kwargs.k), and v6 (hook_name and model_name under "metadata", k at the top level).
 * Keys are kept verbatim here and translated in this one place.
 */

export const SAELENS_ARCHITECTURES = [
  'standard',
  'topk',
  'jumprelu',
  'gated',
  'transcoder',
  'skip_transcoder',
  'jumprelu_transcoder',
] as const;
export type SaeLensArchitecture = (typeof SAELENS_ARCHITECTURES)[number];

/** SAELens 6 transcoders (saes/transcoder.py): the activation of the SAE architecture each extends. */
export const TRANSCODER_BASE: Partial<Record<SaeLensArchitecture, 'standard' | 'jumprelu'>> = {
  transcoder: 'standard',
  skip_transcoder: 'standard',
  jumprelu_transcoder: 'jumprelu',
};

/** Marks cfg.json files that Loupe wrote; SAELens ignores keys it does not know. */
export const LOUPE_MARKER_KEY = 'loupe_format_version';

export interface SaeLensSettings {
  dIn: number;
  dSae: number;
  architecture: SaeLensArchitecture;
  /** for topk */
  k?: number;
  subtractDecoderBias: boolean;
  inputNorm: SaeInputNorm;
  inputScale: number;
  inputScaleFrom?: { kind: 'given' | 'pending'; detail: string };
  /** topk only: pre-activations times decoder norms, activations divided by them before decoding */
  rescaleByDecoderNorm: boolean;
  /** a per-latent `scaling_factor` multiplies activations before decoding */
  finetuningScalingFactor: boolean;
  hookName: string | null;
  /** transcoders: hook_name_out */
  outputHookName: string | null;
  modelName: string | null;
  writtenByLoupe: boolean;
}

export function parseSaeLensConfig(file: string, cfg: JsonRecord): SaeLensSettings {
  const keys = saeLensKeys(cfg);
  const headIndex = keys.headIndex;
  if (headIndex !== undefined) {
    throw new SaeError(
      file,
      `"hook_head_index" is ${JSON.stringify(headIndex)}: SAEs on a single attention head are not supported (only whole hooks)`,
    );
  }
  const architecture = architectureOf(file, keys);
  const { inputNorm, inputScale, inputScaleFrom } = normalisation(file, cfg);
  const transcoder = TRANSCODER_BASE[architecture] !== undefined;
  const dIn = positiveInt(file, 'd_in', keys.dIn);
  const outputHookName = transcoder ? transcoderOutput(file, cfg, keys.hookNameOut, dIn) : null;
  return {
    dIn,
    dSae: positiveInt(file, 'd_sae', keys.dSae),
    architecture,
    k: architecture === 'topk' ? topK(file, keys) : undefined,
    // Transcoder.process_sae_in never subtracts b_dec: it lives in the output hook's space.
    subtractDecoderBias: !transcoder && optionalBool(file, 'apply_b_dec_to_input', cfg.apply_b_dec_to_input, true),
    inputNorm,
    inputScale,
    ...(inputScaleFrom ? { inputScaleFrom } : {}),
    rescaleByDecoderNorm:
      architecture === 'topk' && optionalBool(file, 'rescale_acts_by_decoder_norm', cfg.rescale_acts_by_decoder_norm, false),
    finetuningScalingFactor: optionalBool(file, 'finetuning_scaling_factor', cfg.finetuning_scaling_factor, false),
    hookName: optionalString(file, 'hook_name', keys.hookName) ?? null,
    outputHookName,
    modelName: optionalString(file, 'model_name', keys.modelName) ?? null,
    writtenByLoupe: cfg[LOUPE_MARKER_KEY] !== undefined,
  };
}

/** hook_name_out (required) and d_out, which Loupe reads only equal to d_in (MLP-in to MLP-out transcoders). */
function transcoderOutput(file: string, cfg: JsonRecord, hookNameOut: unknown, dIn: number): string {
  const out = optionalString(file, 'hook_name_out', hookNameOut);
  if (out === undefined || out === '')
    throw badKey(file, 'hook_name_out', hookNameOut, "the hook a transcoder's output predicts (e.g. blocks.0.hook_mlp_out)");
  const dOut = cfg.d_out === undefined || cfg.d_out === null ? dIn : positiveInt(file, 'd_out', cfg.d_out);
  if (dOut !== dIn)
    throw new SaeError(
      file,
      `"d_out" is ${dOut} but "d_in" is ${dIn}: Loupe reads transcoders whose input and output hooks are equally wide`,
    );
  const headOut = cfg.hook_head_index_out;
  if (headOut !== undefined && headOut !== null)
    throw new SaeError(
      file,
      `"hook_head_index_out" is ${JSON.stringify(headOut)}: transcoders onto a single attention head are not supported`,
    );
  return out;
}

/** SAELens before v6 wrote TopK SAEs as architecture "standard" with activation_fn_str "topk". */
function architectureOf(file: string, keys: SaeLensKeys): SaeLensArchitecture {
  const arch = optionalString(file, 'architecture', keys.architecture) ?? 'standard';
  if (!(SAELENS_ARCHITECTURES as readonly string[]).includes(arch)) {
    throw new SaeError(file, `unknown architecture "${arch}"; Loupe reads SAELens architectures ${SAELENS_ARCHITECTURES.join(', ')}`);
  }
  const fnKey = keys.activationFn.key;
  const fn = optionalString(file, fnKey, keys.activationFn.value) ?? 'relu';
  if (fn === 'relu' || (fn === 'topk' && saeLensArchitecture(arch, fn) === 'topk'))
    return saeLensArchitecture(arch, fn) as SaeLensArchitecture;
  if (TRANSCODER_BASE[arch as SaeLensArchitecture] !== undefined && fn === 'topk') {
    throw new SaeError(file, `"${fnKey}" is "topk" for architecture "${arch}": SAELens transcoders are ReLU or JumpReLU`);
  }
  throw new SaeError(file, `"${fnKey}" is "${fn}" for architecture "${arch}"; Loupe reads relu, and topk for standard or topk SAEs`);
}

function topK(file: string, keys: SaeLensKeys): number {
  if (keys.k !== undefined) return positiveInt(file, keys.k.key, keys.k.value);
  throw badKey(file, 'k', undefined, 'a positive integer for a topk SAE (as "k" or "activation_fn_kwargs.k")');
}

const NORMALISATIONS = ['none', 'expected_average_only_in', 'constant_norm_rescale', 'layer_norm'];

/** SAELens's training runner saves the factor it estimated here (ActivationScaler.save). */
export const ACTIVATION_SCALER_FILE = 'activation_scaler.json';

type Normalisation = { inputNorm: SaeInputNorm; inputScale: number; inputScaleFrom?: { kind: 'given' | 'pending'; detail: string } };

/**
 * normalize_activations: booleans are the pre-v3 spelling (true = expected_average_only_in). That one
 * scales inputs by a constant, √d_in / mean ‖x‖ over training activations: read from a
 * "norm_scaling_factor" key in cfg.json, else from activation_scaler.json beside it, else left
 * 'pending' for resolveInputScale to estimate from the model's activations.
 */
function normalisation(file: string, cfg: JsonRecord): Normalisation {
  const raw = cfg.normalize_activations;
  const mode = saeLensNormalization(raw);
  if (typeof mode !== 'string' || !NORMALISATIONS.includes(mode)) {
    throw badKey(file, 'normalize_activations', raw, `one of ${NORMALISATIONS.join(', ')}`);
  }
  if (mode === 'layer_norm') return { inputNorm: 'layer-norm', inputScale: 1 };
  if (mode === 'constant_norm_rescale') return { inputNorm: 'constant-norm-rescale', inputScale: 1 };
  if (mode === 'none') return { inputNorm: 'none', inputScale: 1 };
  const factor = cfg.norm_scaling_factor;
  if (typeof factor === 'number' && Number.isFinite(factor) && factor > 0) {
    return {
      inputNorm: 'none',
      inputScale: factor,
      inputScaleFrom: { kind: 'given', detail: `expected_average_only_in: × ${factor}, norm_scaling_factor in cfg.json` },
    };
  }
  if (factor !== undefined && factor !== null) throw badKey(file, 'norm_scaling_factor', factor, 'a finite number > 0');
  const scalerPath = join(dirname(file), ACTIVATION_SCALER_FILE);
  if (existsSync(scalerPath)) {
    const scaler = readJsonObject(scalerPath).scaling_factor;
    if (typeof scaler !== 'number' || !Number.isFinite(scaler) || scaler <= 0)
      throw badKey(scalerPath, 'scaling_factor', scaler, 'a finite number > 0');
    return {
      inputNorm: 'none',
      inputScale: scaler,
      inputScaleFrom: { kind: 'given', detail: `expected_average_only_in: × ${scaler}, scaling_factor in ${ACTIVATION_SCALER_FILE}` },
    };
  }
  return {
    inputNorm: 'none',
    inputScale: 1,
    inputScaleFrom: {
      kind: 'pending',
      detail: `"normalize_activations" is "expected_average_only_in" but neither cfg.json "norm_scaling_factor" nor ${ACTIVATION_SCALER_FILE} gives the factor`,
    },
  };
}
