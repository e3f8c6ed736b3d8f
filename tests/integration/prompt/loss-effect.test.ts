import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import type { Splice } from '../../../native/models/forward-graph.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { encodeReference } from '../../../native/sae/reference.js';
import { DEMO_MODEL_DIR, DEMO_SAE_DIRS } from '../../helpers/indexed-workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { relativeError } from '../../helpers/numeric.js';
import { routerCalls } from '../../helpers/router-calls.js';

const dir = tempDir('loss-effect');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
const HOOK = 'blocks.0.hook_mlp_out';
const TEXT = 'The jury said it did find that many of Georgia\'s registration and election laws "are outmoded or inadequate".';
let saeId = '';
let ids: number[] = [];

const { call } = routerCalls(router);

/** −log softmax(logits[t])[ids[t + 1]] in float64, t < seq − 1. */
function tokenLosses(logits: Float32Array, seq: number, dVocab: number): Float64Array {
  const out = new Float64Array(seq - 1);
  for (let t = 0; t < seq - 1; t++) {
    const row = logits.subarray(t * dVocab, (t + 1) * dVocab);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    out[t] = Math.log(sum) + max - row[ids[t + 1]];
  }
  return out;
}

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
  const modelId = (await call('models.add', { path: DEMO_MODEL_DIR })).id;
  saeId = (await call('saes.add', { path: DEMO_SAE_DIRS[0], modelId })).id;
  // One stored window, as the indexer stores them: the BOS first, then a document's tokens.
  const tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
  const encoded = tokenizer.encode(TEXT);
  ids = [tokenizer.eosId!, ...encoded.ids];
  const run = engine.workspace.features.runs.create({
    saeId,
    modelId,
    jobId: null,
    corpusSpec: 'text:x',
    contextLength: ids.length,
    tokensTarget: ids.length,
    params: {},
  });
  const offsets = Int32Array.from([0, 0, ...encoded.offsets]);
  engine.workspace.features.windows.insertMany(run.id, [{ index: 7, docId: 'doc', text: TEXT, ids: Int32Array.from(ids), offsets }]);
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('features.lossEffect', () => {
  it('is the loss change from removing f·W_dec[F] at the hook, as a plain reference computes it', async () => {
    const { weights } = loadTransformer(DEMO_MODEL_DIR);
    const sae = loadSae(DEMO_SAE_DIRS[0]);
    const seq = ids.length;
    const input = { dims: [1, seq], data: BigInt64Array.from(ids, BigInt) };
    const clean = await runForward(weights, input, { hooks: [HOOK], logits: true });
    const x = clean.outputs.get(HOOK)!.data;
    const acts = encodeReference(sae, x, seq);
    // The feature that fires most on the text, so its ablation moves the loss.
    let feature = 0;
    for (let i = 0; i < acts.length; i++) if (acts[i] > acts[feature]) feature = i;
    feature %= sae.dSae;
    // Ablated: x − f_F · W_dec[F] at every position (the SAE's error term kept), fed in place of the hook.
    const ablatedX = Float32Array.from(x);
    for (let t = 0; t < seq; t++)
      for (let i = 0; i < sae.dIn; i++) ablatedX[t * sae.dIn + i] -= acts[t * sae.dSae + feature] * sae.wDec[feature * sae.dIn + i];
    const replace: Splice = (g) => g.input('replacement', 'float32', [1, seq, sae.dIn]);
    const ablated = await runForward(
      weights,
      input,
      { hooks: [], logits: true, splices: new Map([[HOOK, replace]]) },
      { extraFeeds: { replacement: { type: 'float32', dims: [1, seq, sae.dIn], data: ablatedX } } },
    );
    const dVocab = weights.config.dVocab;
    const [lossClean, lossAblated] = [
      tokenLosses(clean.outputs.get('logits')!.data, seq, dVocab),
      tokenLosses(ablated.outputs.get('logits')!.data, seq, dVocab),
    ];
    const reference = Float32Array.from(lossAblated, (a, t) => a - lossClean[t]);

    const result = await call('features.lossEffect', { saeId, index: feature, window: 7 });
    expect(result.key).toEqual({ saeId, index: feature });
    expect(result.effect).toHaveLength(seq);
    expect(result.effect[0]).toBeNull();
    const effect = Float32Array.from(result.effect.slice(1), (v) => v!);
    expect(relativeError(effect, reference)).toBeLessThan(1e-4);
    expect(
      relativeError(
        Float32Array.from(result.cleanLoss.slice(1), (v) => v!),
        Float32Array.from(lossClean),
      ),
    ).toBeLessThan(1e-5);
    // Ablating the strongest feature changes some prediction measurably; a feature that never fires changes none.
    expect(Math.max(...Array.from(effect, Math.abs))).toBeGreaterThan(1e-3);
    const silent = Array.from({ length: sae.dSae }, (_, f) => f).find((f) =>
      Array.from({ length: seq }, (_, t) => acts[t * sae.dSae + f]).every((v) => v === 0),
    )!;
    const none = await call('features.lossEffect', { saeId, index: silent, window: 7 });
    expect(Math.max(...none.effect.slice(1).map((v) => Math.abs(v!)))).toBeLessThan(1e-5);
  });

  it('names a window the index did not store, and a feature outside the SAE', async () => {
    expect(await router.call('features.lossEffect', { saeId, index: 0, window: 8 })).toMatchObject({
      ok: false,
      error: { code: 'not_found', field: 'window' },
    });
    expect(await router.call('features.lossEffect', { saeId, index: 512, window: 7 })).toMatchObject({
      ok: false,
      error: { code: 'not_found', field: 'index' },
    });
  });
});
