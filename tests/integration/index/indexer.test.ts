import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { openCorpus } from '../../../native/corpus/open.js';
import { runIndex } from '../../../native/index/indexer.js';
import { registerSae } from '../../../native/registry/catalog.js';
import { tokenWindows } from '../../../native/corpus/windows.js';
import { loadTransformer } from '../../../native/models/load.js';
import { runForward } from '../../../native/models/forward.js';
import { encodeReference } from '../../../native/sae/reference.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { HOOK, RUN, dumpIndex as dump, killIndexAfterCommits, randomSae, workspaceWithSae } from './index-setup.js';
import { withDatabase } from '../../helpers/workspace-database.js';

const tmp = tempDir('indexer');
afterAll(() => tmp.cleanup());
const saePath = join(tmp.path, 'sae');
let sae: CanonicalSae;
beforeAll(() => {
  sae = randomSae(saePath);
});

describe('runIndex', () => {
  let uninterrupted: Record<string, unknown[]>;

  it('stores densities, maxima and top examples that a brute-force pass over the same windows reproduces', async () => {
    const { ws, saeId } = await workspaceWithSae(join(tmp.path, 'whole'), saePath);
    const summary = await runIndex(ws, { saeId, ...RUN });
    expect(summary.tokens).toBe(RUN.tokens);
    uninterrupted = withDatabase(ws, dump);

    const { weights } = loadTransformer(DEMO_MODEL);
    const tokenizer = await loadTokenizer(DEMO_MODEL);
    const windows = [];
    for await (const w of tokenWindows(openCorpus(RUN.corpus), tokenizer, { contextLength: RUN.contextLength, maxTokens: RUN.tokens }))
      windows.push(w);
    const fires = new Float64Array(sae.dSae);
    const windowMax = windows.map(() => new Float64Array(sae.dSae));
    for (const [wi, w] of windows.entries()) {
      const ids = { dims: [1, RUN.contextLength], data: BigInt64Array.from(w.ids, (v) => BigInt(v)) };
      const x = (await runForward(weights, ids, { hooks: [HOOK] })).outputs.get(HOOK)!.data;
      const acts = encodeReference(sae, x, RUN.contextLength);
      for (let t = 0; t < RUN.contextLength; t++) {
        if (!w.counted[t]) continue; // the BOS, padding and burn-in are read, never counted
        for (let f = 0; f < sae.dSae; f++) {
          const v = acts[t * sae.dSae + f];
          if (v > 0) fires[f]++;
          windowMax[wi][f] = Math.max(windowMax[wi][f], v);
        }
      }
    }
    for (const feature of [0, 7, 31, 95]) {
      const page = ws.features.page({ saeId, index: feature });
      expect(page.stats?.fires).toBe(fires[feature]);
      expect(page.stats?.density).toBeCloseTo(fires[feature] / RUN.tokens, 12);
      const expected = windows
        .map((w, i) => ({ index: w.index, max: windowMax[i][feature] }))
        .filter((e) => e.max > 0)
        .sort((a, b) => b.max - a.max || a.index - b.index)
        .slice(0, 20);
      expect(page.top.map((e) => page.windows[e.window].index)).toEqual(expected.map((e) => e.index));
      page.top.forEach((e, i) => expect(Math.abs(e.maxAct - expected[i].max)).toBeLessThan(1e-4 * expected[i].max));
      expect(page.stats?.maxAct).toBeCloseTo(expected[0].max, 4);
      expect(page.quantiles.length).toBeGreaterThan(0);
      expect(page.quantiles.length).toBeLessThanOrEqual(5);
      expect(page.boosted.length).toBe(10);
      expect(page.neighbours.within.length).toBe(10);
      expect(page.candidates.length).toBeGreaterThan(0);
    }
    ws.close();
  });

  it('resumes a run killed by SIGKILL after a commit and ends with exactly the rows of an uninterrupted run', async () => {
    const dir = join(tmp.path, 'killed');
    (await workspaceWithSae(dir, saePath)).ws.close();
    await killAfterCommits(dir, 2);
    const { ws, saeId } = await workspaceWithSae(dir, saePath);
    expect(withDatabase(ws, (db) => db.integrityCheck())).toEqual(['ok']);
    const open = ws.features.runs.resumable(saeId);
    expect(open?.batchesDone).toBeGreaterThanOrEqual(2);
    const summary = await runIndex(ws, { saeId, ...RUN });
    expect(summary.resumedAtWindow).toBe(open?.windowsDone);
    expect(withDatabase(ws, dump)).toEqual(uninterrupted);
    ws.close();
  });

  it('links features to their nearest decoder directions in the other SAE on the same hook, both ways', async () => {
    const { ws, saeId } = await workspaceWithSae(join(tmp.path, 'siblings'), saePath);
    await runIndex(ws, { saeId, ...RUN, tokens: 2048 });
    const widePath = join(tmp.path, 'wide-sae');
    const wide = randomSae(widePath, 192, 6, 23);
    const wideId = registerSae(ws, widePath, ws.saes.get(saeId)?.modelId ?? undefined).id;
    await runIndex(ws, { saeId: wideId, ...RUN, tokens: 2048 });
    const cosine = (a: Float32Array, i: number, b: Float32Array, j: number) => {
      let dot = 0,
        na = 0,
        nb = 0;
      for (let d = 0; d < 256; d++) {
        dot += a[i * 256 + d] * b[j * 256 + d];
        na += a[i * 256 + d] ** 2;
        nb += b[j * 256 + d] ** 2;
      }
      return dot / Math.sqrt(na * nb);
    };
    const fromWide = ws.features.page({ saeId: wideId, index: 3 }).neighbours.across;
    expect(fromWide.map((n) => n.other.saeId)).toEqual(new Array(10).fill(saeId));
    const best = Math.max(...Array.from({ length: sae.dSae }, (_, j) => cosine(wide.wDec, 3, sae.wDec, j)));
    expect(fromWide[0].cosine).toBeCloseTo(best, 5);
    const fromNarrow = ws.features.page({ saeId, index: 3 }).neighbours;
    expect(fromNarrow.within).toHaveLength(10);
    expect(fromNarrow.across[0].other.saeId).toBe(wideId);
    ws.close();
  });

  it('keeps labels through a re-index and a crash', async () => {
    const dir = join(tmp.path, 'labels');
    const { ws, saeId } = await workspaceWithSae(dir, saePath);
    ws.features.labels.set({ saeId, index: 5 }, { label: 'commas in lists', notes: 'seen in news' }, { author: 'test' });
    ws.close();
    await killAfterCommits(dir, 1);
    const reopened = await workspaceWithSae(dir, saePath);
    await runIndex(reopened.ws, { saeId, ...RUN });
    await runIndex(reopened.ws, { saeId, ...RUN, tokens: 4096 });
    expect(reopened.ws.features.labels.get({ saeId, index: 5 })).toMatchObject({ label: 'commas in lists', notes: 'seen in news' });
    expect(reopened.ws.features.runs.listForSae(saeId)).toHaveLength(1);
    reopened.ws.close();
  });
});

/** Starts the index job in a child process and SIGKILLs it once it has reported `commits` commits. */
function killAfterCommits(dir: string, commits: number): Promise<void> {
  return killIndexAfterCommits(dir, saePath, commits);
}
