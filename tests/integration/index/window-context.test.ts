import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerModel, registerSae } from '../../../native/registry/catalog.js';
import { runIndex } from '../../../native/index/indexer.js';
import { PromptService } from '../../../native/prompt/prompt-service.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { DEMO_MODEL_DIR, DEMO_SAE_DIRS } from '../../helpers/indexed-workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { withDatabase } from '../../helpers/workspace-database.js';

/**
 * Every example has real context: the demo's 512-latent SAE indexed over Brown news with the one
 * window policy (BOS first, burn-in, nothing counted without context), read back as a researcher
 * reads it: no pile of examples at the start of a window, and the Prompt view on an indexed window's
 * text gives the values the index stored.
 */
const tmp = tempDir('window-context');
let ws: Workspace;
let saeId = '';
let runId = 0;
const TOKENS = 65_536;

beforeAll(async () => {
  ws = openWorkspace(join(tmp.path, 'ws'));
  const model = await registerModel(ws, DEMO_MODEL_DIR);
  saeId = registerSae(ws, DEMO_SAE_DIRS[0], model.id).id;
  runId = (await runIndex(ws, { saeId, corpus: 'brown:news', tokens: TOKENS })).runId;
}, 180_000);
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

/** Every top example of every feature: feature, window, max position and value. */
function topExamples(): { feature: number; window: number; maxPos: number; maxAct: number }[] {
  return withDatabase(ws, (db) =>
    db.all<{ feature: number; window: number; maxPos: number; maxAct: number }>(
      "SELECT feature, window_index AS window, max_pos AS maxPos, max_act AS maxAct FROM feature_examples WHERE run_id = ? AND kind = 'top'",
      [runId],
    ),
  );
}

describe('examples with context', () => {
  it('counts exactly the tokens asked for, and never the BOS, burn-in or padding', () => {
    const stats = ws.features.page({ saeId, index: 0 }).stats;
    expect(stats?.tokensSeen).toBe(TOKENS);
    const windows = ws.features.windows;
    for (const e of topExamples().slice(0, 400)) {
      const w = windows.get(runId, e.window)!;
      expect(w.counted, `window ${e.window}`).toBeDefined();
      expect(w.counted![e.maxPos], `feature ${e.feature}, window ${e.window}, position ${e.maxPos}`).toBe(1);
      expect(w.counted![0]).toBe(0);
    }
  });

  it('puts at most 1 % of top examples on a window’s first token, and lets at most 1 % tie', () => {
    const top = topExamples();
    expect(top.length).toBeGreaterThan(5000);
    const first = top.filter((e) => e.maxPos === 1).length;
    // Ties: examples of one feature with exactly the same maximum (a context-free token reads alike everywhere).
    const seen = new Map<string, number>();
    for (const e of top) seen.set(`${e.feature}:${e.maxAct}`, (seen.get(`${e.feature}:${e.maxAct}`) ?? 0) + 1);
    const tied = [...seen.values()].filter((n) => n > 1).reduce((s, n) => s + n, 0);
    expect(first / top.length).toBeLessThanOrEqual(0.01);
    expect(tied / top.length).toBeLessThanOrEqual(0.01);
  });

  it('gives in the Prompt view the values the index stored, at a document start and after a burn-in', async () => {
    const windows = ws.features.windows;
    const prompt = new PromptService();
    const byWindow = new Map<number, { feature: number; maxPos: number; maxAct: number }[]>();
    for (const e of topExamples()) byWindow.set(e.window, [...(byWindow.get(e.window) ?? []), e]);
    // Windows of both kinds that hold several top examples.
    const stored = windows.getMany(runId, [...byWindow.keys()]).filter((w) => (byWindow.get(w.index)?.length ?? 0) >= 3);
    const docStart = stored.find((w) => w.counted![1] === 1);
    const continued = stored.find((w) => w.counted![1] === 0);
    let compared = 0;
    for (const w of [docStart, continued]) {
      expect(w).toBeDefined();
      const result = await prompt.run(ws, { saeId, text: w!.text, topK: 8, heatmap: 8, prependBos: true });
      // The text re-tokenises to the window's ids (its last token may merge differently: compare up to the first difference).
      const ids = Array.from(w!.ids.subarray(1));
      let same = 0;
      while (same < ids.length && result.tokens[same]?.id === ids[same]) same++;
      expect(same).toBeGreaterThan(100);
      for (const e of byWindow.get(w!.index)!) {
        if (e.maxPos - 1 >= same) continue;
        const t = e.maxPos - 1;
        let value = 0;
        for (let j = result.acts.rowStart[t]; j < result.acts.rowStart[t + 1]; j++)
          if (result.acts.features[j] === e.feature) value = result.acts.values[j];
        expect(Math.abs(value - e.maxAct), `feature ${e.feature} at ${e.maxPos} of window ${w!.index}`).toBeLessThanOrEqual(
          1e-4 * e.maxAct + 1e-5,
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
