import type { SaeActivation } from '../canonical.js';
import { SaeError } from '../canonical.js';
import { clampThreshold, foldDecoderNorms, gatedToJumpRelu } from './fold.js';
import type { EncoderParts } from './fold.js';
import { readChecked, readScalar, transpose } from './tensors.js';
import type { Dim, TensorSource } from './tensors.js';

/**
 * saprmarks/dictionary_learning saves `ae.state_dict()`; each dictionary class names and shapes its
 * tensors its own way. These turn one class's tensors into canonical weights, following that
 * class's encode/decode (use_threshold at its default, as `ae.encode(x)` runs).
 */

export interface DictionaryParts {
  /** [dIn, dSae] */ wEnc: Float32Array;
  /** [dSae] */ bEnc: Float32Array;
  /** [dSae, dIn] */ wDec: Float32Array;
  /** [dIn] */ bDec: Float32Array;
  activation: SaeActivation;
  subtractDecoderBias: boolean;
}

export interface DictionaryContext {
  src: TensorSource;
  dIn: number;
  dSae: number;
  /** trainer.k from config.json, used when the file has no k buffer */
  configK: number | undefined;
}

type Reader = (c: DictionaryContext) => DictionaryParts;

const latent = (c: DictionaryContext): Dim[] => [['dict_size', c.dSae]];
const input = (c: DictionaryContext): Dim[] => [['activation_dim', c.dIn]];
/** [activation_dim, dict_size] */
const inputByLatent = (c: DictionaryContext): Dim[] => [...input(c), ...latent(c)];
/** [dict_size, activation_dim] */
const latentByInput = (c: DictionaryContext): Dim[] => [...latent(c), ...input(c)];

/** An nn.Linear weight, stored [out, in], read as [in, out]. */
function linearWeight(c: DictionaryContext, name: string, outByIn: Dim[]): Float32Array {
  const [[, rows], [, cols]] = outByIn;
  return transpose(readChecked(c.src, name, outByIn), rows, cols);
}

/** nn.Linear(activation_dim, dict_size).weight is [dict_size, activation_dim]. */
const linearEncoder = (c: DictionaryContext): Float32Array => linearWeight(c, 'encoder.weight', latentByInput(c));

/** nn.Linear(dict_size, activation_dim).weight is [activation_dim, dict_size]. */
const linearDecoder = (c: DictionaryContext): Float32Array => linearWeight(c, 'decoder.weight', inputByLatent(c));

/** The encoder and decoder as nn.Linear layers (the decoder's bias is each class's own). */
const linearLayers = (c: DictionaryContext): Pick<DictionaryParts, 'wEnc' | 'bEnc' | 'wDec'> => ({
  wEnc: linearEncoder(c),
  bEnc: readChecked(c.src, 'encoder.bias', latent(c)),
  wDec: linearDecoder(c),
});

/** W_enc [activation_dim, dict_size], b_enc and W_dec [dict_size, activation_dim], stored in the canonical layout. */
const directLayers = (c: DictionaryContext): Pick<DictionaryParts, 'wEnc' | 'bEnc' | 'wDec'> => ({
  wEnc: readChecked(c.src, 'W_enc', inputByLatent(c)),
  bEnc: readChecked(c.src, 'b_enc', latent(c)),
  wDec: readChecked(c.src, 'W_dec', latentByInput(c)),
});

/** A JumpReLU whose features the class scales by the decoder norms, folded into the weights (see foldDecoderNorms). */
function foldedJumpRelu(c: DictionaryContext, parts: EncoderParts, bDecName: string, subtractDecoderBias: boolean): DictionaryParts {
  const f = foldDecoderNorms(parts, c.dIn, c.dSae);
  return {
    wEnc: f.wEnc,
    bEnc: f.bEnc,
    wDec: f.wDec,
    bDec: readChecked(c.src, bDecName, input(c)),
    activation: { kind: 'jumprelu', threshold: f.threshold as Float32Array },
    subtractDecoderBias,
  };
}

