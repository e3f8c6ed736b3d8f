import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import type { Tokenizer } from '../../../native/formats/tokenizer.js';
import { logitEffects } from '../../../native/index/decoder-analysis.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import type { TransformerWeights } from '../../../native/models/weights.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { encodeReference } from '../../../native/sae/reference.js';
import { SPLICE_MASK_INPUT, reconstructionSplice } from '../../../native/sae/splices.js';
import type { SteerEdit } from '../../../native/sae/steer-splice.js';
import { prepareSteeringDecoder } from '../../../native/prompt/steer-decoder.js';
import { steerGenerate } from '../../../native/prompt/steer.js';
import { relativeError } from '../../helpers/numeric.js';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo');
const PROMPT = 'The man walked into the room and';
const TOP = 10;

let model: TransformerWeights;
let sae: CanonicalSae;
let tokenizer: Tokenizer;
let promptIds: number[];
let hook: string;

beforeAll(async () => {
  const loaded = loadTransformer(join(DEMO, 'model'));
  model = loaded.weights;
  tokenizer = await loadTokenizer(loaded.dir);
  sae = loadSae(join(DEMO, 'saes', 'brown-mlp0-topk512'));
  hook = sae.hookName!;
  promptIds = [tokenizer.eosId!, ...tokenizer.encode(PROMPT).ids];
});

/** Feature f's k most boosted output tokens (W_dec[f] · W_U, what the feature page lists). */
async function topTokens(feature: number): Promise<number[]> {
  const eff = await logitEffects(sae.wDec, sae.dSae, model, TOP);
  return Array.from(eff.boostedIds.subarray(feature * TOP, (feature + 1) * TOP));
}

