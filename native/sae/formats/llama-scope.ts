import { join } from 'node:path';
import { LLAMA_SCOPE_DEFAULTS, llamaScopeAverageNorm } from '../../formats/sae-configs.js';
import { SAE_LAYOUT_FILES } from '../../formats/sae-layouts.js';
import type { CanonicalSae, SaeActivation } from '../canonical.js';
import { SaeError, validateSae } from '../canonical.js';
import { decoderNorms, foldDecoderNorms } from './fold.js';
import { badKey, optionalBool, optionalPositiveInt, optionalString, positiveInt, readJsonObject, verbatim } from './json-config.js';
import { isJsonObject } from '../../formats/strict-json.js';
import type { JsonRecord } from './json-config.js';
import { readChecked, safetensorsSource, transpose } from './tensors.js';

const FILES = SAE_LAYOUT_FILES.llamaScope;
export const LLAMA_SCOPE_LAYOUT = `${FILES.config} + ${FILES.weights}`;

/**
 * A Llama Scope (OpenMOSS lm_saes) folder: hyperparams.json + checkpoints/final.safetensors with
 * encoder.weight [d_sae, d_model], encoder.bias, decoder.weight [d_model, d_sae], decoder.bias.
 * lm_saes computes, for x at hook_point_in:
 *   x ← x · √d_model / avg_norm_in          (norm_activation "dataset-wise")
 *   pre = (x − b_dec?) · W_encᵀ + b_enc      (b_dec only with apply_decoder_bias_to_pre_encoder)
 *   s_j = pre_j · ‖W_dec_j‖ if sparsity_include_decoder_norm, else pre_j
 *   f_j = pre_j · mask_j(s)                  (jumprelu: s_j > θ; topk: top k of ReLU(s); relu: s_j > 0)
 *   y = (f · W_decᵀ + b_dec) · avg_norm_out / √d_model, the prediction of hook_point_out
 * SAELens's llama_scope loader reads the same files (scalar threshold, expected_average_only_in).
 * Here the decoder norms fold into per-latent thresholds θ / ‖W_dec_j‖ (activations unchanged), the
 * input factor is the canonical input scale, and the output factor folds into the decoder.
 */
export function readLlamaScope(dir: string): CanonicalSae {
  const cfgPath = join(dir, FILES.config);
  const cfg = readJsonObject(cfgPath);
  const dIn = positiveInt(cfgPath, 'd_model', cfg.d_model);
  const dSae = positiveInt(cfgPath, 'd_sae', cfg.d_sae);
  const hookIn = requiredString(cfgPath, cfg, 'hook_point_in');
  const hookOut = optionalString(cfgPath, 'hook_point_out', cfg.hook_point_out) ?? hookIn;
  const transcoder = hookOut !== hookIn;
  const scales = datasetScales(cfgPath, cfg, dIn, hookIn, hookOut);
  const preBias = optionalBool(cfgPath, 'apply_decoder_bias_to_pre_encoder', cfg.apply_decoder_bias_to_pre_encoder, false);
  if (preBias && (transcoder || scales.in !== scales.out)) {
    throw new SaeError(
      cfgPath,
      '"apply_decoder_bias_to_pre_encoder" is true with different input and output scales (or a transcoder): not supported',
    );
  }
  const src = safetensorsSource(join(dir, FILES.weights));
  try {
    const wEnc = transpose(
      readChecked(src, 'encoder.weight', [
        ['d_sae', dSae],
        ['d_model', dIn],
      ]),
      dSae,
      dIn,
    );
    const bEnc = readChecked(src, 'encoder.bias', [['d_sae', dSae]]);
    const wDecRaw = transpose(
      readChecked(src, 'decoder.weight', [
        ['d_model', dIn],
        ['d_sae', dSae],
      ]),
      dIn,
      dSae,
    );
    const bDecRaw =
      src.shape('decoder.bias') === undefined && cfg.use_decoder_bias === false
        ? new Float32Array(dIn)
        : readChecked(src, 'decoder.bias', [['d_model', dIn]]);
    const withNorm = optionalBool(cfgPath, 'sparsity_include_decoder_norm', cfg.sparsity_include_decoder_norm, true);
    const enc = encoder(cfgPath, cfg, { wEnc, bEnc, wDec: wDecRaw }, dIn, dSae, withNorm);
    // Canonical decoding divides by the input scale (SAEs) or by nothing (transcoders); lm_saes divides by the output scale.
    const outFactor = (transcoder ? 1 : scales.in) / scales.out;
    const sae: CanonicalSae = {
      source: { path: dir, format: 'llama-scope' },
      dIn,
      dSae,
      wEnc: enc.wEnc,
      bEnc: enc.bEnc,
      wDec: outFactor === 1 ? enc.wDec : enc.wDec.map((w) => w * outFactor),
      bDec: outFactor === 1 ? bDecRaw : bDecRaw.map((b) => b * outFactor),
      activation: enc.activation,
      subtractDecoderBias: preBias,
      inputNorm: scales.tokenWise ? 'constant-norm-rescale' : 'none',
      inputScale: scales.in,
      inputScaleFrom: { kind: 'given', detail: scales.source },
      hookName: hookIn,
      ...(transcoder ? { outputHookName: hookOut } : {}),
      modelName: optionalString(cfgPath, 'model_name', cfg.model_name) ?? null,
      config: verbatim(cfg),
    };
    validateSae(sae);
    return sae;
  } finally {
    src.close();
  }
}

