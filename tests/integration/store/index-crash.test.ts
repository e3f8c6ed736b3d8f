import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureIndex } from '../../../native/store/feature-index.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import {
  crashBatches,
  crashContext,
  crashFeatures,
  crashWindowsPerBatch,
  expectedStats,
  expectedTop,
  registerSae,
} from './index-fixtures.js';
import { checkSearchIndex, withDatabase } from '../../helpers/workspace-database.js';

const dir = tempDir('index-crash');
afterAll(() => dir.cleanup());

/** Runs index-writer-child.ts; SIGKILLs it when `killOn` matches its output so far. */
function runChild(workspace: string, hangAt: number, killOn: RegExp | null): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'index-writer-child.ts'), workspace, String(hangAt)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (killOn && killOn.test(out)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ out, killed: true });
      else if (code === 0 && killOn === null) resolve({ out, killed: false });
      else reject(new Error(`index writer exited with ${code ?? signal}: ${err}`));
    });
  });
}

/** The last "committed B W" line the child printed. */
function lastCommitted(out: string): { batches: number; windows: number } {
  const lines = [...out.matchAll(/^committed (\d+) (\d+)$/gm)];
  const last = lines[lines.length - 1];
  return last ? { batches: Number(last[1]), windows: Number(last[2]) } : { batches: 0, windows: 0 };
}

/** The one index run of sae-crash (the child creates it, then resumes it). */
function crashRun(index: FeatureIndex) {
  const runs = index.runs.listForSae('sae-crash');
  expect(runs).toHaveLength(1);
  return runs[0];
}

/** Everything the store holds for the run is what batches [0, cursor) produce, nothing more. */
function expectConsistentWithCursor(index: FeatureIndex, windowsDone: number): void {
  const runId = crashRun(index).id;
  expect(index.windows.count(runId)).toBe(windowsDone);
  for (let f = 0; f < crashFeatures; f++) {
    const stored = index.stats.get(runId, f)!;
    const want = expectedStats(f, windowsDone);
    expect([stored.tokensSeen, stored.fires, stored.maxAct, [...stored.histogram.counts]]).toEqual([
      want.tokensSeen,
      want.fires,
      want.maxAct,
      [...want.histogram.counts],
    ]);
    expect(stored.meanAct).toBeCloseTo(want.meanAct, 10);
    const top = index.examples.listForFeature(runId, f).map((e) => ({ windowIndex: e.windowIndex, maxAct: e.maxAct }));
    expect(top).toEqual(expectedTop(f, windowsDone));
  }
}

describe('an index job killed with SIGKILL', () => {
  it('leaves a database that passes integrity_check, with the cursor at the last committed batch, and resumes there', async () => {
    const workspace = join(dir.path, 'ws');
    const setup = openWorkspace(workspace);
    registerSae(setup, 'sae-crash', crashFeatures);
    setup.close();

    // 1. Killed inside batch 3's transaction: batches 0–2 are there, exactly.
    const first = await runChild(workspace, 3, /mid-batch/);
    expect(first.killed).toBe(true);
    expect(lastCommitted(first.out)).toEqual({ batches: 3, windows: 3 * crashWindowsPerBatch });
    let ws = openWorkspace(workspace);
    expect(withDatabase(ws, (db) => db.integrityCheck())).toEqual(['ok']);
    let run = crashRun(ws.features);
    expect([run.state, run.batchesDone, run.windowsDone, run.tokensDone]).toEqual(['running', 3, 24, 24 * crashContext]);
    expectConsistentWithCursor(ws.features, 24);
    ws.close();

    // 2. Resumed, then killed the moment it reports batch 6 committed: wherever the kill lands,
    //    the cursor and the data agree, and nothing committed is lost.
    const second = await runChild(workspace, -1, /committed 6 /);
    expect(second.out.startsWith('committed 4 32\n')).toBe(true);
    ws = openWorkspace(workspace);
    expect(withDatabase(ws, (db) => db.integrityCheck())).toEqual(['ok']);
    run = crashRun(ws.features);
    expect(run.batchesDone).toBeGreaterThanOrEqual(lastCommitted(second.out).batches);
    expect(run.windowsDone).toBe(run.batchesDone * crashWindowsPerBatch);
    expectConsistentWithCursor(ws.features, run.windowsDone);
    ws.close();

    // 3. Resumed to the end: the totals are those of one uninterrupted pass.
    const third = await runChild(workspace, -1, null);
    expect(third.out).toContain('finished');
    ws = openWorkspace(workspace);
    try {
      expect(withDatabase(ws, (db) => db.integrityCheck())).toEqual(['ok']);
      withDatabase(ws, checkSearchIndex);
      const index = ws.features;
      run = crashRun(index);
      expect([run.state, run.batchesDone, run.windowsDone]).toEqual(['done', crashBatches, crashBatches * crashWindowsPerBatch]);
      for (let f = 0; f < crashFeatures; f++) {
        const stored = index.stats.get(run.id, f)!;
        expect([stored.tokensSeen, stored.fires]).toEqual([
          expectedStats(f, run.windowsDone).tokensSeen,
          expectedStats(f, run.windowsDone).fires,
        ]);
        expect(index.examples.listForFeature(run.id, f).map((e) => e.windowIndex)).toEqual(
          expectedTop(f, run.windowsDone).map((e) => e.windowIndex),
        );
      }
      // Finishing kept only the windows some example shows.
      const shown = new Set(
        Array.from({ length: crashFeatures }, (_, f) => expectedTop(f, run.windowsDone).map((e) => e.windowIndex)).flat(),
      );
      expect(index.windows.count(run.id)).toBe(shown.size);
      expect(index.query({ saeId: 'sae-crash', text: 'feat7' }).items.map((i) => i.key.index)).toEqual([7]);
    } finally {
      ws.close();
    }
  });
});
