import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_CORPUS } from '../../../native/demo/resources.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { isSplitChild } from '../../../renderer/src/lib/compare/split-verdict.js';
import { runDefaultSplit } from '../../helpers/split-flow.js';
import { tempDir } from '../../helpers/tmp.js';
import { withDatabase } from '../../helpers/workspace-database.js';

/**
 * The headline answer: with the form's defaults, splitting a clear feature of the demo's 512 SAE
 * (its "-ed" feature) gives children that fire on the parent's tokens under both measures, few
 * dead new latents, and leaves the other latents the narrow SAE's own.
 */
const dir = tempDir('split-feature');
const ws = openWorkspace(join(dir.path, 'ws'));
afterAll(() => {
  ws.close();
  dir.cleanup();
});

describe('split this feature, with the form’s defaults, on the demo', () => {
  it('gives ≥ 3 children with P(parent | child) ≥ 0.7 and ≥ 20 firings under both measures, ≤ 20 % dead new latents', async () => {
    const split = await runDefaultSplit(ws, dir.path, { corpus: DEMO_CORPUS, tokens: 131_072 });
    expect(split.trained.newLatents).toMatchObject({ count: 16 });
    expect(split.trained.newLatents!.dead / split.trained.newLatents!.count).toBeLessThanOrEqual(0.2);
    for (const by of ['cosine', 'correlation'] as const) {
      const { children, headline } = split.verdicts[by];
      expect(children.length, `${by}: ${headline}`).toBeGreaterThanOrEqual(3);
      for (const c of children) {
        expect(isSplitChild(c)).toBe(true);
        expect(c.edge!.pParentGivenChild).toBeGreaterThanOrEqual(0.7);
        expect(c.fires).toBeGreaterThanOrEqual(20);
        // A child is one of the new latents or the feature's own copy: the other copies were frozen.
        expect(c.key.index === split.feature || c.key.index >= 512, `child #${c.key.index}`).toBe(true);
      }
    }
    // Trained only on the feature's tokens and background, the frozen copies keep matching themselves exactly.
    const copies = withDatabase(ws, (db) =>
      db.all<{ feature: number; cos_parent: number; cos: number }>(
        'SELECT feature, cos_parent, cos FROM compare_matches WHERE feature < 512 AND feature <> ?',
        [split.feature],
      ),
    );
    expect(copies.length).toBe(511);
    expect(copies.every((r) => r.cos_parent === r.feature && r.cos > 0.9999)).toBe(true);
  }, 600_000);
});
