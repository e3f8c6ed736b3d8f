import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover } from '../../../native/formats/discovery.js';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { toFloat32 } from '../../../native/formats/tensor.js';
import { registerModel, registerSae } from '../../../native/registry/catalog.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import type { TransformerWeights } from '../../../native/models/weights.js';
import { randomUniform } from '../../../native/onnx/matmul-rate.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { prepareEncoder } from '../../../native/sae/encode.js';
import { evalHook } from '../../../native/sae/eval/evaluate.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { decodeReference, encodeReference } from '../../../native/sae/reference.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { FIXTURES } from '../../helpers/shared.js';
import { D_SAE, writeLlamaScope, writeSaeLayouts } from '../../helpers/sae-layout-fixtures.js';
import type { RawLlamaScope, WrittenLayouts } from '../../helpers/sae-layout-fixtures.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeNpz } from '../../unit/sae/helpers.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { relativeError } from '../../helpers/numeric.js';

/** Issue 13 item 5: SAE layouts as the hub ships them, read as their libraries compute them. */
const MODEL = join(FIXTURES, 'families', 'qwen3-tiny'); // d_model 64, 4 heads × head_dim 32: hook_z is 128 wide
const tmp = tempDir('sae-layouts');
afterAll(() => tmp.cleanup());
let model: TransformerWeights;
let layouts: WrittenLayouts;
beforeAll(() => {
  model = loadTransformer(MODEL).weights;
  const { dModel, nHeads, dHead } = model.config;
  layouts = writeSaeLayouts(join(tmp.path, 'saes'), { dModel, nHeads, dHead });
});

/** The model's activations at `hooks`, [n, width] each, on a few seeded token ids. */
async function activations(hooks: string[], n = 12): Promise<Map<string, Float32Array>> {
  const ids = BigInt64Array.from(randomUniform(n, 5, 1), (v) => BigInt(Math.floor(Math.abs(v) * (model.config.dVocab - 1))));
  const out = await runForward(model, { dims: [1, n], data: ids }, { hooks });
  return new Map(hooks.map((h) => [h, out.outputs.get(h)!.data]));
}

/** lm_saes's SAE forward on x [n, d], written from its source in plain loops over the raw files. */
function lmSaesForward(raw: RawLlamaScope, x: Float32Array, n: number): { acts: Float32Array; out: Float32Array } {
  const hp = raw.hyperparams as {
    d_model: number;
    jump_relu_threshold: number;
    dataset_average_activation_norm: { in: number; out: number };
  };
  const d = hp.d_model;
  const sIn = Math.sqrt(d) / hp.dataset_average_activation_norm.in;
  const sOut = Math.sqrt(d) / hp.dataset_average_activation_norm.out;
  const colNorm = Array.from({ length: D_SAE }, (_, j) =>
    Math.sqrt(Array.from({ length: d }, (_, i) => raw.decoderWeight[i * D_SAE + j] ** 2).reduce((a, b) => a + b, 0)),
  );
  const acts = new Float32Array(n * D_SAE);
  const out = new Float32Array(n * d);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < D_SAE; j++) {
      let pre = raw.encoderBias[j];
      for (let i = 0; i < d; i++) pre += x[t * d + i] * sIn * raw.encoderWeight[j * d + i];
      acts[t * D_SAE + j] = pre * colNorm[j] > hp.jump_relu_threshold ? pre : 0;
    }
    for (let i = 0; i < d; i++) {
      let y = raw.decoderBias[i];
      for (let j = 0; j < D_SAE; j++) y += acts[t * D_SAE + j] * raw.decoderWeight[i * D_SAE + j];
      out[t * d + i] = y / sOut;
    }
  }
  return { acts, out };
}

/** The encode graph's activations (dense) and output for x, as Prompt, index and eval compute them. */
async function graphForward(sae: CanonicalSae, x: Float32Array, n: number): Promise<{ acts: Float32Array; out: Float32Array }> {
  const r = await (await prepareEncoder(sae, { dense: true, reconstruction: true })).encode(x, n);
  return { acts: r.featureActs!, out: r.saeOut! };
}

