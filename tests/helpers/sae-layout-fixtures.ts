import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeBf16, encodeBf16 } from '../../native/formats/float16.js';
import { writeSafetensors } from '../../native/formats/safetensors.js';
import type { HostTensor } from '../../native/formats/tensor.js';
import { randomUniform } from '../../native/onnx/matmul-rate.js';
import type { CanonicalSae } from '../../native/sae/canonical.js';
import { writeSaeLens } from '../../native/sae/saelens-writer.js';
import { writeNpz } from '../unit/sae/helpers.js';

/**
 * Seeded, small SAEs in the layouts their libraries publish, written for a model of width dModel
 * with nHeads × dHead attention (every tiny family in shared/fixtures/families fits):
 *   gemma-scope-2b-pt-res/layer_0/width_16k/average_l0_5/params.npz         (Gemma Scope, JumpReLU)
 *   gemma-scope-2b-pt-transcoders/layer_0/width_16k/average_l0_5/params.npz (Gemma Scope transcoder)
 *   Llama3_1-8B-Base-LXR-8x/Llama3_1-8B-Base-L0R-8x/{hyperparams.json, checkpoints/final.safetensors} (bf16)
 *   Llama3_1-8B-Base-LXTC-8x/Llama3_1-8B-Base-L0TC-8x/...                  (Llama Scope transcoder)
 *   saelens-transcoder/, saelens-skip-transcoder/, saelens-jumprelu-transcoder/  (SAELens 6 cfg.json)
 *   sparsify-transcoder/layers.0.mlp/{cfg.json, sae.safetensors}           (transcode: true, W_skip)
 *   saelens-hook-z/                                                         (an attention SAE on attn.hook_z)
 * Weights are random (uniform, seeded); encoders are their decoders' transposes plus noise so some
 * latents fire on real activations and some do not.
 */

export interface FamilyShape {
  dModel: number;
  nHeads: number;
  dHead: number;
}

export const D_SAE = 24;

export interface RawLlamaScope {
  /** [dSae, dModel] */ encoderWeight: Float32Array;
  /** [dSae] */ encoderBias: Float32Array;
  /** [dModel, dSae] */ decoderWeight: Float32Array;
  /** [dModel] */ decoderBias: Float32Array;
  hyperparams: Record<string, unknown>;
}

export interface WrittenLayouts {
  gemmaScope: string;
  gemmaScopeTranscoder: string;
  llamaScope: string;
  llamaScopeTranscoder: string;
  saelensTranscoder: string;
  saelensSkipTranscoder: string;
  saelensJumpTranscoder: string;
  sparsifyTranscoder: string;
  hookZ: string;
  raw: { llamaScope: RawLlamaScope; llamaScopeTranscoder: RawLlamaScope };
}

const f32 = (shape: number[], data: Float32Array): HostTensor => ({ dtype: 'F32', shape, data });

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** [dIn, dSae] encoder = decoderᵀ·gain + noise, [dSae, dIn] decoder rows of random norm. */
function pair(dIn: number, dSae: number, seed: number, gain = 1): { wEnc: Float32Array; wDec: Float32Array } {
  const wDec = randomUniform(dSae * dIn, seed, 0.5);
  const noise = randomUniform(dIn * dSae, seed + 1, 0.05);
  const wEnc = new Float32Array(dIn * dSae);
  for (let j = 0; j < dSae; j++) for (let i = 0; i < dIn; i++) wEnc[i * dSae + j] = gain * wDec[j * dIn + i] + noise[i * dSae + j];
  return { wEnc, wDec };
}

function canonical(path: string, dIn: number, seed: number, over: Partial<CanonicalSae>): CanonicalSae {
  const { wEnc, wDec } = pair(dIn, D_SAE, seed);
  return {
    source: { path, format: 'saelens' },
    dIn,
    dSae: D_SAE,
    wEnc,
    bEnc: randomUniform(D_SAE, seed + 2, 0.2),
    wDec,
    bDec: randomUniform(dIn, seed + 3, 0.1),
    activation: { kind: 'relu' },
    subtractDecoderBias: false,
    inputNorm: 'none',
    inputScale: 1,
    hookName: null,
    modelName: null,
    config: {},
    ...over,
  };
}

