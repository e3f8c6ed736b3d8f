import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../native/corpus/open.js';
import { tokenWindows } from '../../../native/corpus/windows.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { registerModel, registerSae } from '../../../native/registry/catalog.js';
import { runIndex } from '../../../native/index/indexer.js';
import { loadTransformer } from '../../../native/models/load.js';
import { loadPromptRunner } from '../../../native/prompt/prompt-runner.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { evaluateSae } from '../../../native/sae/eval/evaluate.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeTiedRandomSae } from '../../helpers/random-sae.js';

/**
 * Issue 13 item 5: an SAE on every tiny family, indexed over Brown with that family's own tokenizer
 * through the real indexer, and the stored maxima checked against the Prompt path's encode of the
 * same window, each family with its own tokenizer (SentencePiece byte-fallback for Gemma and Mistral,
 * split-regex byte-level for Llama 3 and Qwen, GPT-NeoX's byte-level) and BOS.
 */
const FAMILIES = ['llama', 'mistral', 'qwen2', 'qwen3', 'gemma2', 'gemma3', 'gpt_neox'] as const;
const HOOK = 'blocks.0.hook_resid_post';
const RUN = {
  corpus: 'brown:ca01-ca02',
  tokens: 384,
  contextLength: 32,
  batchTokens: 128,
  commitTokens: 128,
  commitSeconds: 0,
  chunkFeatures: 16,
};

const tmp = tempDir('families-index');
afterAll(() => tmp.cleanup());

/** A seeded random ReLU SAE whose encoder is its decoder's transpose, with a bias that lets a few latents fire per token. */
function familySae(path: string, dIn: number, seed: number): CanonicalSae {
  return writeTiedRandomSae(path, {
    dIn,
    dSae: 32,
    seed,
    scale: 1,
    encoderBias: { seed: seed + 1, scale: 0.5 },
    activation: { kind: 'relu' },
    subtractDecoderBias: true,
    hookName: HOOK,
    modelName: null,
  });
}

describe('indexing and evaluating an SAE on every tiny family over Brown', () => {
  for (const [n, family] of FAMILIES.entries()) {
    it(`${family}: stored maxima equal the Prompt path's encode of the same window, top examples decode to Brown text, and eval runs`, async () => {
      const modelDir = join(FIXTURES, 'families', `${family}-tiny`);
      const tokenizer = await loadTokenizer(modelDir);
      let brown = '';
      for await (const doc of openCorpus(RUN.corpus).documents()) brown += doc.text.replace(/\s+/g, '');
      const dModel = loadTransformer(modelDir).weights.config.dModel;
      const saePath = join(tmp.path, `${family}-sae`);
      familySae(saePath, dModel, 100 + n);
      const ws = openWorkspace(join(tmp.path, `${family}-ws`));
      try {
        const model = await registerModel(ws, modelDir);
        const saeRow = registerSae(ws, saePath, model.id);
        const summary = await runIndex(ws, { saeId: saeRow.id, ...RUN });
        expect(summary.tokens).toBe(RUN.tokens);

        const runner = await loadPromptRunner({
          saeId: saeRow.id,
          saePath,
          saeFingerprint: 'test',
          hookName: HOOK,
          modelName: family,
          modelPath: modelDir,
          modelFingerprint: 'test',
        });
        let checked = 0;
        for (let feature = 0; feature < 32 && checked < 4; feature++) {
          const page = ws.features.page({ saeId: saeRow.id, index: feature });
          if (page.top.length === 0 || page.run === null) continue;
          const top = page.top[0];
          const stored = ws.features.windows.get(page.run.id, page.windows[top.window].index);
          expect(stored).toBeDefined();
          const window = stored!;
          const acts = await runner.pass.run(window.ids, 1, window.ids.length);
          let direct = 0;
          for (let t = 0; t < window.ids.length; t++) {
            if (window.counted && !window.counted[t]) continue;
            for (let e = acts.rowStart[t]; e < acts.rowStart[t + 1]; e++)
              if (acts.features[e] === feature) direct = Math.max(direct, acts.values[e]);
          }
          expect(Math.abs(top.maxAct - direct)).toBeLessThanOrEqual(1e-4 * direct);
          expect(page.stats?.maxAct).toBeCloseTo(top.maxAct, 5);
          // The example is Brown text: its counted tokens decode to a stretch of the corpus, and their spans in the stored text say the same.
          const counted = window.ids.filter((_, t) => !window.counted || window.counted[t] === 1);
          const squash = (text: string) => text.replace(/\s+/g, '');
          const decoded = squash(tokenizer.decode(counted));
          expect(decoded.length).toBeGreaterThan(10);
          expect(brown).toContain(decoded);
          // Byte-fallback pieces of one character share its span: each character is taken once.
          let spans = '';
          let end = 0;
          for (let t = 0; t < window.ids.length; t++) {
            if (window.counted && !window.counted[t]) continue;
            const [a, b] = [window.offsets[2 * t], window.offsets[2 * t + 1]];
            spans += window.text.slice(Math.max(a, end), b);
            end = Math.max(end, b);
          }
          expect(squash(spans)).toBe(decoded);
          checked++;
        }
        expect(checked).toBeGreaterThan(0);

        // loupe eval's pass on the same SAE: finite FVU and next-token losses with the reconstruction and the zero ablation spliced in.
        const windows = tokenWindows(openCorpus(RUN.corpus), tokenizer, { contextLength: RUN.contextLength, maxTokens: 96 });
        const report = await evaluateSae(loadTransformer(modelDir).weights, loadSae(saePath), windows, {
          cosines: false,
          ablation: { latents: 2, windows: 1 },
        });
        expect(report.tokens).toBe(96);
        expect(report.reconstruction.fvu).toBeGreaterThan(0);
        expect(Number.isFinite(report.crossEntropy.deltaLoss)).toBe(true);
        expect(report.crossEntropy.sae).not.toBe(report.crossEntropy.clean);
      } finally {
        ws.close();
      }
    }, 120_000);
  }
});
