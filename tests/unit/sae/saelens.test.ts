import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../../native/formats/safetensors.js';
import type { HostTensor } from '../../../native/formats/tensor.js';
import { loadSae } from '../../../native/sae/index.js';
import { expectAgreement, randn, writeJson } from './helpers.js';
import type { TokenForward } from './library-forward.js';
import { add, layerNorm, relu, rowNorms, sub, topk, vecMat } from './library-forward.js';

const root = mkdtempSync(join(tmpdir(), 'loupe-saelens-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const D_IN = 16;
const D_SAE = 48;
const N = 12;
const rnd = randn(11);
const x = rnd(N * D_IN, 2); /** [N, D_IN] */
const W_enc = rnd(D_IN * D_SAE, 0.3); /** [D_IN, D_SAE] */
const W_dec = rnd(D_SAE * D_IN, 0.3); /** [D_SAE, D_IN] */
const b_enc = rnd(D_SAE, 0.2);
const b_dec = rnd(D_IN, 0.5);
const f32 = (shape: number[], data: Float32Array): HostTensor => ({ dtype: 'F32', shape, data });
const base = { W_enc: f32([D_IN, D_SAE], W_enc), W_dec: f32([D_SAE, D_IN], W_dec), b_dec: f32([D_IN], b_dec) };

function writeSae(name: string, cfg: Record<string, unknown>, tensors: Record<string, HostTensor>): string {
  const dir = join(root, name);
  writeJson(join(dir, 'cfg.json'), { d_in: D_IN, d_sae: D_SAE, ...cfg });
  writeSafetensors(join(dir, 'sae_weights.safetensors'), tensors);
  return dir;
}

function expectMatches(dir: string, token: (xt: Float32Array) => TokenForward): void {
  expectAgreement(loadSae(dir), x, N, token);
}

/** SAELens's decode: feature_acts @ W_dec + b_dec. */
const decode = (f: ArrayLike<number>) => add(vecMat(f, W_dec, D_SAE, D_IN), b_dec);

describe('readSaeLens follows each SAELens architecture', () => {
  it('reads a v6 topk cfg.json (metadata, top-level k) with rescale_acts_by_decoder_norm as TopKSAE computes it', () => {
    const dir = writeSae(
      'v6-topk',
      {
        architecture: 'topk',
        k: 5,
        rescale_acts_by_decoder_norm: true,
        apply_b_dec_to_input: true,
        metadata: { hook_name: 'blocks.3.hook_resid_post', model_name: 'gpt2', sae_lens_version: '6.5.0' },
      },
      { ...base, b_enc: f32([D_SAE], b_enc) },
    );
    const norms = rowNorms(W_dec, D_SAE, D_IN);
    expectMatches(dir, (xt) => {
      const hidden = add(vecMat(sub(xt, b_dec), W_enc, D_IN, D_SAE), b_enc).map((v, j) => v * norms[j]);
      const acts = relu(topk(hidden, 5));
      return { acts, out: decode(acts.map((v, j) => v / norms[j])) };
    });
    const sae = loadSae(dir);
    expect([sae.hookName, sae.modelName, sae.activation]).toEqual(['blocks.3.hook_resid_post', 'gpt2', { kind: 'topk', k: 5 }]);
  });

  it('reads pre-v6 TopK written as architecture standard with activation_fn_str topk and hook_point', () => {
    const dir = writeSae(
      'v5-topk',
      { architecture: 'standard', activation_fn_str: 'topk', activation_fn_kwargs: { k: 7 }, hook_point: 'blocks.0.hook_resid_pre' },
      { ...base, b_enc: f32([D_SAE], b_enc) },
    );
    expectMatches(dir, (xt) => {
      const acts = relu(topk(add(vecMat(sub(xt, b_dec), W_enc, D_IN, D_SAE), b_enc), 7));
      return { acts, out: decode(acts) };
    });
    expect(loadSae(dir).hookName).toBe('blocks.0.hook_resid_pre');
  });

  it('reads jumprelu thresholds, treating negative ones as 0 as SAELens threshold.relu() does', () => {
    const threshold = rnd(D_SAE, 0.8); // about half negative
    const dir = writeSae(
      'jumprelu',
      { architecture: 'jumprelu', apply_b_dec_to_input: false },
      { ...base, b_enc: f32([D_SAE], b_enc), threshold: f32([D_SAE], threshold) },
    );
    expectMatches(dir, (xt) => {
      const pre = add(vecMat(xt, W_enc, D_IN, D_SAE), b_enc);
      const acts = relu(pre).map((v, j) => (pre[j] > Math.max(threshold[j], 0) ? v : 0));
      return { acts, out: decode(acts) };
    });
  });

  it('reads log_threshold from older JumpReLU training checkpoints as exp(log_threshold)', () => {
    const logThreshold = rnd(D_SAE, 0.5);
    const dir = writeSae(
      'log-threshold',
      { architecture: 'jumprelu' },
      { ...base, b_enc: f32([D_SAE], b_enc), log_threshold: f32([D_SAE], logThreshold) },
    );
    expectMatches(dir, (xt) => {
      const pre = add(vecMat(sub(xt, b_dec), W_enc, D_IN, D_SAE), b_enc);
      const acts = pre.map((v, j) => (v > Math.exp(logThreshold[j]) ? v : 0));
      return { acts, out: decode(acts) };
    });
  });

  it('folds a gated SAE (b_gate, r_mag, b_mag) into JumpReLU with the same activations', () => {
    const [bGate, rMag, bMag] = [rnd(D_SAE, 0.5), rnd(D_SAE, 0.3), rnd(D_SAE, 0.5)];
    const dir = writeSae(
      'gated',
      { architecture: 'gated' },
      { ...base, b_gate: f32([D_SAE], bGate), r_mag: f32([D_SAE], rMag), b_mag: f32([D_SAE], bMag) },
    );
    expectMatches(dir, (xt) => {
      const z = vecMat(sub(xt, b_dec), W_enc, D_IN, D_SAE);
      const acts = z.map((v, j) => (v + bGate[j] > 0 ? Math.max(Math.exp(rMag[j]) * v + bMag[j], 0) : 0));
      return { acts, out: decode(acts) };
    });
    expect(loadSae(dir).activation.kind).toBe('jumprelu');
  });

  it('applies normalize_activations layer_norm before b_dec and undoes it after decoding', () => {
    const dir = writeSae('layer-norm', { normalize_activations: 'layer_norm' }, { ...base, b_enc: f32([D_SAE], b_enc) });
    expectMatches(dir, (xt) => {
      const { y, mu, std } = layerNorm(xt);
      const acts = relu(add(vecMat(sub(y, b_dec), W_enc, D_IN, D_SAE), b_enc));
      return { acts, out: decode(acts).map((v) => v * std + mu) };
    });
  });

  it('applies normalize_activations constant_norm_rescale (x·sqrt(d_in)/‖x‖) and divides it out', () => {
    const dir = writeSae('norm-rescale', { normalize_activations: 'constant_norm_rescale' }, { ...base, b_enc: f32([D_SAE], b_enc) });
    expectMatches(dir, (xt) => {
      const c = Math.sqrt(D_IN) / Math.hypot(...xt);
      const acts = relu(
        add(
          vecMat(
            sub(
              xt.map((v) => v * c),
              b_dec,
            ),
            W_enc,
            D_IN,
            D_SAE,
          ),
          b_enc,
        ),
      );
      return { acts, out: decode(acts).map((v) => v / c) };
    });
  });

  it('scales inputs by norm_scaling_factor for expected_average_only_in', () => {
    const dir = writeSae(
      'expected-average',
      { normalize_activations: 'expected_average_only_in', norm_scaling_factor: 0.4 },
      { ...base, b_enc: f32([D_SAE], b_enc) },
    );
    expectMatches(dir, (xt) => {
      const acts = relu(
        add(
          vecMat(
            sub(
              xt.map((v) => v * 0.4),
              b_dec,
            ),
            W_enc,
            D_IN,
            D_SAE,
          ),
          b_enc,
        ),
      );
      return { acts, out: decode(acts).map((v) => v / 0.4) };
    });
    expect(loadSae(dir).inputScale).toBeCloseTo(0.4, 7);
  });

  it('folds a finetuning scaling_factor into the decoder and ignores one of all ones', () => {
    const scale = rnd(D_SAE, 0.3).map((v) => 1 + v);
    const dir = writeSae(
      'scaling',
      { finetuning_scaling_factor: true },
      { ...base, b_enc: f32([D_SAE], b_enc), scaling_factor: f32([D_SAE], scale) },
    );
    expectMatches(dir, (xt) => {
      const acts = relu(add(vecMat(sub(xt, b_dec), W_enc, D_IN, D_SAE), b_enc));
      return { acts, out: decode(acts.map((v, j) => v * scale[j])) };
    });
    const ones = writeSae(
      'scaling-ones',
      {},
      { ...base, b_enc: f32([D_SAE], b_enc), scaling_factor: f32([D_SAE], new Float32Array(D_SAE).fill(1)) },
    );
    expect(loadSae(ones).wDec).toEqual(W_dec);
  });

  it('reads bfloat16 weights exactly', () => {
    const bf16 = (v: Float32Array) => new Uint16Array(new Uint32Array(v.buffer.slice(0)).map((u) => u >>> 16));
    const wEncBits = bf16(W_enc);
    const dir = writeSae(
      'bf16',
      {},
      { ...base, W_enc: { dtype: 'BF16', shape: [D_IN, D_SAE], data: wEncBits }, b_enc: f32([D_SAE], b_enc) },
    );
    const expected = new Float32Array(new Uint32Array(wEncBits).map((b) => b << 16).buffer);
    expect(loadSae(dir).wEnc).toEqual(expected);
  });
});