function tensor(path: string, name: string): Float32Array {
  const file = openSafetensors(path);
  try {
    return toFloat32(file.read(name));
  } finally {
    file.close();
  }
}

describe('inspect and the loaders agree on what is an SAE', () => {
  it('lists every written layout once, with the format, hooks and widths loadSae reads', () => {
    const found = discover(join(tmp.path, 'saes'), { maxDepth: 5 }).filter((i) => i.kind === 'sae');
    const expected = [
      layouts.gemmaScope,
      layouts.gemmaScopeTranscoder,
      layouts.llamaScope,
      layouts.llamaScopeTranscoder,
      layouts.saelensTranscoder,
      layouts.saelensSkipTranscoder,
      layouts.saelensJumpTranscoder,
      layouts.sparsifyTranscoder,
      layouts.hookZ,
    ];
    expect(found.map((i) => i.path).sort()).toEqual([...expected].sort());
    for (const item of found) {
      expect(item.problem).toBeUndefined();
      const sae = loadSae(item.path);
      expect(sae.source.format === 'loupe' ? 'saelens' : sae.source.format).toBe(item.format);
      expect([item.dIn, item.dSae]).toEqual([sae.dIn, sae.dSae]);
      expect(item.hookName).toBe(sae.hookName ?? undefined);
      expect(item.outputHookName).toBe(sae.outputHookName ?? undefined);
    }
  });

  it('agrees on the shared fixture SAEs (SAELens ReLU and TopK, an openai .pt)', () => {
    const found = discover(join(FIXTURES, 'saes')).filter((i) => i.kind === 'sae');
    expect(found.map((i) => i.format).sort()).toEqual(['openai', 'saelens', 'saelens']);
    for (const item of found) {
      const sae = loadSae(item.path);
      expect([sae.source.format, sae.dIn, sae.dSae, sae.hookName ?? undefined]).toEqual([item.format, item.dIn, item.dSae, item.hookName]);
    }
  });

  it('finds no SAE where the loaders find none, and the loaders say which layouts they know', () => {
    expect(discover(MODEL).filter((i) => i.kind === 'sae')).toEqual([]);
    expect(() => loadSae(MODEL)).toThrow(
      /holds no SAE in a layout Loupe reads.*Llama Scope \(a folder with hyperparams\.json \+ checkpoints\/final\.safetensors\)/,
    );
    const bare = join(tmp.path, 'llama-no-weights');
    mkdirSync(bare, { recursive: true });
    writeFileSync(join(bare, 'hyperparams.json'), '{}');
    expect(discover(bare).filter((i) => i.kind === 'sae')).toEqual([]);
    expect(() => loadSae(bare)).toThrow(/holds no SAE/);
  });

  it('says where the input scale of a Llama Scope SAE comes from', () => {
    const [item] = discover(layouts.llamaScope);
    expect(item.inputScaling).toBe(
      `dataset-wise: × √64 / 3.5 = ${8 / 3.5} (dataset_average_activation_norm.in, given in hyperparams.json)`,
    );
    expect(loadSae(layouts.llamaScope).inputScaleFrom).toEqual({
      kind: 'given',
      detail: 'hyperparams.json dataset_average_activation_norm.in = 3.5: √64 / 3.5',
    });
  });
});

