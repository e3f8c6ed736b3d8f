import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import type { Splice } from '../../../native/models/forward-graph.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import { FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { relativeError } from '../../helpers/numeric.js';

const FAMILIES = ['llama', 'mistral', 'qwen2', 'qwen3', 'gemma2', 'gemma3', 'gpt_neox'] as const;
const dirOf = (family: string) => join(FIXTURES, 'families', `${family}-tiny`);
const scratch = tempDir('families');
afterAll(() => scratch.cleanup());

function readRefs(family: string) {
  const refs = openSafetensors(join(dirOf(family), 'refs.safetensors'));
  const t = refs.read('input_ids');
  const hooks = [...refs.entries.keys()].filter((k) => k.startsWith('blocks.') || k.startsWith('ln_final.'));
  const tensors = new Map([...hooks, 'logits'].map((name) => [name, refs.readFloat32(name)]));
  refs.close();
  return { ids: { dims: t.shape, data: t.data as BigInt64Array }, hooks, tensors };
}

describe.each(FAMILIES)('the %s fixture', (family) => {
  const { ids, hooks, tensors } = readRefs(family);
  const [batch, seq] = ids.dims;

  it('reproduces every reference hook, attn.hook_z and the logits through `loupe run` (relative error < 1e-4)', async () => {
    expect(hooks).toContain('blocks.1.attn.hook_z');
    const out = join(scratch.path, `${family}.safetensors`);
    const { code, err } = await loupe(
      'run',
      '--model',
      dirOf(family),
      '--ids',
      join(dirOf(family), 'refs.safetensors'),
      '--hooks',
      hooks.join(','),
      '--logits',
      '--out',
      out,
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const written = openSafetensors(out);
    for (const [name, ref] of tensors) {
      const got = written.readFloat32(name);
      expect(got.shape, name).toEqual(ref.shape);
      expect(relativeError(got.data, ref.data), name).toBeLessThan(1e-4);
    }
    written.close();
  });

  it('gives hook_pattern as [batch, head, query, key]: rows sum to 1, nothing after the query or outside a sliding window, and z = pattern · v', async () => {
    const { weights } = loadTransformer(dirOf(family));
    const { config } = weights;
    const nKv = config.nKvHeads ?? config.nHeads;
    const layer = config.layerTypes?.indexOf('sliding') ?? -1;
    const l = layer >= 0 ? layer : 0;
    const at = (p: string) => `blocks.${l}.attn.${p}`;
    const { outputs } = await runForward(weights, ids, { hooks: [at('hook_pattern'), at('hook_v'), at('hook_z')] });
    const pattern = outputs.get(at('hook_pattern'))!;
    expect(pattern.shape).toEqual([batch, config.nHeads, seq, seq]);
    expect(outputs.get(at('hook_v'))!.shape).toEqual([batch, seq, nKv, config.dHead]);
    const window = layer >= 0 ? config.slidingWindow! : Infinity;
    const p = pattern.data;
    const v = outputs.get(at('hook_v'))!.data;
    const z = new Float32Array(batch * seq * config.nHeads * config.dHead);
    for (let b = 0; b < batch; b++)
      for (let h = 0; h < config.nHeads; h++)
        for (let i = 0; i < seq; i++) {
          let sum = 0;
          for (let j = 0; j < seq; j++) {
            const w = p[((b * config.nHeads + h) * seq + i) * seq + j];
            if (j > i || i - j >= window) expect(w).toBe(0);
            sum += w;
            const kvHead = Math.floor(h / (config.nHeads / nKv));
            for (let d = 0; d < config.dHead; d++)
              z[((b * seq + i) * config.nHeads + h) * config.dHead + d] += w * v[((b * seq + j) * nKv + kvHead) * config.dHead + d];
          }
          expect(sum).toBeCloseTo(1, 5);
        }
    // the plain-op attention that hook_pattern needs agrees with the reference hook_z too
    expect(relativeError(outputs.get(at('hook_z'))!.data, tensors.get(at('hook_z'))!.data)).toBeLessThan(1e-4);
    expect(relativeError(z, tensors.get(at('hook_z'))!.data)).toBeLessThan(1e-4);
  });

  it('splices at attn.hook_z and hook_attn_out: zeroed heads leave only the output bias, and downstream follows', async () => {
    const { weights } = loadTransformer(dirOf(family));
    const zero: Splice = (g, value) => g.op('Mul', [value, g.constFloat(0)]);
    const hooks = ['blocks.0.hook_attn_out', 'blocks.0.hook_resid_post', 'blocks.0.attn.hook_z'];
    const { outputs } = await runForward(weights, ids, { hooks, splices: new Map([['blocks.0.attn.hook_z', zero]]) });
    // the hook reports its value before the splice
    expect(relativeError(outputs.get('blocks.0.attn.hook_z')!.data, tensors.get('blocks.0.attn.hook_z')!.data)).toBeLessThan(1e-4);
    const bias = weights.layers[0].attn.o.b?.data;
    const attnOut = outputs.get('blocks.0.hook_attn_out')!.data;
    // Gemma's post-attention RMSNorm of a zero vector is zero too.
    for (let i = 0; i < attnOut.length; i++)
      expect(attnOut[i]).toBeCloseTo(bias && !weights.config.postNorms ? bias[i % weights.config.dModel] : 0, 6);
    expect(relativeError(outputs.get('blocks.0.hook_resid_post')!.data, tensors.get('blocks.0.hook_resid_post')!.data)).toBeGreaterThan(
      1e-3,
    );
    // A splice that keeps the value changes nothing downstream, at a hook the fused attention follows.
    const keep: Splice = (g, value) => g.op('Mul', [value, g.constFloat(1)]);
    const same = await runForward(weights, ids, {
      hooks: ['blocks.1.hook_resid_post'],
      splices: new Map([
        ['blocks.0.hook_attn_out', keep],
        ['blocks.1.attn.hook_pattern', keep],
      ]),
    });
    expect(relativeError(same.outputs.get('blocks.1.hook_resid_post')!.data, tensors.get('blocks.1.hook_resid_post')!.data)).toBeLessThan(
      1e-4,
    );
  });
});

describe('family hooks', () => {
  it('list the gated MLP points of Llama-style models and leave hook_resid_mid out of parallel GPT-NeoX blocks', async () => {
    const llama = loadTransformer(dirOf('llama')).weights;
    const { ids } = readRefs('llama');
    const { outputs } = await runForward(llama, ids, {
      hooks: [
        'blocks.0.mlp.hook_pre',
        'blocks.0.mlp.hook_pre_linear',
        'blocks.0.mlp.hook_post',
        'blocks.0.attn.hook_q',
        'blocks.0.attn.hook_k',
      ],
    });
    const pre = outputs.get('blocks.0.mlp.hook_pre')!.data;
    const lin = outputs.get('blocks.0.mlp.hook_pre_linear')!.data;
    const silu = pre.map((x, i) => (x / (1 + Math.exp(-x))) * lin[i]);
    expect(relativeError(outputs.get('blocks.0.mlp.hook_post')!.data, silu)).toBeLessThan(1e-6);
    expect(outputs.get('blocks.0.attn.hook_q')!.shape).toEqual([2, 17, 4, 16]);
    expect(outputs.get('blocks.0.attn.hook_k')!.shape).toEqual([2, 17, 2, 16]);
    const neox = loadTransformer(dirOf('gpt_neox')).weights;
    await expect(runForward(neox, ids, { hooks: ['blocks.0.hook_resid_mid'] })).rejects.toThrow(/unknown hook "blocks\.0\.hook_resid_mid"/);
    await expect(runForward(neox, ids, { hooks: ['hook_pos_embed'] })).rejects.toThrow(/unknown hook "hook_pos_embed"/);
  });
});
