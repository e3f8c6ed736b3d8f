import { join } from 'node:path';
import type { CanonicalSae, SaeActivation } from '../canonical.js';
import { SaeError, validateSae } from '../canonical.js';
import { clampThreshold, foldDecoderNorms, gatedToJumpRelu, scaleDecoderRows } from './fold.js';
import { readJsonObject, verbatim } from './json-config.js';
import { TRANSCODER_BASE, parseSaeLensConfig } from './saelens-config.js';
import type { SaeLensSettings } from './saelens-config.js';
import { firstPresent, readChecked, safetensorsSource, transpose } from './tensors.js';
import type { Dim, TensorSource } from './tensors.js';

export const SAELENS_CONFIG = 'cfg.json';
export const SAELENS_WEIGHTS = 'sae_weights.safetensors';

/**
 * A SAELens SAE folder: cfg.json + sae_weights.safetensors with W_enc [d_in, d_sae], b_enc,
 * W_dec [d_sae, d_in], b_dec; jumprelu adds threshold (or log_threshold in older training
 * checkpoints), gated replaces b_enc by b_gate, r_mag and b_mag (folded into JumpReLU).
 */
export function readSaeLens(dir: string): CanonicalSae {
  const cfgPath = join(dir, SAELENS_CONFIG);
  const cfg = readJsonObject(cfgPath);
  const s = parseSaeLensConfig(cfgPath, cfg);
  const src = safetensorsSource(join(dir, SAELENS_WEIGHTS));
  try {
    const { dIn, dSae } = s;
    const wDec = readChecked(src, 'W_dec', [
      ['d_sae', dSae],
      ['d_in', dIn],
    ]);
    const { wEnc, bEnc, activation, wDecFolded } = encoder(src, s, wDec);
    const sae: CanonicalSae = {
      source: { path: dir, format: s.writtenByLoupe ? 'loupe' : 'saelens' },
      dIn,
      dSae,
      wEnc,
      bEnc,
      wDec: scalingFactor(src, s, wDecFolded),
      bDec: readChecked(src, 'b_dec', [['d_in', dIn]]),
      activation,
      subtractDecoderBias: s.subtractDecoderBias,
      inputNorm: s.inputNorm,
      inputScale: s.inputScale,
      ...(s.inputScaleFrom ? { inputScaleFrom: s.inputScaleFrom } : {}),
      hookName: s.hookName,
      ...(s.outputHookName !== null ? { outputHookName: s.outputHookName } : {}),
      ...(s.architecture === 'skip_transcoder' ? { wSkip: skipWeights(src, dIn) } : {}),
      modelName: s.modelName,
      config: verbatim(cfg),
    };
    validateSae(sae);
    return sae;
  } finally {
    src.close();
  }
}

interface Encoder {
  /** [dIn, dSae], row-major */
  wEnc: Float32Array;
  /** [dSae] */
  bEnc: Float32Array;
  activation: SaeActivation;
  /** [dSae, dIn], W_dec after any fold that moves decoder norms into the encoder */
  wDecFolded: Float32Array;
}

/** SkipTranscoder.W_skip is [d_out, d_in] (out += x · W_skipᵀ); the canonical wSkip is its transpose. */
function skipWeights(src: TensorSource, dIn: number): Float32Array {
  return transpose(
    readChecked(
      src,
      'W_skip',
      [
        ['d_out', dIn],
        ['d_in', dIn],
      ],
      ' (skip transcoders store W_skip)',
    ),
    dIn,
    dIn,
  );
}

function encoder(src: TensorSource, settings: SaeLensSettings, wDec: Float32Array): Encoder {
  const s = { ...settings, architecture: TRANSCODER_BASE[settings.architecture] ?? settings.architecture };
  const { dIn, dSae } = s;
  const latent: Dim[] = [['d_sae', dSae]];
  const wEnc = readChecked(src, 'W_enc', [
    ['d_in', dIn],
    ['d_sae', dSae],
  ]);
  if (s.architecture === 'gated') {
    const why = ' (gated SAEs store b_gate, r_mag and b_mag)';
    const gate = {
      bGate: readChecked(src, 'b_gate', latent, why),
      rMag: readChecked(src, 'r_mag', latent, why),
      bMag: readChecked(src, 'b_mag', latent, why),
    };
    const g = gatedToJumpRelu({ wEnc, ...gate }, dIn, dSae);
    return { wEnc: g.wEnc, bEnc: g.bEnc, activation: { kind: 'jumprelu', threshold: g.threshold }, wDecFolded: wDec };
  }
  const bEnc = readChecked(src, 'b_enc', latent);
  if (s.architecture === 'jumprelu') {
    return { wEnc, bEnc, activation: { kind: 'jumprelu', threshold: clampThreshold(jumpThreshold(src, dSae)) }, wDecFolded: wDec };
  }
  if (s.architecture === 'standard') return { wEnc, bEnc, activation: { kind: 'relu' }, wDecFolded: wDec };
  const activation: SaeActivation = { kind: 'topk', k: s.k as number };
  if (!s.rescaleByDecoderNorm) return { wEnc, bEnc, activation, wDecFolded: wDec };
  const f = foldDecoderNorms({ wEnc, bEnc, wDec }, dIn, dSae);
  return { wEnc: f.wEnc, bEnc: f.bEnc, activation, wDecFolded: f.wDec };
}

/** SAELens converts a log_threshold (older JumpReLU training checkpoints) with exp on load. */
function jumpThreshold(src: TensorSource, dSae: number): Float32Array {
  if (src.shape('threshold') === undefined && src.shape('log_threshold') !== undefined) {
    return readChecked(src, 'log_threshold', [['d_sae', dSae]]).map(Math.exp);
  }
  return readChecked(src, 'threshold', [['d_sae', dSae]], ' (jumprelu SAEs store threshold or log_threshold)');
}

/**
 * SAELens multiplies activations by a per-latent finetuning scaling factor before decoding when
 * cfg.json says so; folded into the decoder rows. A factor of all ones is a leftover and ignored.
 */
function scalingFactor(src: TensorSource, s: SaeLensSettings, wDec: Float32Array): Float32Array {
  const name = firstPresent(src, ['finetuning_scaling_factor', 'scaling_factor']);
  if (name === undefined) return wDec;
  const scale = readChecked(src, name, [['d_sae', s.dSae]]);
  if (scale.every((v) => v === 1)) return wDec;
  if (!s.finetuningScalingFactor) {
    throw new SaeError(src.file, `${name} holds values other than 1, but cfg.json "finetuning_scaling_factor" is false`);
  }
  return scaleDecoderRows(wDec, scale, s.dIn);
}