describe('Llama Scope', () => {
  it('encodes and decodes as lm_saes does: dataset-wise norms, JumpReLU on pre · ‖W_dec‖', async () => {
    const x = (await activations(['blocks.0.hook_resid_post'])).get('blocks.0.hook_resid_post')!;
    const sae = loadSae(layouts.llamaScope);
    expect([sae.hookName, sae.outputHookName, sae.source.format]).toEqual(['blocks.0.hook_resid_post', undefined, 'llama-scope']);
    const lib = lmSaesForward(layouts.raw.llamaScope, x, 12);
    expect(lib.acts.some((v) => v > 0) && lib.acts.some((v) => v === 0)).toBe(true);
    expect(relativeError(encodeReference(sae, x, 12), lib.acts)).toBeLessThan(1e-5);
    const graph = await graphForward(sae, x, 12);
    expect(relativeError(graph.acts, lib.acts)).toBeLessThan(1e-5);
    expect(relativeError(graph.out, lib.out)).toBeLessThan(1e-5);
  });

  it('reads a TC folder as a transcoder from ln2.hook_normalized to hook_mlp_out with its own output norm', async () => {
    const acts = await activations(['blocks.0.ln2.hook_normalized']);
    const x = acts.get('blocks.0.ln2.hook_normalized')!;
    const sae = loadSae(layouts.llamaScopeTranscoder);
    expect([sae.hookName, sae.outputHookName]).toEqual(['blocks.0.ln2.hook_normalized', 'blocks.0.hook_mlp_out']);
    const lib = lmSaesForward(layouts.raw.llamaScopeTranscoder, x, 12);
    const graph = await graphForward(sae, x, 12);
    expect(relativeError(graph.acts, lib.acts)).toBeLessThan(1e-5);
    expect(relativeError(graph.out, lib.out)).toBeLessThan(1e-5);
    expect(relativeError(decodeReference(sae, encodeReference(sae, x, 12), 12, x), lib.out)).toBeLessThan(1e-5);
  });

  it('refuses a wrong decoder shape, a missing activation norm and an unknown activation with the key or tensor named', () => {
    const bad = (name: string, hyper: Record<string, unknown>) => {
      const dir = join(tmp.path, 'bad-llama', name);
      writeLlamaScope(dir, 64, 3, { hook_point_in: 'blocks.0.hook_resid_post', hook_point_out: 'blocks.0.hook_resid_post', ...hyper });
      return dir;
    };
    expect(() => loadSae(bad('no-norm', { dataset_average_activation_norm: null }))).toThrow(
      /hyperparams\.json: "dataset_average_activation_norm" is null \(null\); expected \{"in": <number>, "out": <number>\}/,
    );
    expect(() => loadSae(bad('act', { act_fn: 'gelu' }))).toThrow(/"act_fn" is "gelu" \(string\); expected one of jumprelu, topk, relu/);
    expect(() => loadSae(bad('width', { d_model: 32 }))).toThrow(
      /final\.safetensors: encoder\.weight is \[24, 64\], expected \[d_sae, d_model\] = \[24, 32\]/,
    );
    expect(() => loadSae(bad('hook', { hook_point_in: '' }))).toThrow(
      /"hook_point_in" is "" \(string\); expected a TransformerLens hook name/,
    );
  });
});

