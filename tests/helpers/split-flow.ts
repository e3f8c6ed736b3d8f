import { join } from 'node:path';
import type { MatchMeasure, SplitTree } from '../../native/api/types.js';
import { demoResources } from '../../native/demo/resources.js';
import { registerModel, registerSae } from '../../native/registry/catalog.js';
import { runIndex } from '../../native/index/indexer.js';
import { runCompare } from '../../native/maps/compare.js';
import { runTraining } from '../../native/sae/train/run-training.js';
import type { TrainingOutcome } from '../../native/sae/train/run-training.js';
import type { Workspace } from '../../native/store/workspace.js';
import { splitVerdict } from '../../renderer/src/lib/compare/split-verdict.js';
import type { SplitVerdict } from '../../renderer/src/lib/compare/split-verdict.js';
import { splitDefaults } from '../../renderer/src/lib/train/split-form.js';
import type { SplitSettings } from '../../renderer/src/lib/train/split-form.js';
import { withDatabase } from './workspace-database.js';

/**
 * "Split this feature" as the form runs it, on the demo's 512-latent SAE: index it on a slice,
 * choose its clearest "-ed" feature, train with the form's defaults, index the new SAE on the same
 * slice, compare, and read the tree under both measures. Shared by the split benchmark and test.
 */
export interface DefaultSplit {
  feature: number;
  settings: SplitSettings;
  trained: TrainingOutcome;
  trees: Record<MatchMeasure, SplitTree>;
  verdicts: Record<MatchMeasure, SplitVerdict>;
  /** seconds per step */
  seconds: { indexNarrow: number; train: number; indexWide: number; compare: number };
}

const repoRoot = join(import.meta.dirname, '..', '..');

/** The narrow feature whose firings are most often the token "ed" (exact counts over its firings), among those that fire on ≥ 0.2 % of tokens. */
export function clearestEdFeature(ws: Workspace, saeId: string): number {
  const run = ws.features.runs.current(saeId);
  if (!run) throw new Error('the narrow SAE has no index');
  const rows = withDatabase(ws, (db) =>
    db.all<{ feature: number; count: number }>(
      "SELECT feature, value AS count FROM feature_logits WHERE run_id = ? AND kind = 'frequent' AND token = 'ed'",
      [run.id],
    ),
  );
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

export async function runDefaultSplit(ws: Workspace, dir: string, slice: { corpus: string; tokens: number }): Promise<DefaultSplit> {
  const resources = demoResources(join(repoRoot, 'resources'));
  const model = await registerModel(ws, resources.modelDir);
  const narrow = registerSae(ws, resources.saeDirs[0], model.id);
  const time = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const t = performance.now();
    const value = await work();
    return [value, (performance.now() - t) / 1000];
  };
  const [, indexNarrow] = await time(() => runIndex(ws, { saeId: narrow.id, ...slice }));
  const feature = clearestEdFeature(ws, narrow.id);
  const run = ws.features.runs.current(narrow.id)!;
  const settings = splitDefaults(
    { id: narrow.id, dSae: narrow.dSae, k: narrow.k },
    feature,
    'flow',
    ws.features.stats.get(run.id, feature)?.maxAct ?? null,
  );
  const out = join(dir, 'split');
  const [trained, train] = await time(() =>
    runTraining({
      model: resources.modelDir,
      hook: narrow.hookName,
      corpus: settings.corpus,
      dSae: settings.dSae,
      activation: { kind: 'topk', k: settings.k, auxKCoefficient: 1 / 32 },
      tokens: settings.tokens,
      batchTokens: settings.batchTokens,
      out,
      initFrom: narrow.path,
      normalizeInitFrom: settings.normalizeInit,
      zeroFilterFeature: settings.zeroFeature,
      newLatents: settings.newFromData ? 'data' : 'random',
      freezeOthers: settings.freezeOthers,
      filter: { sae: narrow.path, feature, threshold: settings.threshold, background: settings.background },
    }),
  );
  const wide = registerSae(ws, out, model.id);
  const [, indexWide] = await time(() => runIndex(ws, { saeId: wide.id, ...slice }));
  const [compared, compare] = await time(() => runCompare(ws, { saeIds: [narrow.id, wide.id], ...slice, evaluate: false }));
  const tree = (by: MatchMeasure) =>
    ws.compare.tree({ runId: compared.runId, root: { saeId: narrow.id, index: feature }, by, minSimilarity: -1, maxChildren: 256 });
  const trees = { cosine: tree('cosine'), correlation: tree('correlation') };
  const verdicts = {
    cosine: splitVerdict(trees.cosine.root, 'cosine', trained.newLatents),
    correlation: splitVerdict(trees.correlation.root, 'correlation', trained.newLatents),
  };
  return { feature, settings, trained, trees, verdicts, seconds: { indexNarrow, train, indexWide, compare } };
}
