import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { parseModelConfig } from '../../../native/models/config.js';
import { buildForwardGraph } from '../../../native/models/forward-graph.js';
import { ForwardInputError, prepareForward, runForward } from '../../../native/models/forward.js';
import { LAYER_POINTS, MODEL_POINTS, hookLayer, hookName, modelHooks, parseHookName, resolveHooks } from '../../../native/models/hooks.js';
import { loadTransformer } from '../../../native/models/load.js';
import { GPT2_SMALL, randomTransformer } from '../../../native/models/random.js';
import { relativeError } from '../../helpers/numeric.js';
import { SHARED } from '../../helpers/shared.js';

const FIXTURES = `${SHARED}/fixtures`;

/** A serialized model's initializer names, node op types and output names. */
function decode(bytes: Uint8Array): { initializers: string[]; ops: string[]; outputs: string[] } {
  const graph = onnxProto.onnx.ModelProto.decode(bytes).graph as onnxProto.onnx.GraphProto;
  return {
    initializers: graph.initializer.map((t) => String(t.name)),
    ops: graph.node.map((n) => String(n.opType)),
    outputs: graph.output.map((o) => String(o.name)),
  };
}
const readConfig = (dir: string) => JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')) as Record<string, unknown>;

describe('model configs in either naming', () => {
  it('reads a Hugging Face GPT-2 config.json', () => {
    expect(parseModelConfig(readConfig(`${FIXTURES}/gpt2-tiny`), 'config.json')).toEqual({
      family: 'gpt2',
      nLayers: 2,
      dModel: 64,
      nHeads: 4,
      dHead: 16,
      dMlp: 256,
      dVocab: 97,
      nCtx: 32,
      actFn: 'gelu_new',
      normalization: 'LN',
      lnEps: 1e-5,
      attnOnly: false,
    });
  });

  it('reads a TransformerLens config.json', () => {
    expect(parseModelConfig(readConfig(`${FIXTURES}/tl-tiny`), 'config.json')).toMatchObject({
      family: 'transformerlens',
      nLayers: 1,
      dModel: 32,
      nHeads: 4,
      dHead: 8,
      dMlp: 128,
      dVocab: 89,
      nCtx: 24,
      actFn: 'gelu',
    });
  });

  it('names the key and the allowed values when a config cannot be run', () => {
    const gpt2 = readConfig(`${FIXTURES}/gpt2-tiny`);
    const tl = readConfig(`${FIXTURES}/tl-tiny`);
    expect(() => parseModelConfig({ ...gpt2, activation_function: 'swish' }, 'c.json')).toThrow(
      /c\.json: activation_function "swish" is not supported: expected one of gelu_new/,
    );
    expect(() => parseModelConfig({ ...gpt2, n_layer: 0 }, 'c.json')).toThrow(/n_layer must be a positive integer, got 0/);
    expect(() => parseModelConfig({ ...tl, act_fn: 'silu' }, 'c.json')).toThrow(
      /act_fn "silu" is not supported: expected one of gelu, gelu_new, relu, solu_ln/,
    );
    expect(() => parseModelConfig({ ...tl, positional_embedding_type: 'rotary' }, 'c.json')).toThrow(/positional_embedding_type "rotary"/);
    expect(() => parseModelConfig({ ...tl, normalization_type: 'RMS' }, 'c.json')).toThrow(/normalization_type "RMS" is not supported/);
    expect(() => parseModelConfig({ model_type: 'llama' }, 'c.json')).toThrow(
      /c\.json: hidden_size must be a positive integer, got nothing/,
    );
    expect(() => parseModelConfig({ model_type: 'mixtral', architectures: ['MixtralForCausalLM'] }, 'c.json')).toThrow(
      /model_type "mixtral" \(MixtralForCausalLM\) is not supported: expected one of gpt2, llama, mistral, qwen2, qwen3, gemma2, gemma3_text, gemma3, gpt_neox/,
    );
  });
});

