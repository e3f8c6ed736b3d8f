import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { registerModel, registerSae } from '../../../native/registry/catalog.js';
import { openCorpus } from '../../../native/corpus/open.js';
import { RegisteredInputError } from '../../../native/registry/registered-inputs.js';
import { tokenWindows } from '../../../native/corpus/windows.js';
import { runCompare } from '../../../native/maps/compare.js';
import type { CompareOutcome } from '../../../native/maps/compare.js';
import { loadTransformer } from '../../../native/models/load.js';
import { runForward } from '../../../native/models/forward.js';
import { encodeReference } from '../../../native/sae/reference.js';
import type { SplitTreeNode } from '../../../native/api/types.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeTestSae } from '../index/catalog-fixtures.js';
import { SPLIT_HOOK, splitLevels } from './split-fixtures.js';
import type { SplitLevel } from './split-fixtures.js';
import { withDatabase } from '../../helpers/workspace-database.js';

const dir = tempDir('split-recovery');
const RUN = { corpus: 'brown:ca01-ca04', tokens: 8192, contextLength: 64, evaluate: false } as const;
/** Narrow feature j has j % 4 children at each level: 0 (absorbed), 1 (kept), 2 or 3 (split). */
const children = (j: number) => j % 4;
let ws: Workspace;
let levels: SplitLevel[];
let ids: string[];
let outcome: CompareOutcome;

beforeAll(async () => {
  const paths = ['narrow', 'mid', 'wide'].map((p) => join(dir.path, p));
  levels = splitLevels(paths, { nNarrow: 24, children, novel: 6, k: [4, 8, 16] });
  ws = openWorkspace(join(dir.path, 'ws'));
  const model = await registerModel(ws, DEMO_MODEL);
  ids = paths.map((p) => registerSae(ws, p, model.id).id);
  // Given out of order on purpose: the run orders SAEs by width.
  outcome = await runCompare(ws, { ...RUN, saeIds: [ids[2], ids[0], ids[1]] });
}, 120_000);
afterAll(() => {
  ws?.close();
  dir.cleanup();
});

/** The true children of feature `parent` of level `level - 1` in level `level`. */
function trueChildren(level: number, parent: number): number[] {
  return [...levels[level].parent.keys()].filter((f) => levels[level].parent[f] === parent).sort((a, b) => a - b);
}