function writeGemmaScope(path: string, dIn: number, seed: number): void {
  const { wEnc, wDec } = pair(dIn, D_SAE, seed);
  writeNpz(path, {
    W_enc: { shape: [dIn, D_SAE], data: wEnc },
    W_dec: { shape: [D_SAE, dIn], data: wDec },
    b_enc: { shape: [D_SAE], data: randomUniform(D_SAE, seed + 2, 0.2) },
    b_dec: { shape: [dIn], data: randomUniform(dIn, seed + 3, 0.1) },
    threshold: { shape: [D_SAE], data: randomUniform(D_SAE, seed + 4, 0.3).map(Math.abs) },
  });
}

/** A Llama Scope folder as fnlp/Llama3_1-8B-Base-LX*-8x ship it (hyperparams.json keys verbatim). */
export function writeLlamaScope(
  dir: string,
  dModel: number,
  seed: number,
  hyper: Record<string, unknown>,
  dtype: 'F32' | 'BF16' = 'BF16',
): RawLlamaScope {
  const { wEnc, wDec } = pair(dModel, D_SAE, seed, 3);
  const encoderWeight = new Float32Array(D_SAE * dModel);
  for (let i = 0; i < dModel; i++) for (let j = 0; j < D_SAE; j++) encoderWeight[j * dModel + i] = wEnc[i * D_SAE + j];
  const decoderWeight = new Float32Array(dModel * D_SAE);
  for (let j = 0; j < D_SAE; j++) for (let i = 0; i < dModel; i++) decoderWeight[i * D_SAE + j] = wDec[j * dModel + i];
  const raw: RawLlamaScope = {
    encoderWeight,
    encoderBias: randomUniform(D_SAE, seed + 2, 0.2),
    decoderWeight,
    decoderBias: randomUniform(dModel, seed + 3, 0.1),
    hyperparams: {
      d_model: dModel,
      d_sae: D_SAE,
      expansion_factor: D_SAE / dModel,
      act_fn: 'jumprelu',
      jump_relu_threshold: 0.35,
      top_k: 4,
      norm_activation: 'dataset-wise',
      dataset_average_activation_norm: { in: 3.5, out: 3.5 },
      sparsity_include_decoder_norm: true,
      use_decoder_bias: true,
      apply_decoder_bias_to_pre_encoder: false,
      ...hyper,
    },
  };
  writeJson(join(dir, 'hyperparams.json'), raw.hyperparams);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  // The hub's checkpoints are bf16: store bf16 and keep the rounded values as the reference's numbers.
  const store = (shape: number[], data: Float32Array): HostTensor => {
    if (dtype === 'F32') return f32(shape, data);
    const bits = encodeBf16(data);
    data.set(decodeBf16(bits));
    return { dtype: 'BF16', shape, data: bits };
  };
  writeSafetensors(join(dir, 'checkpoints', 'final.safetensors'), {
    'encoder.weight': store([D_SAE, dModel], raw.encoderWeight),
    'encoder.bias': store([D_SAE], raw.encoderBias),
    'decoder.weight': store([dModel, D_SAE], raw.decoderWeight),
    'decoder.bias': store([dModel], raw.decoderBias),
  });
  return raw;
}

function writeSparsifyTranscoder(dir: string, dIn: number, seed: number): void {
  const { wEnc, wDec } = pair(dIn, D_SAE, seed);
  const encoderWeight = new Float32Array(D_SAE * dIn);
  for (let i = 0; i < dIn; i++) for (let j = 0; j < D_SAE; j++) encoderWeight[j * dIn + i] = wEnc[i * D_SAE + j];
  writeJson(join(dir, 'cfg.json'), {
    activation: 'topk',
    expansion_factor: 32,
    normalize_decoder: true,
    num_latents: D_SAE,
    k: 4,
    multi_topk: false,
    skip_connection: true,
    transcode: true,
    d_in: dIn,
  });
  writeSafetensors(join(dir, 'sae.safetensors'), {
    'encoder.weight': f32([D_SAE, dIn], encoderWeight),
    'encoder.bias': f32([D_SAE], randomUniform(D_SAE, seed + 2, 0.2)),
    W_dec: f32([D_SAE, dIn], wDec),
    b_dec: f32([dIn], randomUniform(dIn, seed + 3, 0.1)),
    W_skip: f32([dIn, dIn], randomUniform(dIn * dIn, seed + 4, 0.05)),
  });
}

