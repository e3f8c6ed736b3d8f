import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../native/corpus/open.js';
import { tokenWindows } from '../../../native/corpus/windows.js';
import type { TokenWindow } from '../../../native/corpus/windows.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { registerModel, registerSae } from '../../../native/registry/catalog.js';
import { runIndex } from '../../../native/index/indexer.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import type { TransformerWeights } from '../../../native/models/weights.js';
import { evaluateSae } from '../../../native/sae/eval/evaluate.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { decodeReference, encodeReference } from '../../../native/sae/reference.js';
import { ablateFeatureSplice } from '../../../native/sae/splices.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { FIXTURES } from '../../helpers/shared.js';
import { writeSaeLayouts } from '../../helpers/sae-layout-fixtures.js';
import type { WrittenLayouts } from '../../helpers/sae-layout-fixtures.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';

/** Issue 13 item 5: eval on a family SAE, transcoders measured against their output hook, an attention SAE indexed. */
const MODEL = join(FIXTURES, 'families', 'qwen3-tiny');
const IN = 'blocks.0.ln2.hook_normalized';
const OUT = 'blocks.0.hook_mlp_out';
const CONTEXT = 32;
const TOKENS = 192;
const tmp = tempDir('transcoder-eval');
afterAll(() => tmp.cleanup());
let model: TransformerWeights;
let layouts: WrittenLayouts;
let windows: TokenWindow[];
beforeAll(async () => {
  model = loadTransformer(MODEL).weights;
  const { dModel, nHeads, dHead } = model.config;
  layouts = writeSaeLayouts(join(tmp.path, 'saes'), { dModel, nHeads, dHead }, 7);
  windows = [];
  for await (const w of tokenWindows(openCorpus('brown:ca01'), await loadTokenizer(MODEL), { contextLength: CONTEXT, maxTokens: TOKENS }))
    windows.push(w);
});

describe('evaluating a transcoder', () => {
  it('compares its output with the output hook: FVU equals a direct computation over the same counted tokens', async () => {
    const sae = loadSae(layouts.saelensSkipTranscoder);
    const report = await evaluateSae(model, sae, windows, { modelName: 'qwen3-tiny', cosines: false });
    expect(report.hook).toBe(IN);
    expect(report.outputHook).toBe(OUT);
    expect(report.ablationSparsity).toBeNull();
    expect(report.notes?.[0]).toMatch(/ablation sparsity is not measured for transcoders yet/);

    const d = model.config.dModel;
    const targets: number[][] = [];
    const outs: number[][] = [];
    for (const w of windows) {
      const ids = { dims: [1, CONTEXT], data: BigInt64Array.from(w.ids, (v) => BigInt(v)) };
      const r = await runForward(model, ids, { hooks: [IN, OUT] });
      const x = r.outputs.get(IN)!.data;
      const y = decodeReference(sae, encodeReference(sae, x, CONTEXT), CONTEXT, x);
      const t = r.outputs.get(OUT)!.data;
      for (let p = 0; p < CONTEXT; p++) {
        if (!w.counted[p]) continue;
        targets.push(Array.from(t.subarray(p * d, (p + 1) * d)));
        outs.push(Array.from(y.subarray(p * d, (p + 1) * d)));
      }
    }
    expect(report.tokens).toBe(targets.length);
    const mean = Array.from({ length: d }, (_, i) => targets.reduce((s, row) => s + row[i], 0) / targets.length);
    let err = 0;
    let base = 0;
    targets.forEach((row, k) => row.forEach((v, i) => ((err += (v - outs[k][i]) ** 2), (base += (v - mean[i]) ** 2))));
    expect(Math.abs((report.reconstruction.fvu as number) - err / base)).toBeLessThan(1e-4 * (err / base));
    expect(Number.isFinite(report.crossEntropy.deltaLoss)).toBe(true);
    expect(report.crossEntropy.zeroAblated).not.toBe(report.crossEntropy.clean);
  });

  it("loupe eval runs on a family SAE (delta loss, FVU) and names a transcoder's output hook", async () => {
    const common = [
      '--model',
      MODEL,
      '--corpus',
      'brown:ca01',
      '--tokens',
      String(TOKENS),
      '--context',
      String(CONTEXT),
      '--ablation-latents',
      '4',
    ];
    const sae = await loupe('eval', '--sae', layouts.llamaScope, ...common);
    expect(sae.err).toBe('');
    expect(sae.code).toBe(0);
    expect(sae.out).toMatch(/qwen3-tiny at blocks\.0\.hook_resid_post: 192 tokens/);
    expect(sae.out).toMatch(/FVU \(normalised MSE\)\s+\d/);
    expect(sae.out).toMatch(/delta loss \(SAE − clean\)\s+[+-]\d/);
    const tc = await loupe('eval', '--sae', layouts.llamaScopeTranscoder, ...common);
    expect(tc.code).toBe(0);
    expect(tc.out).toContain(`at ${IN} → ${OUT} (a transcoder: its output is compared with ${OUT}, and spliced in there)`);
    expect(tc.out).toContain('note: ablation sparsity is not measured for transcoders yet');
  });

  it('says that ablating one feature of a transcoder is not supported rather than editing the wrong hook', () => {
    expect(() => ablateFeatureSplice(loadSae(layouts.sparsifyTranscoder))).toThrow(
      /is a transcoder \(blocks\.0\.ln2\.hook_normalized → blocks\.0\.hook_mlp_out\); ablating or clamping one feature does not support transcoders yet/,
    );
  });
});

