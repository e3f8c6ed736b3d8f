import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { runForward } from '../../../native/models/forward.js';
import { modelHooks, hookName } from '../../../native/models/hooks.js';
import { loadTransformer } from '../../../native/models/load.js';
import type { Tensor32 } from '../../../native/models/weights.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { relativeError } from '../../helpers/numeric.js';
import { writeTlFromGpt2 } from './tl-from-gpt2.js';
import { SHARED } from '../../helpers/shared.js';

const REFS = `${SHARED}/fixtures/gpt2-tiny/refs.safetensors`;
const scratch = tempDir('tl-layouts');
afterAll(() => scratch.cleanup());

const refs = openSafetensors(REFS);
const inputIds = refs.read('input_ids');
const ids = { dims: inputIds.shape, data: inputIds.data as BigInt64Array };
const ref = (name: string) => refs.readFloat32(name).data;
afterAll(() => refs.close());

async function forward(overrides: Record<string, unknown>, hooks: string[]): Promise<Map<string, Tensor32>> {
  const dir = writeTlFromGpt2(join(scratch.path, JSON.stringify(overrides).replace(/\W/g, '')), overrides);
  return (await runForward(loadTransformer(dir).weights, ids, { hooks })).outputs;
}

/** Applies `f` to each row of `width` values. */
function rows(x: Float32Array, width: number, f: (row: Float32Array) => Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / width; r++) out.set(f(x.subarray(r * width, (r + 1) * width)), r * width);
  return out;
}

function layerNorm(row: Float32Array, w = 1, b = 0, eps = 1e-5): Float32Array {
  const mean = row.reduce((s, v) => s + v, 0) / row.length;
  const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
  return row.map((v) => ((v - mean) / Math.sqrt(variance + eps)) * w + b);
}

describe('TransformerLens state dicts', () => {
  it('reproduce the GPT-2 references when they hold the same weights (per-head W_Q regrouped, explicit W_U, IGNORE and mask buffers skipped)', async () => {
    const dir = writeTlFromGpt2(join(scratch.path, 'tl-gelu-new'));
    const hooks = [...refs.entries.keys()].filter((n) => n.startsWith('blocks.'));
    const out = join(scratch.path, 'tl-gelu-new.safetensors');
    const { code } = await loupe('run', '--model', dir, '--ids', REFS, '--hooks', hooks.join(','), '--logits', '--out', out);
    expect(code).toBe(0);
    const written = openSafetensors(out);
    for (const name of [...hooks, 'logits']) expect(relativeError(written.readFloat32(name).data, ref(name)), name).toBeLessThan(1e-4);
    written.close();
  });

  it('relu: mlp.hook_post is relu(mlp.hook_pre)', async () => {
    const out = await forward({ act_fn: 'relu' }, ['blocks.0.mlp.hook_pre', 'blocks.0.mlp.hook_post']);
    const pre = out.get('blocks.0.mlp.hook_pre')!.data;
    expect(
      relativeError(
        out.get('blocks.0.mlp.hook_post')!.data,
        pre.map((v) => Math.max(v, 0)),
      ),
    ).toBeLessThan(1e-6);
  });

  it("solu_ln: mlp.hook_mid is pre·softmax(pre) and mlp.hook_post its LayerNorm with the MLP's own ln weights", async () => {
    const out = await forward({ act_fn: 'solu_ln' }, ['blocks.1.mlp.hook_pre', 'blocks.1.mlp.hook_mid', 'blocks.1.mlp.hook_post']);
    const pre = out.get('blocks.1.mlp.hook_pre')!.data;
    const mid = rows(pre, 256, (row) => {
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const sum = e.reduce((s, v) => s + v, 0);
      return row.map((v, i) => (v * e[i]) / sum);
    });
    expect(relativeError(out.get('blocks.1.mlp.hook_mid')!.data, mid)).toBeLessThan(1e-5);
    expect(
      relativeError(
        out.get('blocks.1.mlp.hook_post')!.data,
        rows(mid, 256, (r) => layerNorm(r, 1.5, 0.25)),
      ),
    ).toBeLessThan(1e-5);
  });

  it('LNPre: ln1.hook_normalized is the LayerNorm of resid_pre without a learned scale or shift', async () => {
    const out = await forward({ normalization_type: 'LNPre' }, ['blocks.0.ln1.hook_normalized']);
    const expected = rows(ref('blocks.0.hook_resid_pre'), 64, (r) => layerNorm(r));
    expect(relativeError(out.get('blocks.0.ln1.hook_normalized')!.data, expected)).toBeLessThan(1e-5);
  });

  it('attention-only models have no MLP hooks, and resid_post is resid_pre + attn_out', async () => {
    const dir = writeTlFromGpt2(join(scratch.path, 'attn-only'), { attn_only: true });
    const { weights } = loadTransformer(dir);
    const names = modelHooks(weights.config).map(hookName);
    expect(names).toContain('blocks.1.hook_attn_out');
    expect(names.some((n) => n.includes('mlp') || n.includes('resid_mid') || n.includes('ln2'))).toBe(false);
    const hooks = ['blocks.0.hook_attn_out', 'blocks.1.hook_resid_pre', 'blocks.1.hook_attn_out', 'blocks.1.hook_resid_post'];
    const { outputs } = await runForward(weights, ids, { hooks, logits: true });
    // Block 0's attention sees the same input as in the full model.
    expect(relativeError(outputs.get('blocks.0.hook_attn_out')!.data, ref('blocks.0.hook_attn_out'))).toBeLessThan(1e-4);
    const pre = outputs.get('blocks.1.hook_resid_pre')!.data;
    const sum = pre.map((v, i) => v + outputs.get('blocks.1.hook_attn_out')!.data[i]);
    expect(relativeError(outputs.get('blocks.1.hook_resid_post')!.data, sum)).toBeLessThan(1e-6);
  });

  it('normalization_type null has no hook_normalized points and still runs to the logits', async () => {
    const dir = writeTlFromGpt2(join(scratch.path, 'no-ln'), { normalization_type: null });
    const { weights } = loadTransformer(dir);
    expect(
      modelHooks(weights.config)
        .map(hookName)
        .filter((n) => n.includes('normalized')),
    ).toEqual([]);
    const { outputs } = await runForward(weights, ids, { hooks: [], logits: true });
    expect(outputs.get('logits')!.shape).toEqual([2, 27, 97]);
    expect(outputs.get('logits')!.data.every(Number.isFinite)).toBe(true);
  });
});
