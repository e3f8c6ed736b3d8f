import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SteeringDecomposition } from '../../../native/api/types.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import { SPLICE_MASK_INPUT } from '../../../native/sae/splices.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { encodeReference } from '../../../native/sae/reference.js';
import { klDivergence, logSoftmax } from '../../../native/prompt/sampling.js';
import { prepareSteeringDecoder } from '../../../native/prompt/steer-decoder.js';
import type { SaeEdits, VectorEdit } from '../../../native/prompt/steer-decoder.js';
import { tempDir } from '../../helpers/tmp.js';
import { relativeError } from '../../helpers/numeric.js';
import { routerCalls } from '../../helpers/router-calls.js';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo');
const SAE = join(DEMO, 'saes', 'brown-mlp0-topk512');
const POSITIVE = ['He was very happy', 'She felt happy', 'They were glad and happy', 'It made him happy', 'The children were happy'];
const NEGATIVE = ['He was very sad', 'She felt sad', 'They were tired and sad', 'It made him sad', 'The children were sad'];
const dir = tempDir('caa');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
let saeId: string;
let result: SteeringDecomposition;

const { call } = routerCalls(router);

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
  const model = await call('models.add', { path: join(DEMO, 'model') });
  saeId = (await call('saes.add', { path: SAE, modelId: model.id })).id;
  result = await call('steer.decompose', { saeId, positive: POSITIVE, negative: NEGATIVE, k: 8 });
});

afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

/** The hook's activation at each text's last token after a BOS, by a plain forward pass per text: [n][d]. */
async function lastActs(texts: string[]): Promise<Float32Array[]> {
  const { weights, dir: modelDir } = loadTransformer(join(DEMO, 'model'));
  const tokenizer = await loadTokenizer(modelDir);
  const out: Float32Array[] = [];
  for (const t of texts) {
    const ids = [tokenizer.eosId!, ...tokenizer.encode(t).ids];
    const { outputs } = await runForward(
      weights,
      { dims: [1, ids.length], data: BigInt64Array.from(ids, BigInt) },
      { hooks: [result.hookName] },
    );
    const d = weights.config.dModel;
    out.push(outputs.get(result.hookName)!.data.slice((ids.length - 1) * d, ids.length * d));
  }
  return out;
}

const mean = (rows: Float32Array[]) => Float32Array.from(rows[0], (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);

describe('steer.decompose (CAA) on the demo model', () => {
  it('the vector is the mean last-token activation of the positive prompts minus the negative ones', async () => {
    const [pos, neg] = [mean(await lastActs(POSITIVE)), mean(await lastActs(NEGATIVE))];
    const reference = pos.map((x, j) => x - neg[j]);
    expect(relativeError(Float32Array.from(result.vector), reference)).toBeLessThan(1e-5);
    expect(result.norm).toBeCloseTo(Math.hypot(...reference), 3);
  });

  it('ranks decoder directions by |cosine| and features by their change in mean activation, checked against plain references', async () => {
    const sae = loadSae(SAE);
    const v = result.vector;
    const d = sae.dIn;
    const cos = (i: number) => {
      const w = sae.wDec.subarray(i * d, (i + 1) * d);
      const dot = w.reduce((s, x, j) => s + x * v[j], 0);
      return dot / Math.hypot(...w) / Math.hypot(...v);
    };
    const all = Array.from({ length: sae.dSae }, (_, i) => Math.abs(cos(i)));
    expect(Math.abs(result.byCosine[0].cosine)).toBeCloseTo(Math.max(...all), 5);
    for (const f of result.byCosine) expect(f.cosine).toBeCloseTo(cos(f.index), 5);
    const encodeMean = async (texts: string[]) => {
      const rows = await lastActs(texts);
      const acts = encodeReference(sae, Float32Array.from(rows.flatMap((r) => Array.from(r))), rows.length);
      return (i: number) => rows.reduce((s, _, r) => s + acts[r * sae.dSae + i], 0) / rows.length;
    };
    const [p, q] = [await encodeMean(POSITIVE), await encodeMean(NEGATIVE)];
    for (const f of result.byEncoder) expect(f.deltaAct).toBeCloseTo(p(f.index) - q(f.index), 3);
    // Least squares on one direction explains cos² of the vector; more directions never explain less.
    expect(result.explained[0].byCosine).toBeCloseTo(result.byCosine[0].cosine ** 2, 4);
    for (let j = 1; j < result.explained.length; j++)
      expect(result.explained[j].byCosine).toBeGreaterThanOrEqual(result.explained[j - 1].byCosine - 1e-9);
    expect(result.explained.at(-1)!.byCosine).toBeLessThanOrEqual(1);
  });

  it('steering with its top features (least-squares coefficients) moves the next-token distribution towards steering with the vector', async () => {
    const { weights, dir: modelDir } = loadTransformer(join(DEMO, 'model'));
    const tokenizer = await loadTokenizer(modelDir);
    const ids = [tokenizer.eosId!, ...tokenizer.encode('The man walked into the room and felt').ids];
    const sae = loadSae(SAE);
    const logits = async (groups: SaeEdits[], vector?: VectorEdit) => {
      const { decoder, feeds } = await prepareSteeringDecoder(weights, groups, true, {}, vector);
      const mask = new Float32Array(2 * ids.length).fill(1, ids.length);
      const out = await decoder.step(
        decoder.emptyCache(2),
        { dims: [2, ids.length], data: BigInt64Array.from([...ids, ...ids], BigInt) },
        { ...feeds, [SPLICE_MASK_INPUT]: { type: 'float32', dims: [2, ids.length], data: mask } },
      );
      const dV = weights.config.dVocab;
      return [logSoftmax(out.logits.subarray(0, dV)), logSoftmax(out.logits.subarray(dV))];
    };
    const alpha = 2;
    const [clean, byVector] = await logits([], { hookName: result.hookName, values: Float32Array.from(result.vector), coefficient: alpha });
    const edits = result.byCosine.map((f) => ({ feature: f.index, mode: { kind: 'add' as const, coefficient: alpha * f.coefficient } }));
    const [, byFeatures] = await logits([{ sae, hookName: result.hookName, edits }]);
    const toClean = klDivergence(byVector, clean);
    const toFeatures = klDivergence(byVector, byFeatures);
    const message = `KL(vector ‖ clean) ${toClean.toFixed(4)}, KL(vector ‖ top-${edits.length} features) ${toFeatures.toFixed(4)}; they explain ${(100 * result.explained.at(-1)!.byCosine).toFixed(1)}% of ‖v‖²`;
    expect(toClean, message).toBeGreaterThan(0.01);
    expect(toFeatures, message).toBeLessThan(0.75 * toClean);
  });
});
