import type { FeatureKey, FeaturePageData, FeatureQuery, FeatureResults } from '../api/types.js';
import type { Database } from './database.js';
import { FeatureCandidatesTable } from './feature-candidates-table.js';
import { FrequentCoverageTable } from './feature-coverage-table.js';
import { FeatureExamplesTable } from './feature-examples-table.js';
import { FeatureLinearHistTable } from './feature-linear-hist-table.js';
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
import type { FeatureQueue, LabelFileFormat } from '../api/types.js';
import { featureQueue, type FeatureQueueQuery } from './feature-queue.js';
import { IndexStateTable } from './index-state-table.js';
import { topTokensOf } from './feature-top-tokens.js';
import { buildLabelsFile, type BuiltLabelsFile } from './labels-export.js';
import type { NeuronpediaExportTarget } from './labels-neuronpedia.js';
import type { FeatureNeighbour } from './feature-neighbours-table.js';

/**
 * The feature index and labels of one workspace database: the verbs the index pipeline (writes)
 * and the features.* / labels.* services (reads, label writes) use.
 */
export class FeatureIndex {
  readonly runs: IndexRunsTable;
  readonly windows: WindowsTable;
  readonly stats: FeatureStatsTable;
  /** imported runs: the exporter's own linear-bin histograms */
  readonly linearHist: FeatureLinearHistTable;
  readonly examples: FeatureExamplesTable;
  readonly tokens: FeatureLogitsTable;
  /** how complete each feature's frequent-token list is */
  readonly coverage: FrequentCoverageTable;
  readonly neighbours: FeatureNeighboursTable;
  readonly candidates: FeatureCandidatesTable;
  readonly labels: LabelsStore;
  /** the accumulators a resumed run reloads, by name */
  readonly state: IndexStateTable;
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
    this.runs = new IndexRunsTable(db);
    this.windows = new WindowsTable(db);
    this.stats = new FeatureStatsTable(db);
    this.linearHist = new FeatureLinearHistTable(db);
    this.examples = new FeatureExamplesTable(db);
    this.tokens = new FeatureLogitsTable(db);
    this.coverage = new FrequentCoverageTable(db);
    this.neighbours = new FeatureNeighboursTable(db);
    this.candidates = new FeatureCandidatesTable(db);
    this.labels = new LabelsStore(db);
    this.state = new IndexStateTable(db);
  }

  commitBatch(batch: IndexBatch): IndexCursor {
    return commitIndexBatch(this.#db, batch);
  }

  finishRun(runId: number, now?: string): { deletedRuns: number[]; prunedWindows: number } {
    return finishIndexRun(this.#db, runId, now);
  }

  /** features.page */
  page(key: FeatureKey): FeaturePageData {
    return featurePage(this.#db, this, key);
  }

  /** features.search and features.list */
  query(query: FeatureQuery): FeatureResults {
    return queryFeatures(this.#db, query);
  }

  /** features.queue */
  queue(query: FeatureQueueQuery): FeatureQueue {
    return featureQueue(this.#db, query);
  }

  /**
   * One commit (a single transaction, so a kill leaves all of it or none) written as store batches of
   * `chunk` features each, built one chunk at a time by `rows`: a 32k-feature SAE's rows never all
   * exist in memory together. The cursor reaches `to` with the first chunk; later chunks only add rows.
   */
  commitInChunks(
    runId: number,
    cursor: IndexCursor,
    to: IndexBatch['to'],
    dSae: number,
    chunk: number,
    rows: (from: number, end: number) => Omit<IndexBatch, 'runId' | 'from' | 'to'>,
  ): IndexCursor {
    return this.#db.transaction(() => {
      let at = cursor;
      for (let from = 0; from < dSae; from += chunk) {
        at = this.commitBatch({ runId, from: at, to, ...rows(from, Math.min(dSae, from + chunk)) });
      }
      return at;
    });
  }

  /**
   * In one transaction, replaces each of the run's `dSae` features' neighbours in SAE `otherSaeId`
   * with `rowsFor(feature)`, keeping its neighbours in other SAEs (a sibling index linking back).
   */
  relinkNeighbours(runId: number, dSae: number, otherSaeId: string, rowsFor: (feature: number) => FeatureNeighbour[]): void {
    this.#db.transaction(() => {
      for (let f = 0; f < dSae; f++) {
        const kept = this.neighbours.listForFeature(runId, f).filter((n) => n.other.saeId !== otherSaeId);
        this.neighbours.replaceForFeature(runId, f, [...kept, ...rowsFor(f)]);
      }
    });
  }

  /** Each feature's most frequent firing tokens in its SAE's current index run, n per feature. */
  topTokens(saeId: string, features: readonly number[], n?: number): Map<number, string[]> {
    return topTokensOf(this.#db, saeId, features, n);
  }

  /** labels.export and `loupe labels export`: the SAE's labels as one file, with their provenance. */
  labelsFile(
    saeId: string,
    format: LabelFileFormat,
    options: { exportedAt?: string; neuronpedia?: NeuronpediaExportTarget } = {},
  ): BuiltLabelsFile {
    return buildLabelsFile(this.#db, saeId, format, options);
  }
}
