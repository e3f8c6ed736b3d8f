import type { Database } from './database.js';
import { FeatureCandidatesTable } from './feature-candidates-table.js';
import type { FeatureCandidate } from './feature-candidates-table.js';
import { FeatureExamplesTable } from './feature-examples-table.js';
import type { ExampleInput } from './feature-examples-table.js';
import { FeatureLogitsTable } from './feature-logits-table.js';
import type { FeatureToken } from './feature-logits-table.js';
import { FeatureNeighboursTable } from './feature-neighbours-table.js';
import type { FeatureNeighbour } from './feature-neighbours-table.js';
import { FrequentCoverageTable } from './feature-coverage-table.js';
import type { FrequentCoverageRow } from './feature-coverage-table.js';
import { FeatureStatsTable } from './feature-stats-table.js';
import { FeatureLinearHistTable } from './feature-linear-hist-table.js';
import type { LinearHistogram } from './feature-linear-hist-table.js';
import type { FeatureStats } from './feature-stats-table.js';
import { IndexRunsTable } from './index-runs-table.js';
import { IndexStateTable } from './index-state-table.js';
import type { IndexCursor } from './index-runs-table.js';
import { WindowsTable } from './windows-table.js';
import type { StoredWindow } from './windows-table.js';

/** Rows for some features; each listed feature's rows of that kind are replaced whole. */
export interface PerFeature<T> {
  feature: number;
  items: readonly T[];
}

/**
 * What one batch of an index run commits: its data and the cursor after it, together. A process
 * killed at any moment leaves either all of a batch or none of it, and the cursor says which.
 */
export interface IndexBatch {
  runId: number;
  /** The run's cursor before this batch, as the pipeline last read or committed it. */
  from: IndexCursor;
  /** Where the corpus stream stands after this batch. */
  to: { windowsDone: number; tokensDone: number };
  /** New windows (examples below may only point at windows already stored or in this list); may stream. */
  windows?: Iterable<StoredWindow>;
  /** Whole, accumulated stats of the features that changed. */
  stats?: readonly FeatureStats[];
  examples?: readonly PerFeature<ExampleInput>[];
  tokens?: readonly PerFeature<FeatureToken>[];
  neighbours?: readonly PerFeature<FeatureNeighbour>[];
  candidates?: readonly PerFeature<FeatureCandidate>[];
  /** How complete each feature's frequent-token list is (written with the final lists). */
  coverage?: readonly FrequentCoverageRow[];
  /** Histograms as an imported export gives them (linear bins), replaced whole per feature. */
  linearHistograms?: readonly LinearHistogram[];
  /** The run's other accumulators, by name (index-state-table.ts), replaced whole. */
  state?: Readonly<Record<string, Uint8Array>>;
  now?: string;
}

/**
 * Commits a batch in one transaction and returns the new cursor. Throws (writing nothing) when the
 * stored cursor is not `batch.from`: a replayed or out-of-order batch.
 */
export function commitIndexBatch(db: Database, batch: IndexBatch): IndexCursor {
  const now = batch.now ?? new Date().toISOString();
  return db.transaction(() => {
    const cursor = new IndexRunsTable(db).advance(batch.runId, batch.from, batch.to, now);
    const { runId } = batch;
    if (batch.windows) new WindowsTable(db).insertMany(runId, batch.windows);
    if (batch.stats) new FeatureStatsTable(db).upsertMany(runId, batch.stats);
    const examples = new FeatureExamplesTable(db);
    for (const { feature, items } of batch.examples ?? []) examples.replaceForFeature(runId, feature, items);
    const tokens = new FeatureLogitsTable(db);
    for (const { feature, items } of batch.tokens ?? []) tokens.replaceForFeature(runId, feature, items);
    const neighbours = new FeatureNeighboursTable(db);
    for (const { feature, items } of batch.neighbours ?? []) neighbours.replaceForFeature(runId, feature, items);
    const candidates = new FeatureCandidatesTable(db);
    for (const { feature, items } of batch.candidates ?? []) candidates.replaceForFeature(runId, feature, items);
    if (batch.coverage) new FrequentCoverageTable(db).upsertMany(runId, batch.coverage);
    if (batch.linearHistograms) new FeatureLinearHistTable(db).upsertMany(runId, batch.linearHistograms);
    if (batch.state) new IndexStateTable(db).putMany(runId, batch.state);
    return cursor;
  });
}

/**
 * Marks a run done and makes it the SAE's index: older runs of the SAE go (with everything they
 * computed) and windows no example shows go. Labels stay.
 */
export function finishIndexRun(
  db: Database,
  runId: number,
  now = new Date().toISOString(),
): { deletedRuns: number[]; prunedWindows: number } {
  return db.transaction(() => {
    const runs = new IndexRunsTable(db);
    const run = runs.get(runId);
    if (!run) throw new Error(`no index run "${runId}"`);
    runs.setState(runId, 'done', '', now);
    new IndexStateTable(db).deleteRun(runId);
    const older = runs.listForSae(run.saeId).filter((r) => r.id !== runId && r.createdAt <= run.createdAt);
    for (const r of older) runs.delete(r.id);
    const prunedWindows = new WindowsTable(db).pruneUnreferenced(runId);
    return { deletedRuns: older.map((r) => r.id), prunedWindows };
  });
}
