import type { Migration } from './migrations.js';

/**
 * Version 12: how faithful a map is. `maps.quality_json` holds the layout's MapQuality (api/types.ts:
 * kNN recall of the layout against the exact cosine neighbours, next to chance, and the directions'
 * mean nearest cosine next to random directions'), measured when the map is made; NULL for older maps.
 */
export const mapQualityMigration: Migration = {
  version: 12,
  name: 'map quality',
  sql: `ALTER TABLE maps ADD COLUMN quality_json TEXT;`,
};
