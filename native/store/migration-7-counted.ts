import type { Migration } from './migrations.js';

/**
 * Version 7: which tokens count, and how often features fire together.
 *
 * `windows.counted`: [nTokens] bytes, 1 where the position counts in the run's statistics
 * (corpus/windows.ts: every window starts with the model's BOS, long documents overlap by a burn-in
 * that is read but not counted, short windows end in padding). NULL for windows stored before this
 * version, where every position counted.
 *
 * `compare_matches.cos_cofire` / `corr_cofire`: tokens on which the wide feature and its parent
 * (by cosine, by correlation) both fire, so a splitting tree can show the share of the parent's
 * firings each child covers and P(parent | child). NULL for comparisons made before this version.
 */
export const countedMigration: Migration = {
  version: 7,
  name: 'counted window positions and co-firing counts',
  sql: `
    ALTER TABLE windows ADD COLUMN counted BLOB;
    ALTER TABLE compare_matches ADD COLUMN cos_cofire INTEGER CHECK (cos_cofire >= 0);
    ALTER TABLE compare_matches ADD COLUMN corr_cofire INTEGER CHECK (corr_cofire >= 0);
  `,
};