describe('hook names', () => {
  it('are spelled by one helper from typed parts', () => {
    expect(hookName({ layer: 3, point: 'hook_resid_post' })).toBe('blocks.3.hook_resid_post');
    expect(hookName({ layer: 0, point: 'mlp.hook_post' })).toBe('blocks.0.mlp.hook_post');
    expect(hookName({ point: 'ln_final.hook_normalized' })).toBe('ln_final.hook_normalized');
  });

  it("list a GPT-2's hooks in forward order, with no SoLU hook_mid and no gated hook_pre_linear", () => {
    const names = modelHooks(loadTransformer(`${FIXTURES}/gpt2-tiny`).weights.config).map(hookName);
    expect(names.slice(0, 5)).toEqual([
      'hook_embed',
      'hook_pos_embed',
      'blocks.0.hook_resid_pre',
      'blocks.0.ln1.hook_normalized',
      'blocks.0.attn.hook_q',
    ]);
    expect(names.at(-1)).toBe('ln_final.hook_normalized');
    expect(names).toHaveLength(2 + 2 * 14 + 1);
    expect(names).not.toContain('blocks.0.mlp.hook_mid');
    expect(names).not.toContain('blocks.0.mlp.hook_pre_linear');
  });

  it('resolve to typed references, and an unknown one is refused with the valid ones listed', () => {
    const config = loadTransformer(`${FIXTURES}/tl-tiny`).weights.config;
    expect(resolveHooks(config, ['blocks.0.hook_mlp_out'])).toEqual([{ layer: 0, point: 'hook_mlp_out' }]);
    expect(() => resolveHooks(config, ['blocks.0.resid_post'])).toThrow(
      'unknown hook "blocks.0.resid_post" for this model: expected one of hook_embed, hook_pos_embed, ln_final.hook_normalized, or blocks.L.P with L in 0 and P one of hook_resid_pre,',
    );
  });

  it('parse back from names alone (an SAE file without its model), and only names hookName can spell', () => {
    for (const layer of [0, 7, 31])
      for (const point of LAYER_POINTS) expect(parseHookName(hookName({ layer, point }))).toEqual({ layer, point });
    for (const point of MODEL_POINTS) expect(parseHookName(point)).toEqual({ point });
    for (const bad of [
      'blocks.0.resid_post',
      'blocks.01.hook_resid_pre',
      'blocks.-1.hook_resid_pre',
      'blocks.3',
      'hook_resid_pre',
      'x.blocks.3.hook_resid_pre',
    ])
      expect(parseHookName(bad)).toBeNull();
  });

  it('hookLayer reads the block of any TransformerLens name, null for model-wide points, and refuses a name with none', () => {
    for (const layer of [0, 7, 31]) for (const point of LAYER_POINTS) expect(hookLayer(hookName({ layer, point }))).toBe(layer);
    for (const point of MODEL_POINTS) expect(hookLayer(point)).toBeNull();
    expect([
      hookLayer('blocks.3.attn.hook_attn_scores'),
      hookLayer('blocks.12.attn.hook_rot_k'),
      hookLayer('blocks.0.hook_q_input'),
    ]).toEqual([3, 12, 0]);
    for (const bad of [
      'blocks.01.hook_resid_pre',
      'blocks.-1.hook_resid_pre',
      'blocks.3',
      'hook_resid_pre',
      'x.blocks.3.hook_resid_pre',
      'model.layers.3.mlp',
    ]) {
      expect(() => hookLayer(bad), bad).toThrow(`hook "${bad}" names no layer`);
    }
  });
});

