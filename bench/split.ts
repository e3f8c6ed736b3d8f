// Split this feature, end to end, as the form runs it on the demo: index the 512-latent demo SAE on
// the demo's slice, split its clearest "-ed" feature with the form's defaults, index the new SAE on
// the same slice, compare the two, and read the splitting tree under both measures
// (tests/helpers/split-flow.ts). Times per step; the verdict (children that fire on the parent's
// tokens, dead new latents) in the notes. No limit: the steps are dominated by the model forward,
// whose ratio the forward and index benchmarks report.
import { join } from 'node:path';
import { DEMO_CORPUS, DEMO_TOKENS } from '../native/demo/resources.js';
import { openWorkspace } from '../native/store/workspace.js';
import { runDefaultSplit } from '../tests/helpers/split-flow.js';
import { tempDir } from '../tests/helpers/tmp.js';
import type { BenchResult } from './types.js';

export async function benchSplit(): Promise<BenchResult[]> {
  const dir = tempDir('bench-split');
  const ws = openWorkspace(join(dir.path, 'ws'));
  try {
    const {
      feature,
      settings: s,
      trained,
      verdicts,
      seconds,
    } = await runDefaultSplit(ws, dir.path, { corpus: DEMO_CORPUS, tokens: DEMO_TOKENS });
    const verdict = (['cosine', 'correlation'] as const).map(
      (by) =>
        `${by}: ${verdicts[by].children.length} children (P(parent|child) ≥ 0.7, ≥ 20 firings) of ${verdicts[by].inTree}, shares add up to ${verdicts[by].covered.toFixed(2)}`,
    );
    const dead = trained.newLatents ? `${trained.newLatents.dead} of ${trained.newLatents.count} new latents dead` : '';
    const timing = (name: string, value: number, note: string): BenchResult => ({ name, value, unit: 's', limit: 0, ratio: 0, note });
    return [
      timing(
        `split #${feature} of the demo 512: train`,
        seconds.train,
        `threshold ${s.threshold}, ${trained.data.tokensKept.toLocaleString('en-US')} rows an epoch (half from the whole corpus) of ${trained.data.tokensScanned.toLocaleString('en-US')} read, ${trained.steps} steps, ${trained.data.epochs.toFixed(0)} epochs; ${dead}`,
      ),
      timing(
        'split: index the new SAE',
        seconds.indexWide,
        `${DEMO_TOKENS.toLocaleString('en-US')} tokens of ${DEMO_CORPUS} (the narrow index took ${seconds.indexNarrow.toFixed(1)} s)`,
      ),
      timing('split: compare', seconds.compare, verdict.join('; ')),
      timing('split: train + index + compare', seconds.train + seconds.indexWide + seconds.compare, 'what the form runs after its button'),
    ];
  } finally {
    ws.close();
    dir.cleanup();
  }
}
