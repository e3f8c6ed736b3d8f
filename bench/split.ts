// Split this feature, end to end, as the form runs it on the demo: index the 512-latent demo SAE on
// the demo's slice, split its clearest "-ed" feature with the form's defaults (train on the tokens
// above a quarter of its max, 16 new latents started from it), index the new SAE on the same slice,
// compare the two, and read the splitting tree under both measures. Times per step; the verdict
// (children that fire on the parent's tokens, dead new latents) in the notes. No limit: the steps
// are dominated by the model forward, whose ratio the forward and index benchmarks report.
import { join } from 'node:path';
import type { SplitTreeNode } from '../native/api/types.js';
import { DEMO_CORPUS, DEMO_TOKENS, demoResources } from '../native/demo/resources.js';
import { registerModel, registerSae } from '../native/index/catalog.js';
import { runIndex } from '../native/index/indexer.js';
import { runCompare } from '../native/maps/compare.js';
import { runTraining } from '../native/sae/train/run-training.js';
import { splitTree } from '../native/store/compare-query.js';
import { openWorkspace } from '../native/store/workspace.js';
import type { Workspace } from '../native/store/workspace.js';
import { isSplitChild } from '../renderer/src/lib/compare/split-verdict.js';
import { splitDefaults } from '../renderer/src/lib/train/split-form.js';
import { tempDir } from '../tests/helpers/tmp.js';
import type { BenchResult } from './types.js';

/** The narrow feature whose firings are most often the token "ed" (exact counts over its firings), among those that fire on ≥ 0.2 % of tokens. */
function clearestEdFeature(ws: Workspace, saeId: string): number {
  const run = ws.features.runs.current(saeId);
  if (!run) throw new Error('the narrow SAE has no index');
  const rows = ws.db.all<{ feature: number; count: number }>("SELECT feature, value AS count FROM feature_logits WHERE run_id = ? AND kind = 'frequent' AND token = 'ed'", [run.id]);
  let best: { feature: number; share: number } | null = null;
  for (const r of rows) {
    const stats = ws.features.stats.get(run.id, r.feature);
    if (!stats || stats.density < 0.002) continue;
    const share = r.count / stats.fires;
    if (!best || share > best.share) best = { feature: r.feature, share };
  }
  if (!best) throw new Error('no feature of the narrow SAE fires mostly on "ed"');
  return best.feature;
}

export async function benchSplit(): Promise<BenchResult[]> {
  const dir = tempDir('bench-split');
  const ws = openWorkspace(join(dir.path, 'ws'));
  try {
    const resources = demoResources(join(import.meta.dirname, '..', 'resources'));
    const model = registerModel(ws, resources.modelDir);
    const narrow = registerSae(ws, resources.saeDirs[0], model.id);
    const slice = { corpus: DEMO_CORPUS, tokens: DEMO_TOKENS };
    let t = performance.now();
    await runIndex(ws, { saeId: narrow.id, ...slice });
    const indexNarrow = (performance.now() - t) / 1000;
    const feature = clearestEdFeature(ws, narrow.id);
    const run = ws.features.runs.current(narrow.id)!;
    const maxAct = ws.features.stats.get(run.id, feature)?.maxAct ?? null;
    const s = splitDefaults({ id: narrow.id, dSae: narrow.dSae, k: narrow.k }, feature, 'bench', maxAct);
    const out = join(dir.path, 'split');
    t = performance.now();
    const trained = await runTraining({
      model: resources.modelDir, hook: narrow.hookName, corpus: s.corpus, dSae: s.dSae, activation: { kind: 'topk', k: s.k, auxKCoefficient: 1 / 32 },
      tokens: s.tokens, batchTokens: s.batchTokens, out, initFrom: narrow.path, normalizeInitFrom: s.normalizeInit, zeroFilterFeature: s.zeroFeature,
      newLatents: s.newFromData ? 'data' : 'random', freezeOthers: s.freezeOthers, filter: { sae: narrow.path, feature, threshold: s.threshold, background: s.background },
    });
    const train = (performance.now() - t) / 1000;
    const wide = registerSae(ws, out, model.id);
    t = performance.now();
    await runIndex(ws, { saeId: wide.id, ...slice });
    const indexWide = (performance.now() - t) / 1000;
    t = performance.now();
    const compared = await runCompare(ws, { saeIds: [narrow.id, wide.id], ...slice, evaluate: false });
    const compare = (performance.now() - t) / 1000;
    const verdict = (['cosine', 'correlation'] as const).map((by) => {
      const tree = splitTree(ws.db, { runId: compared.runId, root: { saeId: narrow.id, index: feature }, by, minSimilarity: -1, maxChildren: 256 });
      const children = tree.root.children.filter(isSplitChild);
      const overlap = children.reduce((sum, c: SplitTreeNode) => sum + (c.edge?.parentShare ?? 0), 0);
      return `${by}: ${children.length} children (P(parent|child) ≥ 0.7, ≥ 20 firings) of ${tree.root.children.length}, Σ coverage ${overlap.toFixed(2)}`;
    });
    const dead = trained.newLatents ? `${trained.newLatents.dead} of ${trained.newLatents.count} new latents dead` : '';
    const timing = (name: string, value: number, note: string): BenchResult => ({ name, value, unit: 's', limit: 0, ratio: 0, note });
    return [
      timing(`split #${feature} of the demo 512: train`, train, `threshold ${s.threshold} (¼ of max ${maxAct?.toFixed(2)}), ${trained.data.tokensKept.toLocaleString('en-US')} tokens kept of ${trained.data.tokensScanned.toLocaleString('en-US')}, ${trained.steps} steps, ${trained.data.epochs.toFixed(0)} epochs; ${dead}`),
      timing('split: index the new SAE', indexWide, `${DEMO_TOKENS.toLocaleString('en-US')} tokens of ${DEMO_CORPUS} (the narrow index took ${indexNarrow.toFixed(1)} s)`),
      timing('split: compare', compare, verdict.join('; ')),
      timing('split: train + index + compare', train + indexWide + compare, 'what the form runs after its button'),
    ];
  } finally {
    ws.close();
    dir.cleanup();
  }
}
