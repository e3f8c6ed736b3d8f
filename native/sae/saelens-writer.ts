import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../formats/safetensors.js';
import type { HostTensor } from '../formats/tensor.js';
import { hookLayer } from '../models/hooks.js';
import type { CanonicalSae, SaeInputNorm } from './canonical.js';
import { SaeError, assertInputScaleKnown, isTranscoder, validateSae } from './canonical.js';
import { transpose } from './formats/tensors.js';
import { LOUPE_MARKER_KEY } from './formats/saelens-config.js';
import { SAELENS_CONFIG, SAELENS_WEIGHTS } from './formats/saelens.js';

/**
 * Writes cfg.json + sae_weights.safetensors in the flat SAELens layout (the one SAELens 5 writes and
 * SAELens 6 upgrades on load with handle_pre_6_0_config; it carries no sae_lens_version, so v6 takes
 * that path). Every field SAELens 5's SAEConfig requires is present; TopK is written as architecture
 * "topk" because SAELens 6 reads architecture "standard" as ReLU whatever activation_fn_str says. `extra` adds or overrides descriptive keys (context_size, dataset_path, prepend_bos,
 * hook_layer, training details); keys that describe the weights come from the SAE and cannot be
 * overridden. A constant input scale is folded into the weights, as SAELens's
 * fold_activation_norm_scaling_factor does, because SAELens ignores such a factor when loading a folder.
 */
export function writeSaeLens(dir: string, sae: CanonicalSae, extra: Record<string, unknown> = {}): void {
  validateSae(sae);
  assertInputScaleKnown(sae);
  const structural = structuralConfig(sae);
  for (const key of Object.keys(extra)) {
    if (Object.hasOwn(structural, key))
      throw new SaeError(dir, `extra cfg.json key "${key}" would contradict the SAE's weights; it is written from the SAE itself`);
  }
  const cfg = {
    ...structural,
    model_name: sae.modelName,
    hook_name: sae.hookName,
    hook_layer: layerOf(sae.hookName),
    device: 'cpu',
    context_size: 128,
    dataset_path: '',
    dataset_trust_remote_code: true,
    prepend_bos: true,
    sae_lens_training_version: null,
    ...extra,
  };
  mkdirSync(dir, { recursive: true });
  writeSafetensors(join(dir, SAELENS_WEIGHTS), weightTensors(sae), { format: 'pt' });
  writeFileSync(join(dir, SAELENS_CONFIG), `${JSON.stringify(cfg, null, 2)}\n`);
}

const NORMALIZE_ACTIVATIONS: Record<SaeInputNorm, string> = {
  none: 'none',
  'layer-norm': 'layer_norm',
  'constant-norm-rescale': 'constant_norm_rescale',
};

/** SAELens 6 transcoder architectures: ReLU (with or without W_skip) or JumpReLU; no TopK transcoder. */
function transcoderArchitecture(sae: CanonicalSae): string {
  const act = sae.activation.kind;
  if (act === 'relu') return sae.wSkip ? 'skip_transcoder' : 'transcoder';
  if (act === 'jumprelu' && !sae.wSkip) return 'jumprelu_transcoder';
  throw new SaeError(
    sae.source.path,
    `SAELens has no ${act}${sae.wSkip ? ' skip' : ''} transcoder architecture to write this transcoder as`,
  );
}

function transcoderKeys(sae: CanonicalSae): Record<string, unknown> {
  if (!isTranscoder(sae)) return {};
  return {
    d_out: sae.dIn,
    hook_name_out: sae.outputHookName,
    hook_layer_out: layerOf(sae.outputHookName ?? null),
    hook_head_index_out: null,
  };
}

function structuralConfig(sae: CanonicalSae): Record<string, unknown> {
  const act = sae.activation;
  return {
    architecture: isTranscoder(sae) ? transcoderArchitecture(sae) : act.kind === 'relu' ? 'standard' : act.kind,
    d_in: sae.dIn,
    d_sae: sae.dSae,
    dtype: 'float32',
    activation_fn_str: act.kind === 'topk' ? 'topk' : 'relu',
    activation_fn_kwargs: act.kind === 'topk' ? { k: act.k } : {},
    ...(act.kind === 'topk' ? { k: act.k } : {}),
    apply_b_dec_to_input: sae.subtractDecoderBias,
    normalize_activations: NORMALIZE_ACTIVATIONS[sae.inputNorm],
    finetuning_scaling_factor: false,
    hook_head_index: null,
    ...transcoderKeys(sae),
    [LOUPE_MARKER_KEY]: 1,
  };
}

/** SAELens before v6 requires hook_layer; TransformerLens hook names carry it (model-wide points are layer 0). */
function layerOf(hookName: string | null): number {
  return (hookName === null ? null : hookLayer(hookName)) ?? 0;
}

function weightTensors(sae: CanonicalSae): Record<string, HostTensor> {
  const { dIn, dSae } = sae;
  const s = sae.inputScale;
  // (s·x − b_dec)·W_enc = (x − b_dec/s)·(s·W_enc); (f·W_dec + b_dec)/s = f·(W_dec/s) + b_dec/s.
  // A transcoder's output is never divided by s, so only its encoder takes the factor.
  const out = isTranscoder(sae) ? 1 : s;
  const f32 = (shape: number[], data: Float32Array): HostTensor => ({ dtype: 'F32', shape, data });
  const tensors: Record<string, HostTensor> = {
    W_enc: f32([dIn, dSae], s === 1 ? sae.wEnc : sae.wEnc.map((w) => w * s)),
    b_enc: f32([dSae], sae.bEnc),
    W_dec: f32([dSae, dIn], out === 1 ? sae.wDec : sae.wDec.map((w) => w / out)),
    b_dec: f32([dIn], out === 1 ? sae.bDec : sae.bDec.map((b) => b / out)),
  };
  if (sae.activation.kind === 'jumprelu') tensors.threshold = f32([dSae], sae.activation.threshold);
  if (sae.wSkip) tensors.W_skip = f32([dIn, dIn], transpose(sae.wSkip, dIn, dIn));
  return tensors;
}
