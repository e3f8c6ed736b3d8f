import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { registerSae, syntheticWindow } from './index-fixtures.js';

const dir = tempDir('imports-store');
afterAll(() => dir.cleanup());
let n = 0;
let ws: Workspace;

beforeEach((context) => {
  ws = openWorkspace(join(dir.path, `ws-${++n}`));
  registerSae(ws, 'export', 4);
  registerSae(ws, 'other', 4);
  context.onTestFinished(() => ws.close());
});

const source = { format: 'delphi' as const, path: '/exports/d', absent: ['logits' as const], dataset: null };
const newRun = {
  saeId: 'export',
  modelId: null,
  jobId: null,
  corpusSpec: 'delphi:/exports/d',
  contextLength: 4,
  tokensTarget: 100,
  params: { import: 'delphi' },
};
const stats = (feature: number) => ({
  feature,
  tokensSeen: 8,
  fires: 1,
  meanAct: 1,
  maxAct: 1,
  histogram: { log10Min: -3, log10Max: 1, counts: new Uint32Array(4) },
  bandEdges: new Float32Array(0),
});

describe('Workspace', () => {
  it('keeps its connection private: no db member to reach SQLite through', () => {
    expect('db' in ws).toBe(false);
    expect('db' in ws.features).toBe(false);
    expect(ws.databasePath).toBe(join(ws.path, 'loupe.db'));
  });
});

describe('ws.imports', () => {
  it('creates a run marked with its source, and rewrites the source', () => {
    const run = ws.imports.createRun(newRun, source);
    expect(ws.features.runs.get(run.id)?.saeId).toBe('export');
    expect(ws.imports.source(run.id)).toEqual(source);
    ws.imports.setSource(run.id, { ...source, absent: [] });
    expect(ws.imports.source(run.id)?.absent).toEqual([]);
    expect(ws.imports.source(ws.features.runs.create({ ...newRun, saeId: 'other' }).id)).toBeNull();
  });

  it('commits rows, cursor, the SAE row growth and the context growth together', () => {
    const run = ws.imports.createRun(newRun, source);
    const from = { batchesDone: 0, windowsDone: 0, tokensDone: 0 };
    const cursor = ws.imports.commit(
      {
        runId: run.id,
        from,
        to: { windowsDone: 1, tokensDone: 6 },
        windows: [syntheticWindow(0, 6)],
        stats: [stats(5)],
        state: { 'import.cursor': Uint8Array.of(1) },
      },
      { dSae: { saeId: 'export', features: 6 }, contextLength: 6 },
    );
    expect(cursor).toEqual({ batchesDone: 1, windowsDone: 1, tokensDone: 6 });
    expect(ws.saes.get('export')?.dSae).toBe(6);
    expect(ws.features.runs.get(run.id)?.contextLength).toBe(6);
    expect(ws.features.windows.indices(run.id)).toEqual([0]);
    expect([...(ws.features.state.get(run.id, 'import.cursor') ?? [])]).toEqual([1]);
  });

  it('writes none of a commit whose growth fails: cursor, rows and d_sae stay as they were', () => {
    const run = ws.imports.createRun(newRun, source);
    const from = { batchesDone: 0, windowsDone: 0, tokensDone: 0 };
    expect(() =>
      ws.imports.commit(
        { runId: run.id, from, to: { windowsDone: 1, tokensDone: 6 }, windows: [syntheticWindow(0, 6)], stats: [stats(5)] },
        { dSae: { saeId: 'export', features: 6 }, contextLength: -1 },
      ),
    ).toThrow('contextLength');
    expect(ws.features.runs.get(run.id)).toMatchObject({ batchesDone: 0, windowsDone: 0, contextLength: 4 });
    expect(ws.saes.get('export')?.dSae).toBe(4);
    expect(ws.features.windows.indices(run.id)).toEqual([]);
    expect(ws.features.stats.get(run.id, 5)).toBeUndefined();
  });
});

describe('ws.features.relinkNeighbours', () => {
  it("replaces each feature's neighbours in one SAE and keeps those in others", () => {
    const run = ws.features.runs.create({ ...newRun, saeId: 'other' });
    const nb = (saeId: string, index: number, rank: number) => ({ other: { saeId, index }, rank, cosine: 0.5, correlation: null });
    for (let f = 0; f < 2; f++) ws.features.neighbours.replaceForFeature(run.id, f, [nb('other', 3, 0), nb('export', 1, 0)]);
    ws.features.relinkNeighbours(run.id, 2, 'export', (f) => [nb('export', 2 + f, 0), nb('export', 0, 1)]);
    expect(ws.features.neighbours.listForFeature(run.id, 1)).toEqual([nb('export', 3, 0), nb('export', 0, 1), nb('other', 3, 0)]);
  });
});
