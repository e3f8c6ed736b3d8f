// An index job that index-crash.test.ts SIGKILLs: it starts or resumes the run of SAE "sae-crash",
// reloads its accumulators from the store, and commits batches with the resume cursor.
// Usage: index-writer-child.ts WORKSPACE HANG_AT
//   HANG_AT = a batch number: that batch is written inside an open transaction that never ends
//             ("mid-batch" is printed once it is), so a kill lands mid-transaction;
//   HANG_AT = -1: run to the end, finish the run, print "finished".
import { Database } from '../../../native/store/database.js';
import { FeatureIndex } from '../../../native/store/feature-index.js';
import type { ExampleInput } from '../../../native/store/feature-examples-table.js';
import type { FeatureStats } from '../../../native/store/feature-stats-table.js';
import type { StoredWindow } from '../../../native/store/windows-table.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import {
  crashBatches,
  crashContext,
  crashFeatures,
  crashHistogram,
  crashTopN,
  crashWindowsPerBatch,
  histogramBin,
  syntheticWindow,
  windowActs,
} from './index-fixtures.js';

const [workspacePath, hangArg] = process.argv.slice(2);
const hangAt = Number(hangArg);
// Opened (and migrated) as the app opens it; then written through a connection of the child's own,
// whose page cache the test shrinks: the Workspace keeps its own private.
const ws = openWorkspace(workspacePath);
const db = new Database(ws.databasePath);
ws.close();
// A small page cache makes SQLite spill uncommitted pages into the WAL mid-transaction.
db.pragma('cache_size = 16');
const index = new FeatureIndex(db);
const run =
  index.runs.resumable('sae-crash') ??
  index.runs.create({
    saeId: 'sae-crash',
    modelId: null,
    jobId: null,
    corpusSpec: 'synthetic',
    contextLength: crashContext,
    tokensTarget: crashBatches * crashWindowsPerBatch * crashContext,
    params: { topN: crashTopN },
  });

// Accumulators, as the last committed batch left them.
const acc = Array.from({ length: crashFeatures }, (_, f) => ({
  fires: 0,
  sum: 0,
  max: 0,
  counts: new Uint32Array(crashHistogram.bins),
  top: [] as { windowIndex: number; maxAct: number }[],
  feature: f,
}));
for (const s of index.stats.range(run.id, 0, crashFeatures)) {
  Object.assign(acc[s.feature], { fires: s.fires, sum: s.meanAct * s.fires, max: s.maxAct, counts: new Uint32Array(s.histogram.counts) });
}
for (const a of acc)
  a.top = index.examples
    .listForFeature(run.id, a.feature)
    .filter((e) => e.kind === 'top')
    .map((e) => ({ windowIndex: e.windowIndex, maxAct: e.maxAct }));

function accumulate(windowIndex: number): void {
  for (const a of acc) {
    const acts = windowActs(a.feature, windowIndex);
    for (const x of acts) {
      if (x <= 0) continue;
      a.fires++;
      a.sum += x;
      a.max = Math.max(a.max, x);
      a.counts[histogramBin(x)]++;
    }
    const maxAct = Math.max(...acts);
    if (maxAct > 0)
      a.top = [...a.top, { windowIndex, maxAct }].sort((p, q) => q.maxAct - p.maxAct || p.windowIndex - q.windowIndex).slice(0, crashTopN);
  }
}

function statsOf(a: (typeof acc)[number], tokensSeen: number): FeatureStats {
  return {
    feature: a.feature,
    tokensSeen,
    fires: a.fires,
    meanAct: a.fires === 0 ? 0 : a.sum / a.fires,
    maxAct: a.max,
    histogram: { log10Min: crashHistogram.log10Min, log10Max: crashHistogram.log10Max, counts: a.counts },
    bandEdges: new Float32Array(0),
  };
}

function* endlessAfter(windows: StoredWindow[]): Generator<StoredWindow> {
  yield* windows;
  process.stdout.write('mid-batch\n');
  const big = 'x'.repeat(64 * 1024);
  for (let i = 0; ; i++) yield { ...syntheticWindow(1_000_000 + i, crashContext), text: big };
}

let cursor = { batchesDone: run.batchesDone, windowsDone: run.windowsDone, tokensDone: run.tokensDone };
for (let b = cursor.batchesDone; b < crashBatches; b++) {
  const windows = Array.from({ length: crashWindowsPerBatch }, (_, i) => syntheticWindow(cursor.windowsDone + i, crashContext));
  windows.forEach((w) => accumulate(w.index));
  const to = { windowsDone: cursor.windowsDone + windows.length, tokensDone: cursor.tokensDone + windows.length * crashContext };
  const last = b === crashBatches - 1;
  const batch = {
    runId: run.id,
    from: cursor,
    to,
    windows,
    stats: acc.map((a) => statsOf(a, to.tokensDone)),
    examples: acc.map((a) => ({
      feature: a.feature,
      items: a.top.map((t, rank): ExampleInput => ({
        kind: 'top',
        band: 0,
        rank,
        windowIndex: t.windowIndex,
        acts: windowActs(a.feature, t.windowIndex),
      })),
    })),
    tokens: last
      ? acc.map((a) => ({
          feature: a.feature,
          items: [{ kind: 'frequent' as const, rank: 0, tokenId: a.feature, token: ` feat${a.feature}`, value: a.fires }],
        }))
      : undefined,
  };
  // Hanging inside commitBatch's own transaction: after the cursor moved and this batch's windows
  // were written, the window stream never ends.
  if (b === hangAt) index.commitBatch({ ...batch, windows: endlessAfter(windows) });
  cursor = index.commitBatch(batch);
  process.stdout.write(`committed ${cursor.batchesDone} ${cursor.windowsDone}\n`);
}
index.finishRun(run.id);
process.stdout.write('finished\n');
db.close();