function requiredString(file: string, cfg: JsonRecord, key: string): string {
  const v = optionalString(file, key, cfg[key]);
  if (v === undefined || v === '') throw badKey(file, key, cfg[key], 'a TransformerLens hook name such as blocks.8.hook_resid_post');
  return v;
}

interface Scales {
  in: number;
  out: number;
  tokenWise: boolean;
  /** where the input scale came from, for the SAE summary */
  source: string;
}

/**
 * norm_activation: "dataset-wise" scales by √d_model / dataset_average_activation_norm (keyed "in" /
 * "out", or by hook name in newer files); "token-wise" rescales each token to norm √d_model (SAEs
 * only); "inference" means the factors are already folded into the weights.
 */
function datasetScales(file: string, cfg: JsonRecord, dIn: number, hookIn: string, hookOut: string): Scales {
  const mode = optionalString(file, 'norm_activation', cfg.norm_activation) ?? LLAMA_SCOPE_DEFAULTS.normActivation;
  if (mode === 'inference' || mode === 'none')
    return { in: 1, out: 1, tokenWise: false, source: `norm_activation "${mode}": already folded into the weights` };
  if (mode === 'token-wise') {
    if (hookIn !== hookOut)
      throw new SaeError(
        file,
        '"norm_activation" is "token-wise" for a transcoder: its output scale depends on the output hook, which is not known when encoding',
      );
    return { in: 1, out: 1, tokenWise: true, source: 'norm_activation "token-wise": each token rescaled to norm √d_model' };
  }
  if (mode !== 'dataset-wise') throw badKey(file, 'norm_activation', cfg.norm_activation, 'one of dataset-wise, token-wise, inference');
  const norms = cfg.dataset_average_activation_norm;
  if (!isJsonObject(norms))
    throw badKey(file, 'dataset_average_activation_norm', norms, '{"in": <number>, "out": <number>} for norm_activation "dataset-wise"');
  const pick = (side: 'in' | 'out', hook: string): number => {
    const v = llamaScopeAverageNorm(norms, side, hook);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw badKey(file, `dataset_average_activation_norm.${side}`, v, 'a finite number > 0');
    return v;
  };
  const normIn = pick('in', hookIn);
  const normOut = pick('out', hookOut);
  return {
    in: Math.sqrt(dIn) / normIn,
    out: Math.sqrt(dIn) / normOut,
    tokenWise: false,
    source: `hyperparams.json dataset_average_activation_norm.in = ${normIn}: √${dIn} / ${normIn}`,
  };
}

interface LlamaEncoder {
  /** [dIn, dSae] */ wEnc: Float32Array;
  /** [dSae] */ bEnc: Float32Array;
  /** [dSae, dIn] */ wDec: Float32Array;
  activation: SaeActivation;
}

/** Largest float32: a threshold no pre-activation passes, for latents whose decoder row is zero. */
const NEVER = 3.4028234663852886e38;

function encoder(
  file: string,
  cfg: JsonRecord,
  parts: { wEnc: Float32Array; bEnc: Float32Array; wDec: Float32Array },
  dIn: number,
  dSae: number,
  withNorm: boolean,
): LlamaEncoder {
  const actFn = optionalString(file, 'act_fn', cfg.act_fn) ?? LLAMA_SCOPE_DEFAULTS.actFn;
  const theta = cfg.jump_relu_threshold ?? 0;
  if (typeof theta !== 'number' || !Number.isFinite(theta) || theta < 0)
    throw badKey(file, 'jump_relu_threshold', theta, 'a finite number ≥ 0');
  // lm_saes turns a TopK SAE with a positive threshold into a JumpReLU one for inference.
  if (actFn === 'jumprelu' || (actFn === 'topk' && theta > 0)) {
    if (cfg.jump_relu_threshold === undefined)
      throw badKey(file, 'jump_relu_threshold', undefined, 'a finite number ≥ 0 for act_fn "jumprelu"');
    const norms = withNorm ? decoderNorms(parts.wDec, dIn, dSae) : null;
    const threshold = new Float32Array(dSae).map((_, j) => (norms === null ? theta : norms[j] > 0 ? theta / norms[j] : NEVER));
    return { ...parts, activation: { kind: 'jumprelu', threshold } };
  }
  if (actFn === 'relu') return { ...parts, activation: { kind: 'relu' } };
  if (actFn === 'topk') {
    const k = optionalPositiveInt(file, 'top_k', cfg.top_k);
    if (k === undefined) throw badKey(file, 'top_k', cfg.top_k, 'a positive integer for act_fn "topk"');
    // TopK ranks ReLU(pre)·‖W_dec_j‖: folding the norms makes the activations those products (same output).
    const folded = withNorm ? foldDecoderNorms(parts, dIn, dSae) : parts;
    return { wEnc: folded.wEnc, bEnc: folded.bEnc, wDec: folded.wDec, activation: { kind: 'topk', k } };
  }
  throw badKey(file, 'act_fn', cfg.act_fn, 'one of jumprelu, topk, relu');
}
