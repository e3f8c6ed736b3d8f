import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import type { Splice } from '../../../native/models/forward-graph.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import { SessionCache } from '../../../native/onnx/session-cache.js';
import { relativeError } from '../../helpers/numeric.js';
import { SHARED } from '../../helpers/shared.js';

const GPT2 = `${SHARED}/fixtures/gpt2-tiny`;
const { weights } = loadTransformer(GPT2);
const refs = openSafetensors(`${GPT2}/refs.safetensors`);
const inputIds = refs.read('input_ids');
const ids = { dims: inputIds.shape, data: inputIds.data as BigInt64Array };
const ref = (name: string) => refs.readFloat32(name).data;
afterAll(() => refs.close());

const scaleBy =
  (factor: number): Splice =>
  (g, v) =>
    g.op('Mul', [v, g.constFloat(factor)]);

/** GPT-2 block 0's MLP on one [64] vector, in plain TypeScript (Conv1D weights are [in, out]). */
function gpt2Mlp(x: Float32Array): Float32Array {
  const fc = weights.layers[0].mlp!;
  const hidden = new Float64Array(256);
  for (let j = 0; j < 256; j++) {
    let s = fc.in.b!.data[j];
    for (let i = 0; i < 64; i++) s += x[i] * fc.in.w.data[i * 256 + j];
    hidden[j] = 0.5 * s * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (s + 0.044715 * s ** 3)));
  }
  const out = new Float32Array(64);
  for (let j = 0; j < 64; j++) {
    let s = fc.out.b!.data[j];
    for (let i = 0; i < 256; i++) s += hidden[i] * fc.out.w.data[i * 64 + j];
    out[j] = s;
  }
  return out;
}

describe('splices edit the graph at a hook', () => {
  it('zeroing hook_attn_out leaves that hook reporting the original and makes resid_mid equal resid_pre', async () => {
    const splices = new Map([['blocks.0.hook_attn_out', scaleBy(0)]]);
    const { outputs } = await runForward(weights, ids, { hooks: ['blocks.0.hook_attn_out', 'blocks.0.hook_resid_mid'], splices });
    expect(relativeError(outputs.get('blocks.0.hook_attn_out')!.data, ref('blocks.0.hook_attn_out'))).toBeLessThan(1e-4);
    expect(relativeError(outputs.get('blocks.0.hook_resid_mid')!.data, ref('blocks.0.hook_resid_pre'))).toBeLessThan(1e-6);
  });

  it("zeroing hook_resid_mid makes every position's resid_post the MLP of ln_2's bias (LayerNorm of zeros is its shift)", async () => {
    const splices = new Map([['blocks.0.hook_resid_mid', scaleBy(0)]]);
    const hooks = ['blocks.0.hook_resid_mid', 'blocks.0.hook_resid_post'];
    const { outputs } = await runForward(weights, ids, { hooks, logits: true, splices });
    expect(relativeError(outputs.get('blocks.0.hook_resid_mid')!.data, ref('blocks.0.hook_resid_mid'))).toBeLessThan(1e-4);
    const perPosition = gpt2Mlp(weights.layers[0].ln2!.b!.data);
    const expected = new Float32Array(2 * 27 * 64).map((_, i) => perPosition[i % 64]);
    expect(relativeError(outputs.get('blocks.0.hook_resid_post')!.data, expected)).toBeLessThan(1e-5);
    expect(relativeError(outputs.get('logits')!.data, ref('logits'))).toBeGreaterThan(0.1);
  });

  it('a splice can read a graph input, so one session serves every steering strength', async () => {
    const direction = new Float32Array(64).map((_, i) => Math.cos(i));
    const steer: Splice = (g, v) => {
      const coefficient = g.input('steer_coefficient', 'float32', []);
      const vector = g.initializer('steer_direction', { type: 'float32', dims: [64], data: direction });
      return g.op('Add', [v, g.op('Mul', [vector, coefficient])]);
    };
    const cache = new SessionCache();
    const hooks = ['blocks.1.hook_attn_out', 'blocks.1.hook_resid_mid'];
    for (const coefficient of [0, 2.5]) {
      const extraFeeds = { steer_coefficient: { type: 'float32' as const, dims: [], data: Float32Array.of(coefficient) } };
      const { outputs } = await runForward(
        weights,
        ids,
        { hooks, splices: new Map([['blocks.1.hook_attn_out', steer]]) },
        { cache, extraFeeds },
      );
      expect(relativeError(outputs.get('blocks.1.hook_attn_out')!.data, ref('blocks.1.hook_attn_out'))).toBeLessThan(1e-4);
      const expected = ref('blocks.1.hook_resid_mid').map((v, i) => v + coefficient * direction[i % 64]);
      expect(relativeError(outputs.get('blocks.1.hook_resid_mid')!.data, expected)).toBeLessThan(1e-4);
    }
    expect(cache.size).toBe(1);
  });

  it('a splice at resid_post carries into the next block, whose resid_pre reports the spliced value', async () => {
    const splices = new Map([['blocks.0.hook_resid_post', scaleBy(2)]]);
    const { outputs } = await runForward(weights, ids, { hooks: ['blocks.0.hook_resid_post', 'blocks.1.hook_resid_pre'], splices });
    expect(relativeError(outputs.get('blocks.0.hook_resid_post')!.data, ref('blocks.0.hook_resid_post'))).toBeLessThan(1e-4);
    expect(
      relativeError(
        outputs.get('blocks.1.hook_resid_pre')!.data,
        ref('blocks.1.hook_resid_pre').map((v) => 2 * v),
      ),
    ).toBeLessThan(1e-4);
  });

  it('refuses a splice at a hook the model does not have', async () => {
    await expect(
      runForward(weights, ids, { hooks: ['blocks.0.hook_resid_post'], splices: new Map([['blocks.9.hook_resid_post', scaleBy(0)]]) }),
    ).rejects.toThrow(/unknown hook "blocks\.9\.hook_resid_post"/);
  });
});
