import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover } from '../../../native/formats/discovery.js';
import type { DiscoveredItem } from '../../../native/formats/discovery.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { FIXTURES, gemmaScopeNpz, writeSparsifyWeights, writeTree } from './layouts.js';

const root = mkdtempSync(join(tmpdir(), 'loupe-discover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const saelensCfg = (hook: string) =>
  JSON.stringify({ architecture: 'jumprelu', d_in: 64, d_sae: 512, hook_name: hook, model_name: 'gpt2-tiny' });

beforeAll(() => {
  writeTree(root, {
    'gpt2/config.json': { copy: `${FIXTURES}/gpt2-tiny/config.json` },
    'gpt2/model.safetensors': { copy: `${FIXTURES}/gpt2-tiny/model.safetensors` },
    'gpt2/vocab.json': '{}',
    'gpt2/merges.txt': '#version: 0.2\n',
    'tl/config.json': { copy: `${FIXTURES}/tl-tiny/config.json` },
    'tl/model_final.pth': { copy: `${FIXTURES}/tl-tiny/model_final.pth` },
    // A SAELens repo keeps one SAE per hook in its own folder.
    'saelens-repo/blocks.0.hook_resid_pre/cfg.json': saelensCfg('blocks.0.hook_resid_pre'),
    'saelens-repo/blocks.0.hook_resid_pre/sae_weights.safetensors': { copy: `${FIXTURES}/saes/saelens-relu/sae_weights.safetensors` },
    'saelens-repo/blocks.10.hook_resid_pre/cfg.json': saelensCfg('blocks.10.hook_resid_pre'),
    'saelens-repo/blocks.10.hook_resid_pre/sae_weights.safetensors': { copy: `${FIXTURES}/saes/saelens-relu/sae_weights.safetensors` },
    'saelens-repo/blocks.2.hook_resid_pre/cfg.json': saelensCfg('blocks.2.hook_resid_pre'),
    'saelens-repo/blocks.2.hook_resid_pre/sae_weights.safetensors': { copy: `${FIXTURES}/saes/saelens-relu/sae_weights.safetensors` },
    'saelens-v6/cfg.json': JSON.stringify({
      architecture: 'topk',
      d_in: 64,
      d_sae: 1024,
      k: 8,
      metadata: { hook_name: 'blocks.1.hook_resid_pre', model_name: 'm' },
    }),
    'saelens-v6/sae_weights.safetensors': { copy: `${FIXTURES}/saes/saelens-topk/sae_weights.safetensors` },
    // SAELens before 1.0 named the hook "hook_point" (and its layer "hook_point_layer").
    'saelens-hook-point/cfg.json': JSON.stringify({
      d_in: 64,
      d_sae: 512,
      hook_point: 'blocks.1.hook_resid_pre',
      hook_point_layer: 1,
      hook_point_head_index: null,
      model_name: 'gpt2-tiny',
      activation_fn_str: 'relu',
    }),
    'saelens-hook-point/sae_weights.safetensors': { copy: `${FIXTURES}/saes/saelens-relu/sae_weights.safetensors` },
    'openai/layer_1.pt': { copy: `${FIXTURES}/saes/openai-topk/layer_1.pt` },
    'openai/NOTE.json': { copy: `${FIXTURES}/saes/openai-topk/NOTE.json` },
    'openai-release/resid_delta_mlp_v5_32k/autoencoders/6.pt': { copy: `${FIXTURES}/saes/openai-topk/layer_1.pt` },
    'dictionary/resid_out_layer3/10_32768/ae.pt': { copy: `${FIXTURES}/saes/openai-topk/layer_1.pt` },
    'dictionary/resid_out_layer3/10_32768/config.json': JSON.stringify({
      trainer: {
        dict_class: 'AutoEncoderTopK',
        activation_dim: 512,
        dict_size: 32768,
        k: 64,
        lm_name: 'EleutherAI/pythia-70m-deduped',
        submodule_name: 'resid_post_layer_3',
      },
      buffer: { d_submodule: 512 },
    }),
    'gemma-scope-2b-pt-mlp/layer_5/width_16k/average_l0_40/params.npz': gemmaScopeNpz(24, 96),
    'gemma-compressed/gemma-scope-9b-it-res/layer_7/width_1k/params.npz': gemmaScopeNpz(8, 32, true),
    'broken/cfg.json': '{"d_in": 64,',
    'broken/sae_weights.safetensors': { copy: `${FIXTURES}/saes/saelens-relu/sae_weights.safetensors` },
    'plain-checkpoint/model_final.pth': { copy: `${FIXTURES}/tl-tiny/model_final.pth` },
    'deep/a/b/c/d/e/cfg.json': saelensCfg('blocks.0.hook_resid_pre'),
    'deep/a/b/c/d/e/sae_weights.safetensors': { copy: `${FIXTURES}/saes/saelens-relu/sae_weights.safetensors` },
    '.hidden/cfg.json': saelensCfg('blocks.0.hook_resid_pre'),
    '.hidden/sae_weights.safetensors': { copy: `${FIXTURES}/saes/saelens-relu/sae_weights.safetensors` },
  });
  writeSparsifyWeights(join(root, 'sparsify/layers.3/sae.safetensors'), 16, 64);
  writeTree(root, { 'sparsify/layers.3/cfg.json': JSON.stringify({ expansion_factor: 4, normalize_decoder: true, num_latents: 0, k: 8 }) });
  writeSparsifyWeights(join(root, 'sparsify/layers.3.mlp/sae.safetensors'), 16, 32);
  writeTree(root, { 'sparsify/layers.3.mlp/cfg.json': JSON.stringify({ d_in: 16, num_latents: 32, k: 4 }) });
});

const at = (rel: string) => join(root, rel);
const only = (items: DiscoveredItem[]) => {
  expect(items).toHaveLength(1);
  return items[0];
};

describe('discover', () => {
  it('finds a Hugging Face GPT-2 folder and its GPT-2 vocab files', () => {
    expect(discover(at('gpt2'))).toEqual([
      {
        kind: 'model',
        format: 'hf-gpt2',
        path: at('gpt2'),
        weights: 'model.safetensors',
        dModel: 64,
        nLayers: 2,
        architecture: 'GPT2LMHeadModel',
      },
      { kind: 'tokenizer', format: 'gpt2-vocab', path: at('gpt2') },
    ]);
  });

  it('finds a TransformerLens state dict folder by its config naming', () => {
    expect(only(discover(at('tl')))).toEqual({
      kind: 'model',
      format: 'transformerlens',
      path: at('tl'),
      weights: 'model_final.pth',
      dModel: 32,
      nLayers: 1,
      modelName: 'tl-tiny',
    });
  });

  it('lists a SAELens repo one SAE per hook folder, in numeric order', () => {
    const items = discover(at('saelens-repo'));
    expect(items.map((i) => i.hookName)).toEqual(['blocks.0.hook_resid_pre', 'blocks.2.hook_resid_pre', 'blocks.10.hook_resid_pre']);
    expect(items[0]).toEqual({
      kind: 'sae',
      format: 'saelens',
      path: at('saelens-repo/blocks.0.hook_resid_pre'),
      dIn: 64,
      dSae: 512,
      hookName: 'blocks.0.hook_resid_pre',
      modelName: 'gpt2-tiny',
      architecture: 'jumprelu',
    });
  });

  it('reads SAELens v6 configs, which keep the hook under metadata and k at the top', () => {
    expect(only(discover(at('saelens-v6')))).toMatchObject({
      format: 'saelens',
      hookName: 'blocks.1.hook_resid_pre',
      modelName: 'm',
      k: 8,
      architecture: 'topk',
      dSae: 1024,
    });
  });

  it('reads a SAELens config that names its hook only as hook_point, as the loader does', () => {
    const item = only(discover(at('saelens-hook-point')));
    expect(item).toEqual({
      kind: 'sae',
      format: 'saelens',
      path: at('saelens-hook-point'),
      dIn: 64,
      dSae: 512,
      hookName: 'blocks.1.hook_resid_pre',
      modelName: 'gpt2-tiny',
      architecture: 'standard',
    });
    expect(loadSae(item.path).hookName).toBe(item.hookName);
  });

  it('finds sparsify SAEs, naming the hook from the folder and d_in from the header when cfg.json lacks it', () => {
    const [resid, mlp] = discover(at('sparsify'));
    expect(resid).toEqual({
      kind: 'sae',
      format: 'sparsify',
      path: at('sparsify/layers.3'),
      dIn: 16,
      dSae: 64,
      k: 8,
      architecture: 'topk',
      hookpoint: 'layers.3',
      hookName: 'blocks.3.hook_resid_post',
    });
    expect(mlp).toMatchObject({ dIn: 16, dSae: 32, k: 4, hookpoint: 'layers.3.mlp', hookName: 'blocks.3.hook_mlp_out' });
  });

  it('recognises an openai .pt by its tensor names, with k and hook from the NOTE.json sidecar', () => {
    expect(only(discover(at('openai')))).toEqual({
      kind: 'sae',
      format: 'openai',
      path: at('openai/layer_1.pt'),
      dIn: 64,
      dSae: 768,
      k: 6,
      architecture: 'topk',
      hookName: 'blocks.1.hook_resid_pre',
    });
  });

  it("names an openai SAE's hook from the release folder and file name when there is no sidecar", () => {
    expect(only(discover(at('openai-release')))).toMatchObject({
      format: 'openai',
      hookName: 'blocks.6.hook_mlp_out',
      dSae: 768,
      k: undefined,
    });
  });

  it('finds a dictionary_learning ae.pt through its config.json trainer block', () => {
    expect(only(discover(at('dictionary')))).toEqual({
      kind: 'sae',
      format: 'dictionary-learning',
      path: at('dictionary/resid_out_layer3/10_32768'),
      dIn: 512,
      dSae: 32768,
      k: 64,
      modelName: 'EleutherAI/pythia-70m-deduped',
      architecture: 'topk',
      hookpoint: 'resid_post_layer_3',
      hookName: 'blocks.3.hook_resid_post',
    });
  });

  it('finds Gemma Scope params.npz three folders deep, widths from the .npy headers, hook from the path', () => {
    expect(only(discover(at('gemma-scope-2b-pt-mlp')))).toEqual({
      kind: 'sae',
      format: 'gemma-scope',
      path: at('gemma-scope-2b-pt-mlp/layer_5/width_16k/average_l0_40'),
      architecture: 'jumprelu',
      hookName: 'blocks.5.hook_mlp_out',
      dIn: 24,
      dSae: 96,
    });
    expect(only(discover(at('gemma-compressed')))).toMatchObject({ dIn: 8, dSae: 32, hookName: 'blocks.7.hook_resid_post' });
  });

  it('reports a broken cfg.json on the item instead of failing the scan', () => {
    const item = only(discover(at('broken')));
    expect(item).toMatchObject({ kind: 'sae', format: 'saelens', path: at('broken') });
    expect(item.problem).toMatch(/broken\/cfg\.json: not readable JSON/);
  });

  it('does not call a checkpoint without SAE tensor names an SAE', () => {
    expect(discover(at('plain-checkpoint'))).toEqual([]);
  });

  it('stops at maxDepth and skips hidden folders', () => {
    expect(discover(at('deep'))).toEqual([]);
    expect(discover(at('deep'), { maxDepth: 5 })).toHaveLength(1);
    expect(discover(root).some((i) => i.path.includes('.hidden'))).toBe(false);
  });

  it('given a file, lists what its folder holds', () => {
    expect(only(discover(at('openai/layer_1.pt'))).format).toBe('openai');
    expect(discover(at('tl/config.json')).map((i) => i.format)).toEqual(['transformerlens']);
  });

  it('says when the path does not exist', () => {
    expect(() => discover(at('nowhere'))).toThrow(/nowhere: no such file or folder/);
  });

  it('finds the fixtures folder contents', () => {
    const formats = discover(FIXTURES).map((i) => `${i.kind}:${i.format}`);
    expect(formats).toEqual([
      'model:hf-gpt2',
      'model:transformerlens',
      // The families of fixtures/families (issue 13's models): discovery tells what each folder is, with its tokenizer.
      'model:hf-gemma2',
      'tokenizer:tokenizer-json',
      'model:hf-gemma3_text',
      'tokenizer:tokenizer-json',
      'model:hf-gpt_neox',
      'tokenizer:tokenizer-json',
      'model:hf-llama',
      'tokenizer:tokenizer-json',
      'model:hf-mistral',
      'tokenizer:tokenizer-json',
      'model:hf-qwen2',
      'tokenizer:tokenizer-json',
      'model:hf-qwen3',
      'tokenizer:tokenizer-json',
      'sae:openai',
      'sae:saelens',
      'sae:saelens',
    ]);
  });
});