describe('matching a wider SAE to a narrower one', () => {
  it('orders the SAEs by width and reads every token asked for', () => {
    expect(outcome).toMatchObject({ saeIds: ids, cached: false, tokens: RUN.tokens });
  });

  it('finds every perturbed feature’s parent by decoder cosine and by activation correlation', () => {
    for (const pair of [0, 1]) {
      const { items, total } = ws.compare.matchPage({ runId: outcome.runId, pair, sort: 'feature', limit: 1000 });
      expect(total).toBe(levels[pair + 1].sae.dSae);
      for (const row of items) {
        const truth = levels[pair + 1].parent[row.feature];
        if (truth < 0) {
          // A random direction in 256 dimensions is nearly orthogonal to all 24–42 narrower ones.
          expect(row.byCosine.cosine).toBeLessThan(0.4);
          continue;
        }
        expect(row.byCosine.index, `pair ${pair}, feature ${row.feature}`).toBe(truth);
        expect(row.byCosine.cosine).toBeGreaterThan(0.9);
        expect(row.byCorrelation?.index, `pair ${pair}, feature ${row.feature} by correlation`).toBe(truth);
        expect(row.byCorrelation?.correlation).toBeGreaterThan(0.4);
      }
    }
  });

  it('lists the split, the new and the absorbed features at a threshold, exactly', () => {
    for (const by of ['cosine', 'correlation'] as const) {
      const threshold = by === 'cosine' ? 0.6 : 0.3;
      const q = { runId: outcome.runId, pair: 0, by, threshold, limit: 1000 };
      const split = ws.compare.groups({ ...q, kind: 'oneToMany' });
      const expected = [...Array(24).keys()].filter((j) => children(j) >= 2);
      expect(split.items.map((g) => g.index).sort((a, b) => a - b)).toEqual(expected);
      for (const g of split.items) expect(g.children.map((c) => c.index).sort((a, b) => a - b)).toEqual(trueChildren(1, g.index));
      const novel = [...levels[1].parent.keys()].filter((f) => levels[1].parent[f] < 0);
      expect(
        ws.compare
          .groups({ ...q, kind: 'unmatchedWide' })
          .items.map((f) => f.index)
          .sort((a, b) => a - b),
      ).toEqual(novel);
      const absorbed = ws.compare.groups({ ...q, kind: 'unmatchedNarrow' });
      expect(absorbed.items.map((f) => f.index)).toEqual([...Array(24).keys()].filter((j) => children(j) === 0));
      expect(split.counts).toEqual({ matched: 36, oneToMany: expected.length, unmatchedWide: novel.length, unmatchedNarrow: 6 });
    }
  });

  it('draws the splitting tree of a feature down to its grandchildren', () => {
    const root = 3; // three children, each with its own j % 4 children
    const tree = ws.compare.tree({
      runId: outcome.runId,
      root: { saeId: ids[0], index: root },
      by: 'cosine',
      minSimilarity: 0.6,
      maxChildren: 32,
    });
    const sorted = (nodes: SplitTreeNode[]) => nodes.map((n) => n.key.index).sort((a, b) => a - b);
    expect(tree.root).toMatchObject({ key: { saeId: ids[0], index: root }, edge: null });
    expect(sorted(tree.root.children)).toEqual(trueChildren(1, root));
    for (const child of tree.root.children) {
      expect(child.key.saeId).toBe(ids[1]);
      expect(child.edge?.cosine).toBeGreaterThan(0.9);
      expect(sorted(child.children)).toEqual(trueChildren(2, child.key.index));
      expect(child.children.every((g) => g.key.saeId === ids[2] && g.children.length === 0)).toBe(true);
    }
    // Children come most similar first.
    const sims = tree.root.children.map((c) => c.edge?.cosine ?? 0);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
  });

  it('stores correlations equal to a plain Pearson over the same tokens (reference encoder, absent = 0)', async () => {
    const { weights, dir: modelDir } = loadTransformer(DEMO_MODEL);
    const tokenizer = await loadTokenizer(modelDir);
    const windows = [];
    for await (const w of tokenWindows(openCorpus(RUN.corpus), tokenizer, { contextLength: RUN.contextLength, maxTokens: RUN.tokens }))
      windows.push(w);
    const data = new BigInt64Array(windows.length * RUN.contextLength);
    windows.forEach((w, i) => w.ids.forEach((id, t) => (data[i * RUN.contextLength + t] = BigInt(id))));
    const forward = await runForward(weights, { dims: [windows.length, RUN.contextLength], data }, { hooks: [SPLIT_HOOK] });
    const all = forward.outputs.get(SPLIT_HOOK)!.data;
    // Only counted positions (not the BOS, padding or burn-in) enter the statistics.
    const rows = windows.flatMap((w, i) =>
      Array.from(w.counted.keys())
        .filter((t) => w.counted[t])
        .map((t) => i * RUN.contextLength + t),
    );
    const x = new Float32Array(rows.length * 256);
    rows.forEach((r, i) => x.set(all.subarray(r * 256, (r + 1) * 256), i * 256));
    const n = rows.length;
    const [narrow, mid] = [levels[0].sae, levels[1].sae].map((sae) => encodeReference(sae, x, n));
    const { items } = ws.compare.matchPage({ runId: outcome.runId, pair: 0, sort: 'feature', limit: 1000 });
    const cofire = new Map(
      withDatabase(ws, (db) =>
        db.all<{ feature: number; cos_cofire: number }>('SELECT feature, cos_cofire FROM compare_matches WHERE run_id = ? AND pair = 0', [
          outcome.runId,
        ]),
      ).map((r) => [r.feature, r.cos_cofire]),
    );
    for (const row of items) {
      const expected = pearson(mid, levels[1].sae.dSae, row.feature, narrow, levels[0].sae.dSae, row.byCosine.index, n);
      expect(row.byCosine.correlation, `feature ${row.feature}`).toBeCloseTo(expected, 4);
      // Co-firings with the cosine parent: tokens where both reference activations are above 0.
      let both = 0;
      for (let t = 0; t < n; t++)
        if (mid[t * levels[1].sae.dSae + row.feature] > 0 && narrow[t * levels[0].sae.dSae + row.byCosine.index] > 0) both++;
      expect(cofire.get(row.feature), `feature ${row.feature}`).toBe(both);
    }
    // The tree turns them into the share of the parent's firings and P(parent | child).
    const root = items[0].byCosine.index;
    const tree = ws.compare.tree({
      runId: outcome.runId,
      root: { saeId: ids[0], index: root },
      by: 'cosine',
      minSimilarity: -1,
      maxChildren: 256,
    });
    let rootFires = 0;
    for (let t = 0; t < n; t++) if (narrow[t * levels[0].sae.dSae + root] > 0) rootFires++;
    expect(tree.root.fires).toBe(rootFires);
    expect(tree.tokens).toBe(n);
    for (const child of tree.root.children) {
      let childFires = 0;
      for (let t = 0; t < n; t++) if (mid[t * levels[1].sae.dSae + child.key.index] > 0) childFires++;
      expect(child.fires).toBe(childFires);
      expect(child.edge?.cofire).toBe(cofire.get(child.key.index));
      expect(child.edge?.parentShare).toBeCloseTo(cofire.get(child.key.index)! / rootFires, 12);
      expect(child.edge?.pParentGivenChild).toBeCloseTo(cofire.get(child.key.index)! / childFires, 12);
    }
  }, 60_000);

  it('reuses a stored comparison of the same SAEs on the same tokens', async () => {
    const again = await runCompare(ws, { ...RUN, saeIds: [ids[0], ids[1], ids[2]] });
    expect(again).toMatchObject({ runId: outcome.runId, cached: true });
  });

  it('refuses SAEs on different hooks, naming both', async () => {
    const other = join(dir.path, 'resid');
    writeTestSae(other, { hook: 'blocks.0.hook_resid_post' });
    const otherId = registerSae(ws, other, 'demo-model').id;
    await expect(runCompare(ws, { ...RUN, saeIds: [ids[0], otherId] })).rejects.toThrow(RegisteredInputError);
    await expect(runCompare(ws, { ...RUN, saeIds: [ids[0], otherId] })).rejects.toThrow(
      /blocks\.0\.hook_mlp_out.*blocks\.0\.hook_resid_post|blocks\.0\.hook_resid_post.*blocks\.0\.hook_mlp_out/,
    );
    await expect(runCompare(ws, { ...RUN, saeIds: [ids[0], 'nope'] })).rejects.toThrow(/no SAE "nope"/);
  });
});

/** Pearson correlation of column a of A [n, dA] and column b of B [n, dB], float64. */
function pearson(A: Float32Array, dA: number, a: number, B: Float32Array, dB: number, b: number, n: number): number {
  let [sa, sb, saa, sbb, sab] = [0, 0, 0, 0, 0];
  for (let t = 0; t < n; t++) {
    const x = A[t * dA + a];
    const y = B[t * dB + b];
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  return (n * sab - sa * sb) / Math.sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
}
