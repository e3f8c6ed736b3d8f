import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../native/corpus/open.js';
import { tokenWindows } from '../../../native/corpus/windows.js';
import { discover } from '../../../native/formats/discovery.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import type { Tokenizer } from '../../../native/formats/tokenizer.js';
import { registerModel, registerSae } from '../../../native/registry/catalog.js';
import { runIndex } from '../../../native/index/indexer.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import type { TransformerWeights } from '../../../native/models/weights.js';
import { loadPromptRunner } from '../../../native/prompt/prompt-runner.js';
import { prepareEncoder } from '../../../native/sae/encode.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { SCALE_ESTIMATE, resolveInputScale } from '../../../native/sae/input-scale.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeTiedRandomSae } from '../../helpers/random-sae.js';

/** Issue 13 item 5: SAELens normalize_activations expected_average_only_in, with the factor given or estimated. */
const MODEL = join(FIXTURES, 'families', 'qwen3-tiny');
const HOOK = 'blocks.1.hook_resid_post';
const tmp = tempDir('input-scale');
afterAll(() => tmp.cleanup());
let model: TransformerWeights;
let tokenizer: Tokenizer;
beforeAll(async () => {
  model = loadTransformer(MODEL).weights;
  tokenizer = await loadTokenizer(MODEL);
});

/** A SAELens folder whose cfg.json says expected_average_only_in; `extra` adds keys (norm_scaling_factor). */
function scaledSae(name: string, extra: Record<string, unknown> = {}): string {
  const dir = join(tmp.path, name);
  writeTiedRandomSae(dir, {
    dIn: 64,
    dSae: 16,
    seed: 31,
    scale: 1,
    encoderBias: { seed: 32, scale: 0.5 },
    activation: { kind: 'relu' },
    subtractDecoderBias: false,
    hookName: HOOK,
    modelName: null,
  });
  const cfgPath = join(dir, 'cfg.json');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(cfgPath, JSON.stringify({ ...cfg, normalize_activations: 'expected_average_only_in', ...extra }));
  return dir;
}

describe('expected_average_only_in', () => {
  it('takes the factor from cfg.json or from activation_scaler.json, and says which', () => {
    const fromCfg = loadSae(scaledSae('given-cfg', { norm_scaling_factor: 0.25 }));
    expect([fromCfg.inputScale, fromCfg.inputScaleFrom]).toEqual([
      0.25,
      { kind: 'given', detail: 'expected_average_only_in: × 0.25, norm_scaling_factor in cfg.json' },
    ]);
    const dir = scaledSae('given-file');
    writeFileSync(join(dir, 'activation_scaler.json'), JSON.stringify({ scaling_factor: 0.5 }));
    const fromFile = loadSae(dir);
    expect([fromFile.inputScale, fromFile.inputScaleFrom?.detail]).toEqual([
      0.5,
      'expected_average_only_in: × 0.5, scaling_factor in activation_scaler.json',
    ]);
    expect(discover(dir)[0].inputScaling).toBe('expected_average_only_in: × 0.5 (scaling_factor, given in activation_scaler.json)');
  });

  it('without a factor in the files, nothing encodes until the model estimates √d_in / mean ‖x‖ as SAELens does', async () => {
    const dir = scaledSae('estimated');
    expect(discover(dir)[0].inputScaling).toMatch(/no factor in the files; estimated as √d_in \/ mean ‖x‖ over the first tokens of Brown/);
    const pending = loadSae(dir);
    expect(pending.inputScaleFrom?.kind).toBe('pending');
    await expect(prepareEncoder(pending)).rejects.toThrow(
      /neither cfg\.json "norm_scaling_factor" nor activation_scaler\.json gives the factor; it is estimated from the model's activations/,
    );

    const sae = await resolveInputScale(pending, model, tokenizer, HOOK);
    // The same windows, norms summed in plain loops.
    let sum = 0;
    let n = 0;
    for await (const w of tokenWindows(openCorpus(SCALE_ESTIMATE.corpus), tokenizer, {
      contextLength: SCALE_ESTIMATE.contextLength,
      maxTokens: SCALE_ESTIMATE.tokens,
    })) {
      const x = (
        await runForward(model, { dims: [1, w.ids.length], data: BigInt64Array.from(w.ids, (v) => BigInt(v)) }, { hooks: [HOOK] })
      ).outputs.get(HOOK)!.data;
      for (let t = 0; t < w.ids.length; t++) {
        if (!w.counted[t]) continue;
        sum += Math.sqrt(Array.from(x.subarray(t * 64, (t + 1) * 64)).reduce((a, v) => a + v * v, 0));
        n++;
      }
    }
    expect(n).toBe(SCALE_ESTIMATE.tokens);
    const expected = Math.sqrt(64) / (sum / n);
    expect(Math.abs(sae.inputScale - expected)).toBeLessThan(1e-6 * expected);
    expect(sae.inputScaleFrom).toEqual({
      kind: 'estimated',
      detail: expect.stringMatching(
        /^expected_average_only_in: × [\d.]+ = √64 \/ mean ‖x‖ \([\d.]+\) over the first 4096 tokens of brown at blocks\.1\.hook_resid_post, estimated because the files give no factor$/,
      ),
    });
  });

  it('indexes and prompts with the same estimated factor: stored maxima equal the Prompt path', async () => {
    const dir = scaledSae('indexed');
    const ws = openWorkspace(join(tmp.path, 'ws'));
    try {
      const m = await registerModel(ws, MODEL);
      const row = registerSae(ws, dir, m.id);
      expect((ws.saes.get(row.id)?.config.loupe_input_scale as { kind: string }).kind).toBe('pending');
      await runIndex(ws, {
        saeId: row.id,
        corpus: 'brown:cb01',
        tokens: 256,
        contextLength: 32,
        batchTokens: 128,
        commitTokens: 128,
        commitSeconds: 0,
        chunkFeatures: 8,
      });
      expect(ws.saes.get(row.id)?.config.loupe_input_scale).toEqual({
        kind: 'estimated',
        detail: expect.stringMatching(/^expected_average_only_in: × [\d.]+ = √64 \/ mean ‖x‖/),
      });
      const runner = await loadPromptRunner({
        saeId: row.id,
        saePath: dir,
        saeFingerprint: 'x',
        hookName: HOOK,
        modelName: 'qwen3-tiny',
        modelPath: MODEL,
        modelFingerprint: 'x',
      });
      let checked = 0;
      for (let f = 0; f < 16 && checked < 3; f++) {
        const page = ws.features.page({ saeId: row.id, index: f });
        if (page.top.length === 0) continue;
        const stored = ws.features.windows.get(page.run!.id, page.windows[page.top[0].window].index)!;
        const acts = await runner.pass.run(stored.ids, 1, stored.ids.length);
        let direct = 0;
        for (let t = 0; t < stored.ids.length; t++) {
          if (stored.counted && !stored.counted[t]) continue;
          for (let e = acts.rowStart[t]; e < acts.rowStart[t + 1]; e++)
            if (acts.features[e] === f) direct = Math.max(direct, acts.values[e]);
        }
        expect(Math.abs(page.top[0].maxAct - direct)).toBeLessThanOrEqual(1e-4 * direct);
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    } finally {
      ws.close();
    }
  });
});