describe('transcoders', () => {
  const IN = 'blocks.0.ln2.hook_normalized';
  const OUT = 'blocks.0.hook_mlp_out';

  it('reads SAELens transcoder, skip_transcoder and jumprelu_transcoder as Transcoder.forward computes them', async () => {
    const x = (await activations([IN])).get(IN)!;
    for (const dir of [layouts.saelensTranscoder, layouts.saelensSkipTranscoder, layouts.saelensJumpTranscoder]) {
      const sae = loadSae(dir);
      expect([sae.hookName, sae.outputHookName, sae.subtractDecoderBias]).toEqual([IN, OUT, false]);
      const w = join(dir, 'sae_weights.safetensors');
      const [wEnc, bEnc, wDec, bDec] = ['W_enc', 'b_enc', 'W_dec', 'b_dec'].map((n) => tensor(w, n));
      const threshold = dir === layouts.saelensJumpTranscoder ? tensor(w, 'threshold') : null;
      const wSkip = dir === layouts.saelensSkipTranscoder ? tensor(w, 'W_skip') : null; // [d_out, d_in]
      const d = 64;
      const acts = new Float32Array(12 * D_SAE);
      const out = new Float32Array(12 * d);
      for (let t = 0; t < 12; t++) {
        for (let j = 0; j < D_SAE; j++) {
          let pre = bEnc[j];
          for (let i = 0; i < d; i++) pre += x[t * d + i] * wEnc[i * D_SAE + j];
          acts[t * D_SAE + j] = pre > (threshold ? threshold[j] : 0) ? pre : 0;
        }
        for (let o = 0; o < d; o++) {
          let y = bDec[o];
          for (let j = 0; j < D_SAE; j++) y += acts[t * D_SAE + j] * wDec[j * d + o];
          if (wSkip) for (let i = 0; i < d; i++) y += x[t * d + i] * wSkip[o * d + i];
          out[t * d + o] = y;
        }
      }
      const graph = await graphForward(sae, x, 12);
      expect(relativeError(graph.acts, acts)).toBeLessThan(1e-5);
      expect(relativeError(graph.out, out)).toBeLessThan(1e-5);
    }
  });

  it('reads a sparsify transcode folder (layers.0.mlp) with W_skip: no b_dec subtraction, TopK, skip on the raw input', async () => {
    const x = (await activations([IN])).get(IN)!;
    const sae = loadSae(layouts.sparsifyTranscoder);
    expect([sae.hookName, sae.outputHookName, sae.activation]).toEqual([IN, OUT, { kind: 'topk', k: 4 }]);
    const w = join(layouts.sparsifyTranscoder, 'sae.safetensors');
    const [enc, bEnc, wDec, bDec, wSkip] = ['encoder.weight', 'encoder.bias', 'W_dec', 'b_dec', 'W_skip'].map((n) => tensor(w, n));
    const d = 64;
    const out = new Float32Array(12 * d);
    for (let t = 0; t < 12; t++) {
      const pre = Array.from({ length: D_SAE }, (_, j) =>
        Math.max(0, bEnc[j] + Array.from({ length: d }, (_, i) => x[t * d + i] * enc[j * d + i]).reduce((a, b) => a + b, 0)),
      );
      const kept = pre
        .map((v, j) => [v, j])
        .sort((a, b) => b[0] - a[0])
        .slice(0, 4);
      for (let o = 0; o < d; o++) {
        let y = bDec[o];
        for (const [v, j] of kept) y += v * wDec[j * d + o];
        for (let i = 0; i < d; i++) y += x[t * d + i] * wSkip[o * d + i];
        out[t * d + o] = y;
      }
    }
    expect(relativeError((await graphForward(sae, x, 12)).out, out)).toBeLessThan(1e-5);
  });

  it('refuses a transcoder without hook_name_out, with d_out ≠ d_in, or onto a hook the model lacks', async () => {
    const cfgPath = join(layouts.saelensTranscoder, 'cfg.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    const variant = (name: string, over: Record<string, unknown>) => {
      const dir = join(tmp.path, 'bad-transcoders', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ ...cfg, ...over }));
      copyFileSync(join(layouts.saelensTranscoder, 'sae_weights.safetensors'), join(dir, 'sae_weights.safetensors'));
      return dir;
    };
    expect(() => loadSae(variant('no-out', { hook_name_out: undefined }))).toThrow(
      /"hook_name_out" is missing; expected the hook a transcoder's output predicts/,
    );
    expect(() => loadSae(variant('d-out', { d_out: 32 }))).toThrow(/"d_out" is 32 but "d_in" is 64/);
    const ws = openWorkspace(join(tmp.path, 'ws-bad-hook'));
    try {
      const m = await registerModel(ws, MODEL);
      expect(() => registerSae(ws, variant('hook', { hook_name_out: 'blocks.7.hook_mlp_out' }), m.id)).toThrow(/blocks\.7\.hook_mlp_out/);
    } finally {
      ws.close();
    }
  });
});