/** ReLU(enc(x − bias)); decoder(f) + bias. */
const autoEncoder: Reader = (c) => ({
  ...linearLayers(c),
  bDec: readChecked(c.src, 'bias', input(c)),
  activation: { kind: 'relu' },
  subtractDecoderBias: true,
});

/** Anthropic's April 2024 architecture: ReLU(enc(x)) with no input centring; decoder has its own bias. */
const autoEncoderNew: Reader = (c) => ({
  ...linearLayers(c),
  bDec: readChecked(c.src, 'decoder.bias', input(c)),
  activation: { kind: 'relu' },
  subtractDecoderBias: false,
});

/** TopK(ReLU(enc(x − b_dec))), k from the `k` buffer. */
const autoEncoderTopK: Reader = (c) => {
  const k = readScalar(c.src, 'k') ?? c.configK;
  if (k === undefined) throw new SaeError(c.src.file, 'has no k buffer and config.json has no trainer.k');
  return {
    ...linearLayers(c),
    bDec: readChecked(c.src, 'b_dec', input(c)),
    activation: { kind: 'topk', k },
    subtractDecoderBias: true,
  };
};

/**
 * BatchTopK picks k·batch latents across a batch during training only; at inference ae.encode keeps
 * ReLU(pre) above one learned threshold, i.e. JumpReLU with that threshold for every latent.
 */
function uniformThreshold(c: DictionaryContext): Float32Array {
  const t = readScalar(c.src, 'threshold');
  if (t === undefined) throw new SaeError(c.src.file, 'has no threshold buffer (BatchTopK SAEs encode with it at inference)');
  return clampThreshold(new Float32Array(c.dSae).fill(t));
}

const batchTopK: Reader = (c) => ({
  ...linearLayers(c),
  bDec: readChecked(c.src, 'b_dec', input(c)),
  activation: { kind: 'jumprelu', threshold: uniformThreshold(c) },
  subtractDecoderBias: true,
});

/** Like BatchTopK, but stores W_enc [activation_dim, dict_size] and W_dec [dict_size, activation_dim] directly. */
const matryoshkaBatchTopK: Reader = (c) => ({
  ...directLayers(c),
  bDec: readChecked(c.src, 'b_dec', input(c)),
  activation: { kind: 'jumprelu', threshold: uniformThreshold(c) },
  subtractDecoderBias: true,
});

/**
 * Gated (encoder without bias, gate_bias, mag_bias, r_mag, decoder_bias); encode multiplies features
 * by the decoder column norms and decode divides them back, which foldDecoderNorms absorbs.
 */
const gated: Reader = (c) => {
  const wDec = linearDecoder(c);
  const g = gatedToJumpRelu(
    {
      wEnc: linearEncoder(c),
      bGate: readChecked(c.src, 'gate_bias', latent(c)),
      rMag: readChecked(c.src, 'r_mag', latent(c)),
      bMag: readChecked(c.src, 'mag_bias', latent(c)),
    },
    c.dIn,
    c.dSae,
  );
  return foldedJumpRelu(c, { wEnc: g.wEnc, bEnc: g.bEnc, wDec, threshold: g.threshold }, 'decoder_bias', true);
};

/** JumpReluAutoEncoder: W_enc/W_dec stored directly, no input centring, features scaled by decoder norms. */
const jumpRelu: Reader = (c) =>
  foldedJumpRelu(c, { ...directLayers(c), threshold: clampThreshold(readChecked(c.src, 'threshold', latent(c))) }, 'b_dec', false);

export const DICTIONARY_CLASSES: Record<string, Reader> = {
  AutoEncoder: autoEncoder,
  AutoEncoderNew: autoEncoderNew,
  AutoEncoderTopK: autoEncoderTopK,
  BatchTopKSAE: batchTopK,
  MatryoshkaBatchTopKSAE: matryoshkaBatchTopK,
  GatedAutoEncoder: gated,
  JumpReluAutoEncoder: jumpRelu,
};