/** Writes every layout above under `root` for a model of this shape, SAEs on layer 0. */
export function writeSaeLayouts(root: string, shape: FamilyShape, seed = 1): WrittenLayouts {
  const { dModel, nHeads, dHead } = shape;
  const gemmaScope = join(root, 'gemma-scope-2b-pt-res', 'layer_0', 'width_16k', 'average_l0_5');
  writeGemmaScope(join(gemmaScope, 'params.npz'), dModel, seed);
  const gemmaScopeTranscoder = join(root, 'gemma-scope-2b-pt-transcoders', 'layer_0', 'width_16k', 'average_l0_5');
  writeGemmaScope(join(gemmaScopeTranscoder, 'params.npz'), dModel, seed + 10);
  const llamaScope = join(root, 'Llama3_1-8B-Base-LXR-8x', 'Llama3_1-8B-Base-L0R-8x');
  const lsRaw = writeLlamaScope(llamaScope, dModel, seed + 20, {
    hook_point_in: 'blocks.0.hook_resid_post',
    hook_point_out: 'blocks.0.hook_resid_post',
  });
  const llamaScopeTranscoder = join(root, 'Llama3_1-8B-Base-LXTC-8x', 'Llama3_1-8B-Base-L0TC-8x');
  const tcRaw = writeLlamaScope(llamaScopeTranscoder, dModel, seed + 30, {
    hook_point_in: 'blocks.0.ln2.hook_normalized',
    hook_point_out: 'blocks.0.hook_mlp_out',
    dataset_average_activation_norm: { in: 8, out: 0.5 },
  });
  const transcoder = { hookName: 'blocks.0.ln2.hook_normalized', outputHookName: 'blocks.0.hook_mlp_out' };
  const saelensTranscoder = join(root, 'saelens-transcoder');
  writeSaeLens(saelensTranscoder, canonical(saelensTranscoder, dModel, seed + 40, transcoder));
  const saelensSkipTranscoder = join(root, 'saelens-skip-transcoder');
  writeSaeLens(
    saelensSkipTranscoder,
    canonical(saelensSkipTranscoder, dModel, seed + 50, { ...transcoder, wSkip: randomUniform(dModel * dModel, seed + 55, 0.05) }),
  );
  const saelensJumpTranscoder = join(root, 'saelens-jumprelu-transcoder');
  writeSaeLens(
    saelensJumpTranscoder,
    canonical(saelensJumpTranscoder, dModel, seed + 60, {
      ...transcoder,
      activation: { kind: 'jumprelu', threshold: randomUniform(D_SAE, seed + 65, 0.3).map(Math.abs) },
    }),
  );
  const sparsifyTranscoder = join(root, 'sparsify-transcoder', 'layers.0.mlp');
  writeSparsifyTranscoder(sparsifyTranscoder, dModel, seed + 70);
  const hookZ = join(root, 'saelens-hook-z');
  writeSaeLens(hookZ, canonical(hookZ, nHeads * dHead, seed + 80, { hookName: 'blocks.0.attn.hook_z', subtractDecoderBias: true }));
  return {
    gemmaScope,
    gemmaScopeTranscoder,
    llamaScope,
    llamaScopeTranscoder,
    saelensTranscoder,
    saelensSkipTranscoder,
    saelensJumpTranscoder,
    sparsifyTranscoder,
    hookZ,
    raw: { llamaScope: lsRaw, llamaScopeTranscoder: tcRaw },
  };
}
