import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../../native/formats/safetensors.js';
import { loadSae } from '../../../native/sae/index.js';
import { expectAgreement, randn, writeCheckpoint, writeJson, writeNpz } from './helpers.js';
import type { StateDict } from './helpers.js';
import { add, colNorms, layerNorm, linear, relu, rowNorms, sub, topk, vecMat } from './library-forward.js';

const root = mkdtempSync(join(tmpdir(), 'loupe-sae-formats-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const D_IN = 16;
const D_SAE = 48;
const N = 12;
const rnd = randn(23);
const x = rnd(N * D_IN, 2); /** [N, D_IN] */
const t = (shape: number[], data: Float32Array) => ({ shape, data });
const latents = (scale = 0.3) => rnd(D_SAE, scale);
/** nn.Linear(d_in, d_sae).weight [D_SAE, D_IN] and nn.Linear(d_sae, d_in).weight [D_IN, D_SAE] */
const encLinear = rnd(D_SAE * D_IN, 0.3);
const decLinear = rnd(D_IN * D_SAE, 0.3);
/** SAELens-style W_enc [D_IN, D_SAE] and W_dec [D_SAE, D_IN] */
const W_enc = rnd(D_IN * D_SAE, 0.3);
const W_dec = rnd(D_SAE * D_IN, 0.3);
const bIn = rnd(D_IN, 0.5);
const bLatent = latents(0.2);

describe('EleutherAI sparsify', () => {
  it('reads cfg.json + sae.safetensors as TopK(ReLU((x − b_dec)·encoderᵀ + b)) with the hook from the folder name', () => {
    const dir = join(root, 'pythia-sparsify', 'layers.3');
    writeJson(join(dir, 'cfg.json'), {
      activation: 'topk',
      expansion_factor: 3,
      normalize_decoder: true,
      num_latents: 0,
      k: 6,
      multi_topk: false,
      skip_connection: false,
      transcode: false,
      d_in: D_IN,
    });
    writeSafetensors(join(dir, 'sae.safetensors'), {
      'encoder.weight': { dtype: 'F32', shape: [D_SAE, D_IN], data: encLinear },
      'encoder.bias': { dtype: 'F32', shape: [D_SAE], data: bLatent },
      W_dec: { dtype: 'F32', shape: [D_SAE, D_IN], data: W_dec },
      b_dec: { dtype: 'F32', shape: [D_IN], data: bIn },
    });
    const sae = loadSae(dir);
    expect([sae.source.format, sae.hookName, sae.dSae, sae.activation]).toEqual([
      'sparsify',
      'blocks.3.hook_resid_post',
      D_SAE,
      { kind: 'topk', k: 6 },
    ]);
    expectAgreement(sae, x, N, (xt) => {
      const acts = topk(relu(add(linear(encLinear, sub(xt, bIn), D_SAE, D_IN), bLatent)), 6);
      return { acts, out: add(vecMat(acts, W_dec, D_SAE, D_IN), bIn) };
    });
  });
});

describe('Gemma Scope', () => {
  it('reads params.npz as JumpReLU on the raw input, with hook and model from the repo path', () => {
    const threshold = latents(0.8).map(Math.abs);
    const path = join(root, 'gemma-scope-2b-pt-res', 'layer_4', 'width_16k', 'average_l0_20', 'params.npz');
    writeNpz(path, {
      W_enc: t([D_IN, D_SAE], W_enc),
      W_dec: t([D_SAE, D_IN], W_dec),
      b_enc: t([D_SAE], bLatent),
      b_dec: t([D_IN], bIn),
      threshold: t([D_SAE], threshold),
    });
    const sae = loadSae(join(root, 'gemma-scope-2b-pt-res', 'layer_4', 'width_16k', 'average_l0_20'));
    expect([sae.source.format, sae.hookName, sae.modelName, sae.subtractDecoderBias]).toEqual([
      'gemma-scope',
      'blocks.4.hook_resid_post',
      'gemma-2-2b',
      false,
    ]);
    expectAgreement(sae, x, N, (xt) => {
      const pre = add(vecMat(xt, W_enc, D_IN, D_SAE), bLatent);
      const acts = relu(pre).map((v, j) => (pre[j] > threshold[j] ? v : 0));
      return { acts, out: add(vecMat(acts, W_dec, D_SAE, D_IN), bIn) };
    });
  });
});

describe('dictionary_learning', () => {
  function writeDictionary(dictClass: string, state: StateDict, trainer: Record<string, unknown> = {}): string {
    const dir = join(root, 'dictionary', dictClass, 'resid_post_layer_3', 'trainer_0');
    writeCheckpoint(join(dir, 'ae.pt'), state);
    writeJson(join(dir, 'config.json'), {
      trainer: {
        dict_class: dictClass,
        activation_dim: D_IN,
        dict_size: D_SAE,
        lm_name: 'EleutherAI/pythia-70m-deduped',
        layer: 3,
        submodule_name: 'resid_post_layer_3',
        ...trainer,
      },
      buffer: { d_submodule: D_IN, io: 'out' },
    });
    return dir;
  }
  const linearState = {
    'encoder.weight': t([D_SAE, D_IN], encLinear),
    'encoder.bias': t([D_SAE], bLatent),
    'decoder.weight': t([D_IN, D_SAE], decLinear),
  };
  const decodeLinear = (f: ArrayLike<number>, bias: Float32Array) => add(linear(decLinear, f, D_IN, D_SAE), bias);
  const encodeLinear = (xt: ArrayLike<number>) => add(linear(encLinear, xt, D_SAE, D_IN), bLatent);

  it('reads AutoEncoder: ReLU(enc(x − bias)), decoder(f) + bias, with model and hook from config.json', () => {
    const sae = loadSae(writeDictionary('AutoEncoder', { ...linearState, bias: t([D_IN], bIn) }));
    expect([sae.source.format, sae.modelName, sae.hookName]).toEqual([
      'dictionary-learning',
      'EleutherAI/pythia-70m-deduped',
      'blocks.3.hook_resid_post',
    ]);
    expectAgreement(sae, x, N, (xt) => {
      const acts = relu(encodeLinear(sub(xt, bIn)));
      return { acts, out: decodeLinear(acts, bIn) };
    });
  });

  it('reads AutoEncoderTopK with k from its int32 buffer', () => {
    const dir = writeDictionary(
      'AutoEncoderTopK',
      { ...linearState, b_dec: t([D_IN], bIn), k: { shape: [], data: new Int32Array([5]) }, threshold: t([], new Float32Array([0.2])) },
      { k: 5 },
    );
    const sae = loadSae(dir);
    expect(sae.activation).toEqual({ kind: 'topk', k: 5 });
    expectAgreement(sae, x, N, (xt) => {
      const acts = topk(relu(encodeLinear(sub(xt, bIn))), 5);
      return { acts, out: decodeLinear(acts, bIn) };
    });
  });

  it('reads BatchTopKSAE as it encodes at inference: ReLU(pre) above its learned threshold', () => {
    const dir = writeDictionary(
      'BatchTopKSAE',
      { ...linearState, b_dec: t([D_IN], bIn), k: { shape: [], data: new Int32Array([5]) }, threshold: t([], new Float32Array([0.9])) },
      { k: 5 },
    );
    expectAgreement(loadSae(dir), x, N, (xt) => {
      const post = relu(encodeLinear(sub(xt, bIn)));
      const acts = post.map((v) => (v > 0.9 ? v : 0));
      return { acts, out: decodeLinear(acts, bIn) };
    });
  });

  it('reads MatryoshkaBatchTopKSAE (W_enc/W_dec parameters) the same way', () => {
    const state = {
      W_enc: t([D_IN, D_SAE], W_enc),
      b_enc: t([D_SAE], bLatent),
      W_dec: t([D_SAE, D_IN], W_dec),
      b_dec: t([D_IN], bIn),
      k: { shape: [], data: new Int32Array([5]) },
      threshold: t([], new Float32Array([0.7])),
      group_sizes: { shape: [2], data: new BigInt64Array([16n, 32n]) },
    };
    expectAgreement(loadSae(writeDictionary('MatryoshkaBatchTopKSAE', state, { k: 5 })), x, N, (xt) => {
      const post = relu(add(vecMat(sub(xt, bIn), W_enc, D_IN, D_SAE), bLatent));
      const acts = post.map((v) => (v > 0.7 ? v : 0));
      return { acts, out: add(vecMat(acts, W_dec, D_SAE, D_IN), bIn) };
    });
  });

  it('reads GatedAutoEncoder, whose features carry the decoder column norms', () => {
    const [gateBias, rMag, magBias] = [latents(0.5), latents(0.3), latents(0.5)];
    const norms = colNorms(decLinear, D_IN, D_SAE);
    const dir = writeDictionary('GatedAutoEncoder', {
      'encoder.weight': t([D_SAE, D_IN], encLinear),
      'decoder.weight': t([D_IN, D_SAE], decLinear),
      decoder_bias: t([D_IN], bIn),
      r_mag: t([D_SAE], rMag),
      gate_bias: t([D_SAE], gateBias),
      mag_bias: t([D_SAE], magBias),
    });
    expectAgreement(loadSae(dir), x, N, (xt) => {
      const xEnc = linear(encLinear, sub(xt, bIn), D_SAE, D_IN);
      const acts = xEnc.map((v, j) => (v + gateBias[j] > 0 ? Math.max(Math.exp(rMag[j]) * v + magBias[j], 0) * norms[j] : 0));
      return {
        acts,
        out: decodeLinear(
          acts.map((v, j) => v / norms[j]),
          bIn,
        ),
      };
    });
  });

  it('reads JumpReluAutoEncoder, whose features carry the decoder row norms', () => {
    const threshold = latents(0.8);
    const norms = rowNorms(W_dec, D_SAE, D_IN);
    const dir = writeDictionary('JumpReluAutoEncoder', {
      W_enc: t([D_IN, D_SAE], W_enc),
      b_enc: t([D_SAE], bLatent),
      W_dec: t([D_SAE, D_IN], W_dec),
      b_dec: t([D_IN], bIn),
      threshold: t([D_SAE], threshold),
    });
    expectAgreement(loadSae(dir), x, N, (xt) => {
      const pre = add(vecMat(xt, W_enc, D_IN, D_SAE), bLatent);
      const acts = pre.map((v, j) => Math.max(v > threshold[j] ? v : 0, 0) * norms[j]);
      return {
        acts,
        out: add(
          vecMat(
            acts.map((v, j) => v / norms[j]),
            W_dec,
            D_SAE,
            D_IN,
          ),
          bIn,
        ),
      };
    });
  });
});

describe('openai/sparse_autoencoder', () => {
  const state = {
    pre_bias: t([D_IN], bIn),
    latent_bias: t([D_SAE], bLatent),
    'encoder.weight': t([D_SAE, D_IN], encLinear),
    'decoder.weight': t([D_IN, D_SAE], decLinear),
    stats_last_nonzero: { shape: [D_SAE], data: new BigInt64Array(D_SAE) },
  };
  const encodeOpenai = (xt: ArrayLike<number>) => add(linear(encLinear, sub(xt, bIn), D_SAE, D_IN), bLatent);
  const decodeOpenai = (f: ArrayLike<number>) => add(linear(decLinear, f, D_IN, D_SAE), bIn);

  it('reads a saved TopK activation with the LayerNorm preprocessing from_state_dict turns on for it', () => {
    const path = join(root, 'openai', 'resid_post_mlp_v5_32k', 'autoencoders', '5.pt');
    writeCheckpoint(path, { ...state, activation: 'TopK', activation_state_dict: { k: 4, postact_fn: 'ReLU' } });
    const sae = loadSae(path);
    expect([sae.hookName, sae.inputNorm, sae.activation]).toEqual(['blocks.5.hook_resid_post', 'layer-norm', { kind: 'topk', k: 4 }]);
    expectAgreement(sae, x, N, (xt) => {
      const { y, mu, std } = layerNorm(xt);
      const acts = relu(topk(encodeOpenai(y), 4));
      return { acts, out: decodeOpenai(acts).map((v) => v * std + mu) };
    });
  });

  it('reads a saved ReLU activation without normalisation', () => {
    const path = join(root, 'openai-relu', 'ae.pth');
    writeCheckpoint(path, { ...state, activation: 'ReLU' });
    expectAgreement(loadSae(path), x, N, (xt) => {
      const acts = relu(encodeOpenai(xt));
      return { acts, out: decodeOpenai(acts) };
    });
  });

  it('takes k from the file name of a bare state dict, and reads a tied decoder', () => {
    const { 'decoder.weight': _untied, ...rest } = state;
    const path = join(root, 'openai-tied', 'sae_k3.pt');
    writeCheckpoint(path, { ...rest, 'decoder.linear.weight': t([D_SAE, D_IN], encLinear) });
    const sae = loadSae(join(root, 'openai-tied'));
    expect([sae.activation, sae.inputNorm]).toEqual([{ kind: 'topk', k: 3 }, 'none']);
    expectAgreement(sae, x, N, (xt) => {
      const acts = relu(topk(encodeOpenai(xt), 3));
      return { acts, out: add(vecMat(acts, encLinear, D_SAE, D_IN), bIn) };
    });
  });
});