/** Last-position logits [2, dVocab] of the prompt: row 0 clean, row 1 edited everywhere. */
async function editedLogits(edits: SteerEdit[], keepError: boolean): Promise<Float32Array> {
  const { decoder, feeds } = await prepareSteeringDecoder(model, [{ sae, hookName: hook, edits }], keepError);
  const seq = promptIds.length;
  const mask = new Float32Array(2 * seq).fill(1, seq);
  const ids = BigInt64Array.from([...promptIds, ...promptIds], BigInt);
  const out = await decoder.step(
    decoder.emptyCache(2),
    { dims: [2, seq], data: ids },
    { ...feeds, [SPLICE_MASK_INPUT]: { type: 'float32', dims: [2, seq], data: mask } },
  );
  return out.logits;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('steering the demo model', () => {
  it("clamping feature 147 (top output tokens y, ies, ied, …) raises those tokens' probability in the continuation", async () => {
    const feature = 147;
    const watch = await topTokens(feature);
    expect(watch.map((id) => tokenizer.tokenText(id)).slice(0, 3)).toEqual(['y', 'ies', 'ied']);
    const { decoder, feeds } = await prepareSteeringDecoder(
      model,
      [{ sae, hookName: hook, edits: [{ feature, mode: { kind: 'clamp', value: 8 } }] }],
      true,
    );
    const run = await steerGenerate(decoder, promptIds, feeds, { maxTokens: 12, temperature: 0, fromPosition: 0, watch });
    const steered = mean(run.steps.map((s) => s.watched!.steered));
    const clean = mean(run.steps.map((s) => s.watched!.clean));
    const hits = (pick: (s: (typeof run.steps)[number]) => number) => run.steps.filter((s) => watch.includes(pick(s))).length;
    const message =
      `mean probability of the top-${TOP} tokens per step: steered ${steered.toFixed(4)}, clean on the same text ${clean.toFixed(4)}; ` +
      `top tokens chosen: steered ${hits((s) => s.steered!.id)}/12, clean ${hits((s) => s.clean!.id)}/12`;
    expect(steered, message).toBeGreaterThan(10 * clean);
    expect(
      hits((s) => s.steered!.id),
      message,
    ).toBeGreaterThan(hits((s) => s.clean!.id));
    const kl = mean(run.steps.map((s) => s.kl!));
    expect(kl, `${message}; mean KL(steered ‖ clean) ${kl.toFixed(3)} nats`).toBeGreaterThan(0.05);
  });

  it('ablating the feature that fires most on the last token lowers its downstream logit effect', async () => {
    const { outputs } = await runForward(
      model,
      { dims: [1, promptIds.length], data: BigInt64Array.from(promptIds, BigInt) },
      { hooks: [hook] },
    );
    const x = outputs.get(hook)!.data;
    const n = promptIds.length;
    const acts = encodeReference(sae, x, n).subarray((n - 1) * sae.dSae, n * sae.dSae);
    let feature = 0;
    for (let f = 1; f < sae.dSae; f++) if (acts[f] > acts[feature]) feature = f;
    expect(acts[feature]).toBeGreaterThan(0);
    const top = await topTokens(feature);
    const logits = await editedLogits([{ feature, mode: { kind: 'ablate' } }], true);
    const dV = model.config.dVocab;
    const drop = (id: number) => logits[id] - logits[dV + id];
    const all = mean(Array.from({ length: dV }, (_, id) => drop(id)));
    const onTop = mean(top.map(drop));
    const message = `feature ${feature} (act ${acts[feature].toFixed(3)} on the last token): its top-${TOP} tokens' logits fall by ${onTop.toFixed(4)} on ablation, all tokens' by ${all.toFixed(4)}`;
    expect(onTop - all, message).toBeGreaterThan(0.05);
  });

  it('the error term: kept, a zero edit changes nothing; dropped, the output is the SAE reconstruction splice', async () => {
    const noop: SteerEdit[] = [{ feature: 3, mode: { kind: 'add', coefficient: 0 } }];
    const dV = model.config.dVocab;
    const kept = await editedLogits(noop, true);
    expect(relativeError(kept.subarray(dV), kept.subarray(0, dV))).toBeLessThan(1e-6);
    const dropped = await editedLogits(noop, false);
    const { outputs } = await runForward(
      model,
      { dims: [1, promptIds.length], data: BigInt64Array.from(promptIds, BigInt) },
      { hooks: [], logits: true, splices: new Map([[hook, reconstructionSplice(sae)]]) },
    );
    const reference = outputs.get('logits')!.data.subarray((promptIds.length - 1) * dV);
    const clean = dropped.subarray(0, dV);
    const errVsReconstruction = relativeError(dropped.subarray(dV), reference);
    const changeFromClean = relativeError(dropped.subarray(dV), clean);
    expect(errVsReconstruction, `dropped error vs reconstruction splice: ${errVsReconstruction}`).toBeLessThan(1e-4);
    expect(changeFromClean, `dropping the error moves the logits by ${changeFromClean} (relative)`).toBeGreaterThan(1e-3);
  });

  it('from a position on: edits starting after the prompt leave the first token alone; the same seed gives the same sample when nothing is edited', async () => {
    const edits: SteerEdit[] = [{ feature: 147, mode: { kind: 'clamp', value: 8 } }];
    const { decoder, feeds } = await prepareSteeringDecoder(model, [{ sae, hookName: hook, edits }], true);
    const later = await steerGenerate(decoder, promptIds, feeds, { maxTokens: 4, temperature: 0, fromPosition: promptIds.length });
    expect(later.steps[0].kl).toBe(0);
    expect(later.steps[0].steered!.id).toBe(later.steps[0].clean!.id);
    expect(later.steps.slice(1).some((s) => s.kl! > 0.01)).toBe(true);
    const noop = await prepareSteeringDecoder(
      model,
      [{ sae, hookName: hook, edits: [{ feature: 147, mode: { kind: 'add', coefficient: 0 } }] }],
      true,
    );
    const sampled = await steerGenerate(noop.decoder, promptIds, noop.feeds, {
      maxTokens: 16,
      temperature: 1,
      topK: 50,
      topP: 0.95,
      seed: 7,
      fromPosition: 0,
    });
    expect(sampled.steps.map((s) => s.steered!.id)).toEqual(sampled.steps.map((s) => s.clean!.id));
    const other = await steerGenerate(noop.decoder, promptIds, noop.feeds, {
      maxTokens: 16,
      temperature: 1,
      topK: 50,
      topP: 0.95,
      seed: 8,
      fromPosition: 0,
    });
    expect(other.steps.map((s) => s.clean!.id)).not.toEqual(sampled.steps.map((s) => s.clean!.id));
  });
});
