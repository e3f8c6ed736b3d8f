import type { FeatureKey, FeaturePageData, FeatureQuery, FeatureResults } from '../api/types.js';
import type { Database } from './database.js';
import { FeatureCandidatesTable } from './feature-candidates-table.js';
import { FeatureExamplesTable } from './feature-examples-table.js';
import { FeatureLogitsTable } from './feature-logits-table.js';
import { FeatureNeighboursTable } from './feature-neighbours-table.js';
import { featurePage } from './feature-page.js';
import { queryFeatures } from './feature-query.js';
import { FeatureStatsTable } from './feature-stats-table.js';
import { commitIndexBatch, finishIndexRun } from './index-batch.js';
import type { IndexBatch } from './index-batch.js';
import type { IndexCursor } from './index-runs-table.js';
import { IndexRunsTable } from './index-runs-table.js';
import { LabelsStore } from './labels.js';
import { WindowsTable } from './windows-table.js';
import type { FeatureQueue } from '../api/types.js';
import { featureQueue, type FeatureQueueQuery } from './feature-queue.js';

/**
 * The feature index and labels of one workspace database: the verbs the index pipeline (writes)
 * and the features.* / labels.* services (reads, label writes) use.
 */
export class FeatureIndex {
  readonly runs: IndexRunsTable;
  readonly windows: WindowsTable;
  readonly stats: FeatureStatsTable;
  readonly examples: FeatureExamplesTable;
  readonly tokens: FeatureLogitsTable;
  readonly neighbours: FeatureNeighboursTable;
  readonly candidates: FeatureCandidatesTable;
  readonly labels: LabelsStore;

  constructor(readonly db: Database) {
    this.runs = new IndexRunsTable(db);
    this.windows = new WindowsTable(db);
    this.stats = new FeatureStatsTable(db);
    this.examples = new FeatureExamplesTable(db);
    this.tokens = new FeatureLogitsTable(db);
    this.neighbours = new FeatureNeighboursTable(db);
    this.candidates = new FeatureCandidatesTable(db);
    this.labels = new LabelsStore(db);
  }

  commitBatch(batch: IndexBatch): IndexCursor {
    return commitIndexBatch(this.db, batch);
  }

  finishRun(runId: number, now?: string): { deletedRuns: number[]; prunedWindows: number } {
    return finishIndexRun(this.db, runId, now);
  }

  /** features.page */
  page(key: FeatureKey): FeaturePageData {
    return featurePage(this.db, key);
  }

  /** features.search and features.list */
  query(query: FeatureQuery): FeatureResults {
    return queryFeatures(this.db, query);
  }

  /** features.queue */
  queue(query: FeatureQueueQuery): FeatureQueue {
    return featureQueue(this.db, query);
  }
}
