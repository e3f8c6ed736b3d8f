import type { FeatureQueue } from '../api/types.js';
import { uninterpretableTag } from '../api/types.js';
import type { Database } from './database.js';
import { matchingFeatureIndices, queryFeatures } from './feature-query.js';

export interface FeatureQueueQuery {
  saeId: string;
  text?: string;
  unlabelledOnly: boolean;
  minDensity?: number;
  maxDensity?: number;
}

/**
 * features.queue: the queue's features and the labelling progress in one read transaction. A feature
 * marked uninterpretable (tagged) is reviewed: it leaves an "unlabelled only" queue and counts apart
 * from the labelled ones, as the map counts it.
 */
export function featureQueue(db: Database, q: FeatureQueueQuery): FeatureQueue {
  const text = q.text?.trim() ?? '';
  const density = q.minDensity === undefined && q.maxDensity === undefined ? undefined : { min: q.minDensity, max: q.maxDensity };
  return db.readTransaction(() => {
    const matches = matchingFeatureIndices(db, {
      saeId: q.saeId,
      ...(text ? { text } : {}),
      ...(q.unlabelledOnly ? { labelState: 'unlabelled' as const } : {}),
      ...(density ? { density } : {}),
    });
    const marked = new Set(
      db
        .all<{ feature: number }>('SELECT feature FROM feature_tags WHERE sae_id = ? AND tag = ?', [q.saeId, uninterpretableTag])
        .map((r) => r.feature),
    );
    const labelledAll = matchingFeatureIndices(db, { saeId: q.saeId, labelState: 'labelled' });
    const all = queryFeatures(db, { saeId: q.saeId, limit: 1 });
    return {
      saeId: q.saeId,
      runId: all.runId,
      indices: q.unlabelledOnly ? matches.filter((i) => !marked.has(i)) : matches,
      labelled: labelledAll.filter((i) => !marked.has(i)).length,
      uninterpretable: marked.size,
      total: all.total,
    };
  });
}