describe('an attention SAE on attn.hook_z', () => {
  it('reads the heads flattened to heads·d_head, indexes, and takes logit effects through W_O', async () => {
    const sae = loadSae(layouts.hookZ);
    const { nHeads, dHead, dModel, dVocab } = model.config;
    expect([sae.hookName, sae.dIn]).toEqual(['blocks.0.attn.hook_z', nHeads * dHead]);
    const ws = openWorkspace(join(tmp.path, 'ws-hook-z'));
    try {
      const m = await registerModel(ws, MODEL);
      const row = registerSae(ws, layouts.hookZ, m.id);
      await runIndex(ws, {
        saeId: row.id,
        corpus: 'brown:ca01',
        tokens: TOKENS,
        contextLength: CONTEXT,
        batchTokens: 64,
        commitTokens: 64,
        commitSeconds: 0,
        chunkFeatures: 8,
      });
      // W_dec[f] · W_O · W_U in plain loops, for the feature's most boosted token.
      const f = 3;
      const o = model.layers[0].attn.o;
      const resid = new Float64Array(dModel);
      for (let i = 0; i < sae.dIn; i++) {
        for (let r = 0; r < dModel; r++)
          resid[r] += sae.wDec[f * sae.dIn + i] * (o.layout === 'inOut' ? o.w.data[i * dModel + r] : o.w.data[r * sae.dIn + i]);
      }
      const u = model.unembed;
      let best = -Infinity;
      let bestId = -1;
      for (let v = 0; v < dVocab; v++) {
        let logit = 0;
        for (let r = 0; r < dModel; r++)
          logit += resid[r] * (u.layout === 'dModelByVocab' ? u.w.data[r * dVocab + v] : u.w.data[v * dModel + r]);
        if (logit > best) [best, bestId] = [logit, v];
      }
      const page = ws.features.page({ saeId: row.id, index: f });
      expect(page.boosted[0].tokenId).toBe(bestId);
      expect(Math.abs(page.boosted[0].value - best)).toBeLessThan(1e-4 * Math.abs(best));
      // The stored maximum is the hook_z encode of that window.
      const top = page.top[0];
      const stored = ws.features.windows.get(page.run!.id, page.windows[top.window].index)!;
      const z = (
        await runForward(
          model,
          { dims: [1, CONTEXT], data: BigInt64Array.from(stored.ids, (v) => BigInt(v)) },
          { hooks: ['blocks.0.attn.hook_z'] },
        )
      ).outputs.get('blocks.0.attn.hook_z')!;
      expect(z.shape).toEqual([1, CONTEXT, nHeads, dHead]);
      const acts = encodeReference(sae, z.data, CONTEXT);
      let direct = 0;
      for (let p = 0; p < CONTEXT; p++) if (!stored.counted || stored.counted[p]) direct = Math.max(direct, acts[p * sae.dSae + f]);
      expect(Math.abs(top.maxAct - direct)).toBeLessThan(1e-4 * direct);
    } finally {
      ws.close();
    }
  });
});
