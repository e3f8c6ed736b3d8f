import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { logitEffects } from '../../../native/index/decoder-analysis.js';
import { binValues } from '../../../native/index/logit-histogram.js';
import { loadTransformer } from '../../../native/models/load.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { DEMO_MODEL_DIR, DEMO_SAE_DIRS } from '../../helpers/indexed-workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { routerCalls } from '../../helpers/router-calls.js';

const dir = tempDir('logit-histogram');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
let saeId = '';

const { call } = routerCalls(router);

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
  const modelId = (await call('models.add', { path: DEMO_MODEL_DIR })).id;
  saeId = (await call('saes.add', { path: DEMO_SAE_DIRS[0], modelId })).id;
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('features.logitHistogram', () => {
  it("bins W_dec[f]·W_U over the whole vocabulary as ONNX Runtime computes it (the index's boosted and suppressed tokens)", async () => {
    const { weights } = loadTransformer(DEMO_MODEL_DIR);
    const sae = loadSae(DEMO_SAE_DIRS[0]);
    const dVocab = weights.config.dVocab;
    const features = [0, 17, 257];
    // Every token's effect, sorted, from the graph the indexer runs: k = the whole vocabulary.
    const rows = Float32Array.from(features.flatMap((f) => Array.from(sae.wDec.subarray(f * sae.dIn, (f + 1) * sae.dIn))));
    const all = await logitEffects(rows, features.length, weights, dVocab);
    for (const [r, index] of features.entries()) {
      const h = await call('features.logitHistogram', { saeId, index, bins: 30 });
      expect(h).toMatchObject({ key: { saeId, index }, dVocab });
      expect(h.counts).toHaveLength(30);
      expect(h.edges).toHaveLength(31);
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(dVocab);
      const onnx = Float64Array.from(all.boostedValues.subarray(r * dVocab, (r + 1) * dVocab));
      expect(Math.abs(h.max - onnx[0]) / Math.abs(onnx[0])).toBeLessThan(1e-4);
      expect(Math.abs(h.min - onnx[dVocab - 1]) / Math.abs(onnx[dVocab - 1])).toBeLessThan(1e-4);
      // The same values binned by the plain reference: float32 and float64 sums may put a token on the other side of an edge.
      const ref = binValues(onnx, 30);
      const moved = ref.counts.reduce((s, c, i) => s + Math.abs(c - h.counts[i]), 0);
      expect(moved).toBeLessThanOrEqual(4);
      expect(h.mean).toBeCloseTo(ref.mean, 4);
      expect(h.std).toBeCloseTo(ref.std, 4);
      expect(h.max).toBeGreaterThan(h.min);
    }
  });

  it('refuses a feature outside the SAE, naming the field', async () => {
    const response = await router.call('features.logitHistogram', { saeId, index: 512 });
    expect(response).toMatchObject({ ok: false, error: { code: 'not_found', field: 'index' } });
    expect(await router.call('features.logitHistogram', { saeId: 'nope', index: 0 })).toMatchObject({
      ok: false,
      error: { code: 'not_found', field: 'saeId' },
    });
  });
});

describe('binValues', () => {
  it('puts the maximum in the last bin and spreads a constant vector over one bin', () => {
    expect(binValues(Float64Array.from([0, 1, 2, 3, 4]), 4)).toMatchObject({
      edges: [0, 1, 2, 3, 4],
      counts: [1, 1, 1, 2],
      min: 0,
      max: 4,
      mean: 2,
    });
    expect(binValues(Float64Array.from([2, 2, 2]), 2)).toMatchObject({ edges: [1.5, 2, 2.5], counts: [0, 3], std: 0 });
  });
});
