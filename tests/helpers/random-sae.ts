import { randomUniform } from '../../native/onnx/matmul-rate.js';
import type { CanonicalSae, SaeActivation } from '../../native/sae/canonical.js';
import { writeSaeLens } from '../../native/sae/saelens-writer.js';

/** What a test says about an SAE it builds from weights; the rest is a plain SAE's (see saeFromWeights). */
export interface SaeWeightsSpec {
  dIn: number;
  dSae: number;
  /** [dIn, dSae], row-major */
  wEnc: Float32Array;
  /** [dSae, dIn], row-major */
  wDec: Float32Array;
  /** [dSae]; zeros when absent */
  bEnc?: Float32Array;
  activation: SaeActivation;
  subtractDecoderBias: boolean;
  hookName: string | null;
  modelName: string | null;
}

/** A canonical SAE from its weights: zero decoder bias, no input normalisation, input scale 1, empty config. */
export function saeFromWeights(path: string, spec: SaeWeightsSpec): CanonicalSae {
  const { dIn, dSae, wEnc, wDec, bEnc = new Float32Array(dSae), activation, subtractDecoderBias, hookName, modelName } = spec;
  return {
    source: { path, format: 'loupe' },
    dIn,
    dSae,
    wEnc,
    bEnc,
    wDec,
    bDec: new Float32Array(dIn),
    activation,
    subtractDecoderBias,
    inputNorm: 'none',
    inputScale: 1,
    hookName,
    modelName,
    config: {},
  };
}

export interface TiedRandomSaeSpec extends Omit<SaeWeightsSpec, 'wEnc' | 'wDec' | 'bEnc'> {
  /** The decoder's entries are randomUniform(dSae · dIn, seed, scale). */
  seed: number;
  scale: number;
  /** [dSae] encoder bias randomUniform(dSae, seed, scale); zeros when absent. */
  encoderBias?: { seed: number; scale: number };
}

/**
 * A seeded random SAE whose encoder is its decoder's transpose (each latent reads the direction it
 * writes), so a few latents fire on any input: real features of nothing, but real activations.
 */
export function tiedRandomSae(path: string, spec: TiedRandomSaeSpec): CanonicalSae {
  const { dIn, dSae, seed, scale, encoderBias, ...rest } = spec;
  const wDec = randomUniform(dSae * dIn, seed, scale);
  const wEnc = new Float32Array(dIn * dSae);
  for (let j = 0; j < dSae; j++) for (let i = 0; i < dIn; i++) wEnc[i * dSae + j] = wDec[j * dIn + i];
  const bEnc = encoderBias ? randomUniform(dSae, encoderBias.seed, encoderBias.scale) : undefined;
  return saeFromWeights(path, { ...rest, dIn, dSae, wEnc, wDec, bEnc });
}

/** tiedRandomSae written at `path` in SAELens format (cfg.json + sae_weights.safetensors), and returned. */
export function writeTiedRandomSae(path: string, spec: TiedRandomSaeSpec): CanonicalSae {
  const sae = tiedRandomSae(path, spec);
  writeSaeLens(path, sae);
  return sae;
}
