import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors } from '../../../native/formats/safetensors.js';
import type { HostTensor } from '../../../native/formats/tensor.js';
import { parseModelConfig } from '../../../native/models/config.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import { modelFiles } from '../../../native/models/model-files.js';
import { FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { relativeError } from '../../helpers/numeric.js';

const dirOf = (family: string) => join(FIXTURES, 'families', `${family}-tiny`);
const configOf = (family: string) => JSON.parse(readFileSync(join(dirOf(family), 'config.json'), 'utf8')) as Record<string, unknown>;
const scratch = tempDir('families-config');
afterAll(() => scratch.cleanup());

/** Everything but the spelling-only fields. */
const parsed = (json: Record<string, unknown>) => {
  const { dtype: _dtype, ...rest } = parseModelConfig(json, 'config.json');
  return rest;
};

function without(json: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out = { ...json };
  for (const k of keys) delete out[k];
  return out;
}

function readAll(path: string): Record<string, HostTensor> {
  const f = openSafetensors(path);
  const all = Object.fromEntries([...f.entries.keys()].map((name) => [name, f.read(name)]));
  f.close();
  return all;
}

async function logitsError(dir: string, family: string): Promise<number> {
  const refs = openSafetensors(join(dirOf(family), 'refs.safetensors'));
  const ids = refs.read('input_ids');
  const ref = refs.readFloat32('logits').data;
  refs.close();
  const { outputs } = await runForward(
    loadTransformer(dir).weights,
    { dims: ids.shape, data: ids.data as BigInt64Array },
    { hooks: [], logits: true },
  );
  return relativeError(outputs.get('logits')!.data, ref);
}

describe('Hugging Face configs of the families', () => {
  it('read each family: grouped-query heads, head_dim, rotary, norms, soft-caps, windows, tied embeddings', () => {
    expect(parseModelConfig(configOf('llama'), 'c.json')).toMatchObject({
      family: 'llama',
      nHeads: 4,
      nKvHeads: 2,
      dHead: 16,
      normalization: 'RMS',
      actFn: 'silu',
      gatedMlp: true,
      tiedEmbeddings: false,
      dtype: 'bfloat16',
      bosTokenId: 1,
      rotary: {
        dim: 16,
        global: { theta: 500000, scaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 } },
      },
    });
    expect(parseModelConfig(configOf('qwen3'), 'c.json')).toMatchObject({ family: 'qwen3', dHead: 32, qkNorm: true, tiedEmbeddings: true });
    expect(parseModelConfig(configOf('qwen3'), 'c.json').layerTypes).toBeUndefined();
    expect(parseModelConfig(configOf('mistral'), 'c.json')).toMatchObject({
      family: 'mistral',
      layerTypes: ['sliding', 'sliding'],
      slidingWindow: 8,
    });
    expect(parseModelConfig(configOf('gemma2'), 'c.json')).toMatchObject({
      family: 'gemma2',
      dHead: 24,
      actFn: 'gelu_new',
      postNorms: true,
      embedScale: 8,
      attnScale: 1 / Math.sqrt(24),
      attnSoftcap: 50,
      finalSoftcap: 30,
      layerTypes: ['sliding', 'full'],
    });
    expect(parseModelConfig(configOf('gemma3'), 'c.json')).toMatchObject({
      family: 'gemma3',
      qkNorm: true,
      rotary: { dim: 24, global: { theta: 1e6 }, local: { theta: 1e4 } },
      layerTypes: ['sliding', 'full'],
    });
    expect(parseModelConfig(configOf('gpt_neox'), 'c.json')).toMatchObject({
      family: 'gpt_neox',
      normalization: 'LN',
      parallelAttnMlp: true,
      rotary: { dim: 4 },
      tiedEmbeddings: false,
      dtype: 'float16',
    });
  });

  it('read the transformers 4.x and 5.x spellings of one model alike', () => {
    // Mistral: rope_parameters + dtype (5.x) against rope_theta + torch_dtype (4.x)
    const mistral = configOf('mistral');
    expect(parsed({ ...without(mistral, 'rope_parameters', 'dtype'), rope_theta: 10000, torch_dtype: 'float32' })).toEqual(parsed(mistral));
    // Llama: rope_scaling (4.x) against rope_parameters holding the theta and the llama3 scaling (5.x)
    const llama = configOf('llama');
    const scaling = llama.rope_scaling as Record<string, unknown>;
    expect(parsed({ ...without(llama, 'rope_scaling', 'rope_theta'), rope_parameters: { ...scaling, rope_theta: 500000 } })).toEqual(
      parsed(llama),
    );
    // Gemma 3: rope_parameters per layer type (5.x) against rope_theta + rope_local_base_freq and a sliding-window pattern (4.x)
    const gemma3 = configOf('gemma3');
    const legacy = {
      ...without(gemma3, 'rope_parameters', 'layer_types', '_sliding_window_pattern'),
      rope_theta: 1e6,
      rope_local_base_freq: 1e4,
      rope_scaling: null,
      sliding_window_pattern: 2,
    };
    expect(parsed(legacy)).toEqual(parsed(gemma3));
    // GPT-NeoX: rotary_pct + rotary_emb_base (4.x) against rope_parameters with partial_rotary_factor (5.x)
    const neox = configOf('gpt_neox');
    expect(
      parsed({
        ...without(neox, 'rotary_pct', 'rotary_emb_base'),
        rope_parameters: { rope_theta: 10000, rope_type: 'default', partial_rotary_factor: 0.25 },
      }),
    ).toEqual(parsed(neox));
  });

  it('names the key when a config asks for something these graphs do not compute', () => {
    const llama = configOf('llama');
    expect(() => parseModelConfig({ ...llama, rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'c.json')).toThrow(
      /c\.json: rope_scaling\.rope_type "yarn" is not supported: expected one of default, linear, llama3/,
    );
    expect(() => parseModelConfig({ ...llama, quantization_config: { quant_method: 'awq' } }, 'c.json')).toThrow(
      /quantization_config: quantized checkpoints are not supported/,
    );
    expect(() => parseModelConfig({ ...llama, hidden_act: 'quick_gelu' }, 'c.json')).toThrow(
      /hidden_act "quick_gelu" is not supported: expected one of silu/,
    );
    expect(() => parseModelConfig({ ...configOf('qwen2'), layer_types: ['full_attention', 'chunked_attention'] }, 'c.json')).toThrow(
      /layer_types\[1\] "chunked_attention" is not supported/,
    );
    expect(() => parseModelConfig({ ...configOf('mistral'), num_local_experts: 8 }, 'c.json')).toThrow(
      /num_local_experts: mixture-of-experts models are not supported/,
    );
    expect(() => parseModelConfig({ ...configOf('qwen3'), num_key_value_heads: 3 }, 'c.json')).toThrow(
      /num_attention_heads 4 is not a multiple of num_key_value_heads 3/,
    );
  });
});

describe('Hugging Face checkpoints as the hub ships them', () => {
  it('reads a sharded checkpoint (model.safetensors.index.json + shards) to the same logits', async () => {
    const dir = join(scratch.path, 'llama-sharded');
    mkdirSync(dir);
    copyFileSync(join(dirOf('llama'), 'config.json'), join(dir, 'config.json'));
    const all = readAll(join(dirOf('llama'), 'model.safetensors'));
    const names = Object.keys(all).sort();
    const shardOf = (name: string) =>
      name.includes('layers.1.') || name === 'lm_head.weight' ? 'model-00002-of-00002.safetensors' : 'model-00001-of-00002.safetensors';
    for (const shard of new Set(names.map(shardOf)))
      writeSafetensors(join(dir, shard), Object.fromEntries(names.filter((n) => shardOf(n) === shard).map((n) => [n, all[n]])));
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: Object.fromEntries(names.map((n) => [n, shardOf(n)])) }),
    );
    expect(modelFiles(dir).weights.map((p) => p.slice(dir.length + 1))).toEqual([
      'model.safetensors.index.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
    expect(await logitsError(dir, 'llama')).toBeLessThan(1e-4);
  });

  it("reads a multimodal Gemma 3 checkpoint's language model (text_config, model.language_model. prefix)", async () => {
    const dir = join(scratch.path, 'gemma3-multimodal');
    mkdirSync(dir);
    const text = configOf('gemma3');
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        model_type: 'gemma3',
        architectures: ['Gemma3ForConditionalGeneration'],
        text_config: text,
        vision_config: { model_type: 'siglip_vision_model' },
      }),
    );
    const all = readAll(join(dirOf('gemma3'), 'model.safetensors'));
    writeSafetensors(
      join(dir, 'model.safetensors'),
      Object.fromEntries(Object.entries(all).map(([n, t]) => [n.replace(/^model\./, 'model.language_model.'), t])),
    );
    expect(await logitsError(dir, 'gemma3')).toBeLessThan(1e-4);
  });

  it('refuses an untied model without its unembedding, naming the tensor', () => {
    const dir = join(scratch.path, 'qwen2-untied');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...configOf('qwen2'), tie_word_embeddings: false }));
    copyFileSync(join(dirOf('qwen2'), 'model.safetensors'), join(dir, 'model.safetensors'));
    expect(() => loadTransformer(dir)).toThrow(/missing tensor "lm_head\.weight": tie_word_embeddings is false/);
  });
});
