import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../../native/formats/safetensors.js';
import type { HostTensor } from '../../../native/formats/tensor.js';
import type { CanonicalSae } from '../../../native/sae/index.js';
import { SaeError, assertHookWidth, loadSae, validateSae } from '../../../native/sae/index.js';
import { FIXTURES, randn, writeCheckpoint, writeJson, writeNpz } from './helpers.js';
import type { StateDict } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'loupe-sae-bad-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const D_IN = 16;
const D_SAE = 48;
const rnd = randn(3);
const f32 = (
  shape: number[],
  data = rnd(
    shape.reduce((a, b) => a * b, 1),
    0.3,
  ),
): HostTensor => ({ dtype: 'F32', shape, data });
const weights = () => ({ W_enc: f32([D_IN, D_SAE]), b_enc: f32([D_SAE]), W_dec: f32([D_SAE, D_IN]), b_dec: f32([D_IN]) });
const withNonFinite = (t: HostTensor, at: number[], value: number): HostTensor => {
  const data = (t.data as Float32Array).slice();
  for (const i of at) data[i] = value;
  return { ...t, data };
};

let counter = 0;
/** A SAELens folder with cfg.json (given as an object or raw text) and the given tensors. */
function saelens(cfg: Record<string, unknown> | string, tensors: Record<string, HostTensor> = weights()): string {
  const dir = join(root, `saelens-${counter++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'cfg.json'), typeof cfg === 'string' ? cfg : JSON.stringify({ d_in: D_IN, d_sae: D_SAE, ...cfg }));
  writeSafetensors(join(dir, 'sae_weights.safetensors'), tensors);
  return dir;
}

function openaiFile(name: string, state: StateDict, sidecar?: Record<string, unknown>): string {
  const dir = join(root, `openai-${counter++}`);
  writeCheckpoint(join(dir, name), state);
  if (sidecar) writeJson(join(dir, 'NOTE.json'), sidecar);
  return join(dir, name);
}
const openaiState = (): StateDict => ({
  pre_bias: { shape: [D_IN], data: rnd(D_IN) },
  latent_bias: { shape: [D_SAE], data: rnd(D_SAE) },
  'encoder.weight': { shape: [D_SAE, D_IN], data: rnd(D_SAE * D_IN) },
  'decoder.weight': { shape: [D_IN, D_SAE], data: rnd(D_IN * D_SAE) },
});

function folder(files: Record<string, unknown>): string {
  const dir = join(root, `folder-${counter++}`);
  for (const [name, content] of Object.entries(files)) writeJson(join(dir, name), content);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The SaeError that loading `path` throws; fails the test if it loads or throws something else. */
function errorOf(load: () => unknown): SaeError {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(SaeError);
    return e as SaeError;
  }
  throw new Error('expected an SaeError, but the SAE loaded');
}

const CASES: [string, () => string, RegExp][] = [
  [
    'a W_enc narrower than d_sae',
    () => saelens({}, { ...weights(), W_enc: f32([D_IN, 40]) }),
    /sae_weights\.safetensors: W_enc is \[16, 40\], expected \[d_in, d_sae\] = \[16, 48\]/,
  ],
  [
    'a W_dec stored transposed',
    () => saelens({}, { ...weights(), W_dec: f32([D_IN, D_SAE]) }),
    /W_dec is \[16, 48\], expected \[d_sae, d_in\] = \[48, 16\]/,
  ],
  [
    'NaN decoder weights',
    () => saelens({}, { ...weights(), W_dec: withNonFinite(f32([D_SAE, D_IN]), [3 * D_IN + 5, 40 * D_IN], Number.NaN) }),
    /sae_weights\.safetensors: W_dec has 2 NaN values, first at \[3, 5\] \(NaN\); refusing to use non-finite weights/,
  ],
  [
    'an infinite encoder bias',
    () => saelens({}, { ...weights(), b_enc: withNonFinite(f32([D_SAE]), [7], -Infinity) }),
    /b_enc has 1 infinite value, first at \[7\] \(-Infinity\)/,
  ],
  ['a topk k larger than d_sae', () => saelens({ architecture: 'topk', k: 100 }), /topk k = 100 is larger than d_sae = 48/],
  [
    'a topk k of 0',
    () => saelens({ architecture: 'topk', activation_fn_str: 'topk', activation_fn_kwargs: { k: 0 } }),
    /"activation_fn_kwargs\.k" is 0 \(number\); expected a positive integer/,
  ],
  ['a topk SAE without k', () => saelens({ architecture: 'topk' }), /"k" is missing; expected a positive integer for a topk SAE/],
  [
    'a missing b_dec',
    () => saelens({}, (({ b_dec: _b, ...rest }) => rest)(weights())),
    /missing tensor "b_dec"; the file has W_dec, W_enc, b_enc$/,
  ],
  [
    'a jumprelu SAE without threshold',
    () => saelens({ architecture: 'jumprelu' }),
    /missing tensor "threshold" \(jumprelu SAEs store threshold or log_threshold\)/,
  ],
  [
    'a NaN threshold',
    () => saelens({ architecture: 'jumprelu' }, { ...weights(), threshold: withNonFinite(f32([D_SAE]), [9], Number.NaN) }),
    /threshold has 1 NaN value, first at \[9\]/,
  ],
  ['a cfg.json without d_sae', () => saelens({ d_sae: undefined }), /cfg\.json: "d_sae" is missing; expected a positive integer/],
  ['a cfg.json with d_in as a string', () => saelens({ d_in: '16' }), /cfg\.json: "d_in" is "16" \(string\); expected a positive integer/],
  [
    'a cfg.json whose d_in disagrees with the weights',
    () => saelens({ d_in: 32 }),
    /W_dec is \[48, 16\], expected \[d_sae, d_in\] = \[48, 32\]/,
  ],
  ['a cfg.json that is not JSON', () => saelens('{"d_in": 16,'), /cfg\.json: not valid JSON/],
  [
    'an apply_b_dec_to_input that is not a boolean',
    () => saelens({ apply_b_dec_to_input: 'yes' }),
    /"apply_b_dec_to_input" is "yes" \(string\); expected true or false/,
  ],
  [
    'an unknown architecture',
    () => saelens({ architecture: 'matching_pursuit' }),
    /unknown architecture "matching_pursuit"; Loupe reads SAELens architectures standard, topk, jumprelu, gated/,
  ],
  [
    'an unsupported activation function',
    () => saelens({ activation_fn_str: 'tanh-relu' }),
    /"activation_fn_str" is "tanh-relu" for architecture "standard"/,
  ],
  [
    'an unknown normalize_activations',
    () => saelens({ normalize_activations: 'whiten' }),
    /"normalize_activations" is "whiten" \(string\); expected one of none, expected_average_only_in/,
  ],
  [
    'expected_average_only_in with a scaling factor that is not a positive number',
    () => {
      const dir = saelens({ normalize_activations: 'expected_average_only_in' });
      writeFileSync(join(dir, 'activation_scaler.json'), JSON.stringify({ scaling_factor: -1 }));
      return dir;
    },
    /activation_scaler\.json: "scaling_factor" is -1 \(number\); expected a finite number > 0/,
  ],
  [
    'a finetuning scaling factor the config disowns',
    () => saelens({}, { ...weights(), scaling_factor: f32([D_SAE]) }),
    /scaling_factor holds values other than 1, but cfg\.json "finetuning_scaling_factor" is false/,
  ],
  [
    'an SAE on one attention head',
    () => saelens({ hook_name: 'blocks.0.attn.hook_z', hook_head_index: 3 }),
    /SAEs on a single attention head are not supported/,
  ],
  [
    'an openai state dict that gives no k',
    () => openaiFile('layer_1.pt', openaiState()),
    /does not say its activation or k: .* Add a NOTE\.json or layer_1\.json next to it with \{"k": <N>\}/,
  ],
  [
    'an openai state dict with NaN encoder weights',
    () => {
      const state = openaiState();
      const enc = state['encoder.weight'] as { shape: number[]; data: Float32Array };
      enc.data[2 * D_IN + 1] = Number.NaN;
      return openaiFile('layer_2.pt', state, { k: 4 });
    },
    /layer_2\.pt: encoder\.weight has 1 NaN value, first at \[2, 1\]/,
  ],
  [
    'an openai k larger than d_sae',
    () => openaiFile('ae.pth', { ...openaiState(), activation: 'TopK', activation_state_dict: { k: 64, postact_fn: 'ReLU' } }),
    /topk k = 64 is larger than d_sae = 48/,
  ],
  [
    'a sparsify num_latents that disagrees with encoder.weight',
    () => {
      const dir = folder({ 'cfg.json': { d_in: D_IN, num_latents: 40, k: 4 } });
      writeSafetensors(join(dir, 'sae.safetensors'), {
        'encoder.weight': f32([D_SAE, D_IN]),
        'encoder.bias': f32([D_SAE]),
        W_dec: f32([D_SAE, D_IN]),
        b_dec: f32([D_IN]),
      });
      return dir;
    },
    /encoder\.weight is \[48, 16\], expected \[num_latents, d_in\] = \[40, 16\]/,
  ],
  [
    'a sparsify transcoder on a hookpoint that is not an MLP',
    () => {
      const dir = folder({ 'cfg.json': { d_in: D_IN, num_latents: D_SAE, k: 4, transcode: true } });
      writeSafetensors(join(dir, 'sae.safetensors'), { 'encoder.weight': f32([D_SAE, D_IN]) });
      return dir;
    },
    /is a transcoder on hookpoint ".*" \(the folder name\); Loupe reads sparsify transcoders on MLPs/,
  ],
  [
    'a dictionary_learning class Loupe does not read',
    () => {
      const dir = folder({ 'config.json': { trainer: { dict_class: 'CrossCoder', activation_dim: D_IN, dict_size: D_SAE } } });
      writeCheckpoint(join(dir, 'ae.pt'), openaiState());
      return dir;
    },
    /"trainer\.dict_class" is "CrossCoder" \(string\); expected one of AutoEncoder, AutoEncoderNew, AutoEncoderTopK/,
  ],
  [
    'a dictionary_learning ae.pt without config.json',
    () => {
      const dir = folder({});
      writeCheckpoint(join(dir, 'ae.pt'), openaiState());
      return dir;
    },
    /has ae\.pt but no config\.json/,
  ],
  [
    'a dictionary_learning state dict missing its bias',
    () => {
      const dir = folder({ 'config.json': { trainer: { dict_class: 'AutoEncoder', activation_dim: D_IN, dict_size: D_SAE } } });
      writeCheckpoint(join(dir, 'ae.pt'), {
        'encoder.weight': { shape: [D_SAE, D_IN], data: rnd(D_SAE * D_IN) },
        'encoder.bias': { shape: [D_SAE], data: rnd(D_SAE) },
        'decoder.weight': { shape: [D_IN, D_SAE], data: rnd(D_IN * D_SAE) },
      });
      return dir;
    },
    /ae\.pt: missing tensor "bias"/,
  ],
  [
    'a Gemma Scope npz without threshold',
    () => {
      const path = join(root, `gemma-${counter++}`, 'params.npz');
      const t = (shape: number[]) => ({ shape, data: rnd(shape.reduce((a, b) => a * b, 1)) });
      writeNpz(path, { W_enc: t([D_IN, D_SAE]), W_dec: t([D_SAE, D_IN]), b_enc: t([D_SAE]), b_dec: t([D_IN]) });
      return path;
    },
    /params\.npz: missing tensor "threshold"/,
  ],
  [
    'a folder in no known layout',
    () => folder({ 'notes.json': {} }),
    /holds no SAE in a layout Loupe reads \(the folder has notes\.json\)\. Known layouts: SAELens .*sparsify.*dictionary_learning.*Gemma Scope.*openai/,
  ],
  [
    'a folder with several checkpoints',
    () => {
      const dir = folder({});
      writeCheckpoint(join(dir, '1.pt'), openaiState());
      writeCheckpoint(join(dir, '2.pt'), openaiState());
      return dir;
    },
    /holds 2 checkpoints \(1\.pt, 2\.pt\); pass the path of the one to load/,
  ],
  ['a path that does not exist', () => join(root, 'nowhere'), /nowhere: does not exist/],
  [
    'a lone safetensors file of no SAE layout',
    () => {
      const path = join(root, `model-${counter++}.safetensors`);
      writeSafetensors(path, weights());
      return path;
    },
    /is not a file of any SAE layout Loupe reads\. Known layouts/,
  ],
];

describe('loadSae refuses bad SAE files with specific errors', () => {
  for (const [name, make, message] of CASES) {
    it(`refuses ${name}`, () => {
      const path = make();
      expect(errorOf(() => loadSae(path)).message).toMatch(message);
    });
  }
});

describe('validateSae and assertHookWidth', () => {
  const sae = (): CanonicalSae => loadSae(`${FIXTURES}/saes/saelens-relu`);

  it('names both widths when an SAE does not fit the model hook', () => {
    expect(errorOf(() => assertHookWidth(sae(), 768, 'gpt2-small', 'blocks.1.hook_resid_pre')).message).toMatch(
      /saelens-relu: SAE reads d_in = 64 values per token, but gpt2-small's hook blocks\.1\.hook_resid_pre is 768 wide/,
    );
    expect(() => assertHookWidth(sae(), 64, 'gpt2-tiny', 'blocks.1.hook_resid_pre')).not.toThrow();
  });

  it('refuses negative JumpReLU thresholds, k below 1, a tensor of the wrong length and a zero input scale', () => {
    const threshold = new Float32Array(512).fill(0.1);
    threshold[5] = -0.2;
    expect(errorOf(() => validateSae({ ...sae(), activation: { kind: 'jumprelu', threshold } })).message).toMatch(
      /threshold has 1 negative values, first at \[5\] \(-0\.2/,
    );
    expect(errorOf(() => validateSae({ ...sae(), activation: { kind: 'topk', k: 0 } })).message).toMatch(
      /topk k is 0, expected an integer ≥ 1/,
    );
    expect(errorOf(() => validateSae({ ...sae(), bEnc: new Float32Array(100) })).message).toMatch(
      /b_enc is 100 values, expected \[d_sae\] = \[512\] \(512 values\)/,
    );
    expect(errorOf(() => validateSae({ ...sae(), inputScale: 0 })).message).toMatch(/input scale is 0, expected a finite number > 0/);
  });
});