describe('forward graphs', () => {
  it('stop after the deepest requested hook: no later block is built', () => {
    const { weights } = loadTransformer(`${FIXTURES}/gpt2-tiny`);
    const { initializers, ops, outputs } = decode(buildForwardGraph(weights, { hooks: ['blocks.0.hook_attn_out'] }).toBytes());
    expect(initializers).toContain('blocks.0.attn.QKV.W');
    expect(initializers.filter((n) => n.startsWith('blocks.1') || n.includes('mlp') || n.includes('ln2'))).toEqual([]);
    expect(ops).not.toContain('Gelu');
    expect(outputs).toEqual(['blocks.0.hook_attn_out']);
  });

  it('reach blocks.8.hook_resid_pre of a GPT-2-small-shaped model holding weights for 8 blocks only', () => {
    const model = randomTransformer({ ...GPT2_SMALL, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32, dVocab: 50, nCtx: 16 }, 7, 8);
    const graph = buildForwardGraph(model, { hooks: ['blocks.8.hook_resid_pre'] });
    expect(decode(graph.toBytes()).ops.filter((op) => op === 'Attention')).toHaveLength(8);
    expect(() => buildForwardGraph(model, { hooks: [], logits: true })).toThrow(/needs 12 blocks, the weights hold 8/);
  });

  it('output the embeddings and the final LayerNorm, consistent with the references', async () => {
    const { weights } = loadTransformer(`${FIXTURES}/gpt2-tiny`);
    const refs = openSafetensors(`${FIXTURES}/gpt2-tiny/refs.safetensors`);
    const ids = refs.read('input_ids');
    const hooks = ['hook_embed', 'hook_pos_embed', 'ln_final.hook_normalized'];
    const { outputs } = await runForward(weights, { dims: ids.shape, data: ids.data as BigInt64Array }, { hooks });
    const embed = outputs.get('hook_embed')!.data;
    const sum = outputs.get('hook_pos_embed')!.data.map((v, i) => v + embed[i]);
    expect(outputs.get('hook_pos_embed')!.shape).toEqual([2, 27, 64]);
    expect(relativeError(sum, refs.readFloat32('blocks.0.hook_resid_pre').data)).toBeLessThan(1e-6);
    // logits = normalized · W_Eᵀ, as the tied unembedding computes them
    const normalized = outputs.get('ln_final.hook_normalized')!.data;
    const logits = new Float32Array(2 * 27 * 97);
    for (let t = 0; t < 54; t++)
      for (let v = 0; v < 97; v++) {
        let s = 0;
        for (let d = 0; d < 64; d++) s += normalized[t * 64 + d] * weights.wE.data[v * 64 + d];
        logits[t * 97 + v] = s;
      }
    expect(relativeError(logits, refs.readFloat32('logits').data)).toBeLessThan(1e-4);
    refs.close();
  });

  it('prepared once, run batch after batch, each batch checked against the vocabulary and context', async () => {
    const { weights } = loadTransformer(`${FIXTURES}/tl-tiny`);
    const refs = openSafetensors(`${FIXTURES}/tl-tiny/refs.safetensors`);
    const ids = refs.read('input_ids');
    const forward = await prepareForward(weights, { hooks: ['blocks.0.hook_resid_post'], logits: true });
    expect(forward.outputNames).toEqual(['blocks.0.hook_resid_post', 'logits']);
    for (let batch = 0; batch < 2; batch++) {
      const row = { dims: [1, 20], data: (ids.data as BigInt64Array).slice(batch * 20, (batch + 1) * 20) };
      const { outputs } = await forward.run(row);
      const ref = refs.readFloat32('logits').data.subarray(batch * 20 * 89, (batch + 1) * 20 * 89);
      expect(relativeError(outputs.get('logits')!.data, ref)).toBeLessThan(1e-4);
    }
    await expect(forward.run({ dims: [1, 2], data: BigInt64Array.of(3n, 89n) })).rejects.toThrow(ForwardInputError);
    await expect(forward.run({ dims: [1, 25], data: new BigInt64Array(25) })).rejects.toThrow(
      /sequence length 25 exceeds the model's context of 24 tokens/,
    );
    refs.close();
  });
});