describe('Gemma Scope params.npz', () => {
  it('outside the hub layout, indexing asks for the hook, and loupe index --hook gives it', async () => {
    const dir = join(tmp.path, 'downloads', 'layer_1', 'width_16k', 'average_l0_9');
    const t = (shape: number[], seed: number) => ({
      shape,
      data: randomUniform(
        shape.reduce((a, b) => a * b, 1),
        seed,
        0.3,
      ).map(Math.abs),
    });
    writeNpz(join(dir, 'params.npz'), {
      W_enc: t([64, 8], 1),
      W_dec: t([8, 64], 2),
      b_enc: t([8], 3),
      b_dec: t([64], 4),
      threshold: t([8], 5),
    });
    const workspace = join(tmp.path, 'ws-gemma-hook');
    const args = [
      'index',
      '--workspace',
      workspace,
      '--model',
      MODEL,
      '--sae',
      dir,
      '--corpus',
      'brown:ca01',
      '--tokens',
      '64',
      '--context',
      '32',
    ];
    const without = await loupe(...args);
    expect(without.code).not.toBe(0);
    expect(without.err).toMatch(
      /names no hook and none was given: register it again with the hook it reads \(saes\.add hook, loupe index --hook\)/,
    );
    const given = await loupe(...args, '--hook', 'blocks.1.hook_resid_post');
    expect(given.err).toMatch(/SAE average_l0_9 \(updated\)/);
    expect(given.code).toBe(0);
    expect(JSON.parse(given.out).tokens).toBe(64);
  });

  it('takes the hook from the hub layout: -res reads hook_resid_post, -transcoders maps ln2.hook_normalized to hook_mlp_out', () => {
    const res = loadSae(join(layouts.gemmaScope, 'params.npz'));
    expect([res.hookName, res.outputHookName, res.modelName, res.activation.kind]).toEqual([
      'blocks.0.hook_resid_post',
      undefined,
      'gemma-2-2b',
      'jumprelu',
    ]);
    const tc = loadSae(layouts.gemmaScopeTranscoder);
    expect([tc.hookName, tc.outputHookName]).toEqual(['blocks.0.ln2.hook_normalized', 'blocks.0.hook_mlp_out']);
  });

  it('outside the hub layout, names no hook and says how to give one; a missing threshold or a transposed W_dec is refused', () => {
    const dir = join(tmp.path, 'my-saes', 'layer_0', 'width_16k', 'average_l0_5');
    const t = (shape: number[]) => ({
      shape,
      data: randomUniform(
        shape.reduce((a, b) => a * b, 1),
        9,
        0.1,
      ).map(Math.abs),
    });
    writeNpz(join(dir, 'params.npz'), { W_enc: t([64, 8]), W_dec: t([8, 64]), b_enc: t([8]), b_dec: t([64]), threshold: t([8]) });
    const sae = loadSae(dir);
    expect(sae.hookName).toBeNull();
    expect(() => evalHook(sae)).toThrow(/names no hook \(hook_name\); say which model hook it reads \(--hook\)/);
    const [item] = discover(dir);
    expect([item.format, item.hookName, item.dIn, item.dSae]).toEqual(['gemma-scope', undefined, 64, 8]);
    writeNpz(join(dir, 'params.npz'), { W_enc: t([64, 8]), W_dec: t([8, 64]), b_enc: t([8]), b_dec: t([64]) });
    expect(() => loadSae(dir)).toThrow(/params\.npz: missing tensor "threshold"; the file has W_enc, W_dec, b_enc, b_dec/);
    writeNpz(join(dir, 'params.npz'), { W_enc: t([64, 8]), W_dec: t([64, 8]), b_enc: t([8]), b_dec: t([64]), threshold: t([8]) });
    expect(() => loadSae(dir)).toThrow(/W_dec is \[64, 8\], expected \[d_sae, d_in\] = \[8, 64\]/);
    rmSync(dir, { recursive: true });
  });
});
