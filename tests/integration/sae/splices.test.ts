import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import type { Splice } from '../../../native/models/forward-graph.js';
import { prepareForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import { randomUniform } from '../../../native/onnx/matmul-rate.js';
import type { Feed } from '../../../native/onnx/ort.js';
import { SessionCache } from '../../../native/onnx/session-cache.js';
import { decodeReference, encodeReference, loadSae } from '../../../native/sae/index.js';
import type { CanonicalSae } from '../../../native/sae/index.js';
import {
  ablateFeatureSplice,
  ablateFeeds,
  reconstructionSplice,
  steeringFeeds,
  steeringSplice,
  zeroSplice,
} from '../../../native/sae/splices.js';
import { relativeError } from '../../helpers/numeric.js';
import { SHARED } from '../../helpers/shared.js';

/**
 * In GPT-2, blocks.0.hook_resid_post and blocks.1.hook_resid_pre tap the same value: a splice at the
 * first shows up in the second, while the first still reports the clean value the SAE read. So every
 * splice is checked against the plain TS reference encoder/decoder applied to that clean value.
 */
const GPT2 = `${SHARED}/fixtures/gpt2-tiny`;
const SAES = `${SHARED}/fixtures/saes`;
const AT = 'blocks.0.hook_resid_post';
const NEXT = 'blocks.1.hook_resid_pre';
const D_MODEL = 64;

const { weights } = loadTransformer(GPT2);
const refs = openSafetensors(`${GPT2}/refs.safetensors`);
const inputIds = refs.read('input_ids');
const ids = { dims: inputIds.shape, data: inputIds.data as BigInt64Array };
const N = ids.data.length;
const refLogits = refs.readFloat32('logits').data;
afterAll(() => refs.close());

/** Runs the model with `splice` at AT, returning both taps and the logits. */
async function spliced(splice: Splice, feeds: Record<string, Feed> = {}) {
  const forward = await prepareForward(weights, { hooks: [AT, NEXT], logits: true, splices: new Map([[AT, splice]]) });
  const { outputs } = await forward.run(ids, feeds);
  return { at: outputs.get(AT)!.data, next: outputs.get(NEXT)!.data, logits: outputs.get('logits')!.data };
}

const add = (a: Float32Array, b: Float32Array, c: Float32Array) => a.map((v, i) => v + b[i] - c[i]);
const minus = (a: Float32Array, b: Float32Array) => a.map((v, i) => v - b[i]);

/** Dense activations with feature F set to `value` on every token. */
function withFeature(acts: Float32Array, dSae: number, feature: number, value: number): Float32Array {
  const out = acts.slice();
  for (let t = 0; t < N; t++) out[t * dSae + feature] = value;
  return out;
}

/** The feature active on the most tokens, but not on all (so ablating it changes some tokens and not others). */
function busiestFeature(acts: Float32Array, dSae: number): { feature: number; tokens: number } {
  let best = { feature: -1, tokens: 0 };
  for (let j = 0; j < dSae; j++) {
    let tokens = 0;
    for (let t = 0; t < N; t++) if (acts[t * dSae + j] > 0) tokens++;
    if (tokens > best.tokens && tokens < N) best = { feature: j, tokens };
  }
  return best;
}

function deadFeature(acts: Float32Array, dSae: number): number {
  for (let j = 0; j < dSae; j++) if (Array.from({ length: N }, (_, t) => acts[t * dSae + j]).every((v) => v === 0)) return j;
  throw new Error('every feature fires somewhere');
}

describe('the clean value is what both taps report without a splice', () => {
  it('blocks.0.hook_resid_post and blocks.1.hook_resid_pre match the fixture', async () => {
    const { at, next } = await spliced((_, v) => v);
    expect(relativeError(at, refs.readFloat32(AT).data)).toBeLessThan(1e-4);
    expect(next).toEqual(at);
  });
});

/** A synthetic TopK SAE with layer-norm and an input scale, so the edits' restore-to-input-scale path is exercised. */
function layerNormSae(): CanonicalSae {
  const dSae = 128;
  return {
    source: { path: 'synthetic layer-norm topk', format: 'loupe' },
    dIn: D_MODEL,
    dSae,
    wEnc: randomUniform(D_MODEL * dSae, 1, 0.3),
    bEnc: randomUniform(dSae, 2, 0.1),
    wDec: randomUniform(dSae * D_MODEL, 3, 0.3),
    bDec: randomUniform(D_MODEL, 4, 0.2),
    activation: { kind: 'topk', k: 6 },
    subtractDecoderBias: true,
    inputNorm: 'layer-norm',
    inputScale: 1.7,
    hookName: NEXT,
    modelName: null,
    config: {},
  };
}

const CASES: [string, () => CanonicalSae][] = [
  ['saelens-relu', () => loadSae(`${SAES}/saelens-relu`)],
  ['saelens-topk', () => loadSae(`${SAES}/saelens-topk`)],
  ['a layer-norm TopK SAE with input scale 1.7', layerNormSae],
];

for (const [name, load] of CASES) {
  describe(`SAE splices with ${name}`, () => {
    const sae = load();
    const { dSae } = sae;
    let clean: Float32Array;
    let acts: Float32Array;
    let recon: Float32Array;
    let feature: number;
    let tokens: number;
    const decode = (a: Float32Array) => decodeReference(sae, a, N, clean);
    beforeAll(async () => {
      clean = (await spliced((_, v) => v)).at;
      acts = encodeReference(sae, clean, N);
      recon = decode(acts);
      ({ feature, tokens } = busiestFeature(acts, dSae));
    });

    it('picks a feature that fires on some tokens and not others', () => {
      expect(sae.dIn).toBe(D_MODEL);
      expect(tokens).toBeGreaterThan(0);
    });

    it('reconstructionSplice replaces the activation downstream by the reconstruction', async () => {
      const { at, next } = await spliced(reconstructionSplice(sae));
      expect(relativeError(at, clean)).toBeLessThan(1e-6);
      expect(relativeError(next, recon)).toBeLessThan(1e-4);
      expect(relativeError(next, clean)).toBeGreaterThan(1e-3);
    });

    for (const keepError of [true, false]) {
      it(`ablateFeatureSplice (keepError ${keepError}) removes exactly feature F's contribution`, async () => {
        const { at, next } = await spliced(ablateFeatureSplice(sae, { keepError }), ablateFeeds(sae, feature));
        expect(relativeError(at, clean)).toBeLessThan(1e-6);
        const ablated = decode(withFeature(acts, dSae, feature, 0));
        const expected = keepError ? add(clean, ablated, recon) : ablated;
        expect(relativeError(next, expected)).toBeLessThan(1e-4);
        // The change itself, which is small next to the activation, within the same tolerance.
        expect(relativeError(minus(next, clean), minus(expected, clean))).toBeLessThan(1e-4);
      });
    }

    it('ablating a strongly active feature changes the logits; ablating a dead one keeps them', async () => {
      const strongest = acts.reduce((best, v, i) => (v > acts[best] ? i : best), 0) % dSae;
      const splice = ablateFeatureSplice(sae);
      const active = await spliced(splice, ablateFeeds(sae, strongest));
      expect(relativeError(active.logits, refLogits)).toBeGreaterThan(1e-3);
      const dead = await spliced(splice, ablateFeeds(sae, deadFeature(acts, dSae)));
      expect(relativeError(dead.next, clean)).toBeLessThan(1e-6);
      expect(relativeError(dead.logits, refLogits)).toBeLessThan(1e-4);
    });
  });
}

describe('splices without an SAE', () => {
  it('steeringSplice adds coefficient × vector at every position, one session for every coefficient', async () => {
    const vector = Float32Array.from({ length: D_MODEL }, (_, i) => Math.sin(i + 1));
    const splice = steeringSplice(vector);
    for (const coefficient of [0, 2.5, -4]) {
      const { at, next } = await spliced(splice, steeringFeeds(coefficient));
      expect(
        relativeError(
          next,
          at.map((v, i) => v + coefficient * vector[i % D_MODEL]),
        ),
      ).toBeLessThan(1e-6);
    }
  });

  it('zeroSplice sends zeros downstream while the hook reports the clean value', async () => {
    const { at, next, logits } = await spliced(zeroSplice());
    expect(relativeError(at, refs.readFloat32(AT).data)).toBeLessThan(1e-4);
    expect(next.every((v) => v === 0)).toBe(true);
    expect(relativeError(logits, refLogits)).toBeGreaterThan(0.1);
  });
});

describe('several SAE splices in one forward pass', () => {
  it('splices reconstructions at two hooks, and a rebuilt graph reuses its session', async () => {
    const sae = loadSae(`${SAES}/saelens-relu`);
    const last = 'blocks.1.hook_resid_post';
    const spec = {
      hooks: [AT, NEXT, last],
      logits: true,
      splices: new Map([
        [AT, reconstructionSplice(sae)],
        [last, reconstructionSplice(sae)],
      ]),
    };
    const cache = new SessionCache();
    const forward = await prepareForward(weights, spec, { cache });
    await prepareForward(weights, spec, { cache });
    expect(cache.size).toBe(1);
    const { outputs } = await forward.run(ids);
    const clean = outputs.get(AT)!.data;
    const reconstruct = (x: Float32Array) => decodeReference(sae, encodeReference(sae, x, N), N, x);
    expect(relativeError(outputs.get(NEXT)!.data, reconstruct(clean))).toBeLessThan(1e-4);
    // blocks.1.hook_resid_post reports its value before its own splice, which the logits then see.
    const first = await prepareForward(weights, { hooks: [last], logits: true, splices: new Map([[AT, reconstructionSplice(sae)]]) });
    const once = (await first.run(ids)).outputs;
    expect(relativeError(outputs.get(last)!.data, once.get(last)!.data)).toBeLessThan(1e-6);
    expect(relativeError(outputs.get('logits')!.data, once.get('logits')!.data)).toBeGreaterThan(1e-3);
  });
});

describe('splice feeds', () => {
  it('refuse a feature index outside the SAE, naming the SAE', () => {
    const sae = loadSae(`${SAES}/saelens-relu`);
    expect(() => ablateFeeds(sae, sae.dSae)).toThrow(
      `feature index ${sae.dSae} is out of range: ${SAES}/saelens-relu has features 0..${sae.dSae - 1}`,
    );
    expect(() => ablateFeeds(sae, -1)).toThrow('out of range');
  });
});
