import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareKey } from '../../../native/store/compare-table.js';
import type { CompareParams, NewCompareRun, PairMatches } from '../../../native/store/compare-table.js';
import { Database } from '../../../native/store/database.js';
import { evalMetrics } from '../../../native/store/evals-table.js';
import type { EvalReport } from '../../../native/api/eval-report.js';
import { migrations } from '../../../native/store/migrations.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { withDatabase } from '../../helpers/workspace-database.js';

const dir = tempDir('compare-store');
let ws: Workspace;
const params: CompareParams = { algorithm: 'test/v1', corpus: 'brown', tokens: 1024, contextLength: 64, candidates: 2 };

beforeAll(() => {
  ws = openWorkspace(join(dir.path, 'ws'));
});
afterAll(() => {
  ws?.close();
  dir.cleanup();
});

/** Wide feature f's parent f % nNarrow, cosine 1 − f/100; feature 1's correlation cannot be computed. */
function pairOf(nWide: number, nNarrow: number): PairMatches {
  const m: PairMatches = {
    cosParent: Int32Array.from({ length: nWide }, (_, f) => f % nNarrow),
    cos: Float32Array.from({ length: nWide }, (_, f) => 1 - f / 100),
    cosParentCorr: Float32Array.from({ length: nWide }, (_, f) => 0.5 + f / 100),
    corrParent: Int32Array.from({ length: nWide }, (_, f) => (f + 1) % nNarrow),
    corr: Float32Array.from({ length: nWide }, (_, f) => 0.6 + f / 100),
    corrParentCos: Float32Array.from({ length: nWide }, () => 0.25),
    cosParentCofire: Int32Array.from({ length: nWide }, (_, f) => 10 + f),
    corrParentCofire: Int32Array.from({ length: nWide }, (_, f) => 20 + f),
  };
  m.cosParentCorr[1] = Number.NaN;
  m.corr[1] = Number.NaN;
  m.corrParent[1] = -1;
  m.corrParentCofire[1] = -1;
  return m;
}

function run(key: string, overrides: Partial<NewCompareRun> = {}): NewCompareRun {
  return {
    key,
    saeIds: ['narrow', 'wide'],
    params,
    tokens: 1024,
    jobId: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    densities: [new Float32Array([0.1, 0.2, 0.3]), Float32Array.from({ length: 8 }, (_, f) => f / 10)],
    pairs: [pairOf(8, 3)],
    ...overrides,
  };
}

describe('compare_runs and compare_matches', () => {
  it('round-trip a run: NaN correlations come back as null, never as NaN', () => {
    const stored = ws.compare.put(run('a'));
    expect(stored).toMatchObject({ key: 'a', saeIds: ['narrow', 'wide'], dSae: [3, 8], params, tokens: 1024 });
    const page = ws.compare.matchPage({ runId: stored.id, pair: 0, sort: 'feature', limit: 3 });
    expect(page.total).toBe(8);
    expect(page.items[1]).toEqual({
      feature: 1,
      label: '',
      topTokens: [],
      density: expect.closeTo(0.1, 6),
      byCosine: { index: 1, label: '', topTokens: [], cosine: expect.closeTo(0.99, 6), correlation: null },
      byCorrelation: null,
    });
    expect(page.items[0].byCorrelation).toEqual({ index: 1, label: '', topTokens: [], cosine: 0.25, correlation: expect.closeTo(0.6, 6) });
    expect(ws.compare.densities(stored.id, 0)).toEqual(new Float32Array([0.1, 0.2, 0.3]));
  });

  it('pages sorted by correlation with the uncomputable ones last in either direction', () => {
    const { id } = ws.compare.latestFor(['narrow', 'wide'])!;
    for (const descending of [false, true]) {
      const items = ws.compare.matchPage({ runId: id, pair: 0, sort: 'correlation', descending, limit: 100 }).items;
      expect(items.at(-1)?.feature).toBe(1);
      const corrs = items.slice(0, -1).map((r) => r.byCorrelation!.correlation!);
      expect(corrs).toEqual([...corrs].sort((a, b) => (descending ? b - a : a - b)));
    }
    const second = ws.compare.matchPage({ runId: id, pair: 0, sort: 'cosine', descending: true, offset: 3, limit: 2 });
    expect(second.items.map((r) => r.feature)).toEqual([3, 4]);
    expect(ws.compare.matchPage({ runId: id, pair: 0, sort: 'feature', disagreeing: true, limit: 100 }).total).toBe(7);
  });

  it('packs links as little-endian int32 parents and float32 similarities', () => {
    const { id } = ws.compare.latestFor(['narrow', 'wide'])!;
    const links = ws.compare.links(id, 0, 'correlation');
    const parents = new Int32Array(Uint8Array.from(Buffer.from(links.parents, 'base64')).buffer);
    expect(Array.from(parents)).toEqual([1, -1, 0, 1, 2, 0, 1, 2]);
    expect(links).toMatchObject({ pair: 0, by: 'correlation', nWide: 8 });
  });

  it('replaces a run with the same key and keys on fingerprints and every parameter', () => {
    const table = ws.compare;
    const first = table.put(run('same'));
    const second = table.put(run('same', { tokens: 512 }));
    expect(table.get(first.id)).toBeUndefined();
    expect(table.getByKey('same')?.id).toBe(second.id);
    expect(
      withDatabase(ws, (db) => db.get<{ n: number }>('SELECT count(*) AS n FROM compare_matches WHERE run_id = ?', [first.id]))?.n,
    ).toBe(0);
    const saes = [
      { id: 'a', fingerprint: 'f1' },
      { id: 'b', fingerprint: 'f2' },
    ];
    const key = compareKey(saes, params);
    expect(compareKey([saes[0], { id: 'b', fingerprint: 'f3' }], params)).not.toBe(key);
    expect(compareKey(saes, { ...params, tokens: 2048 })).not.toBe(key);
    expect(compareKey(saes, { ...params, candidates: 4 })).not.toBe(key);
  });

  it('refuses a NaN cosine, a parent outside the narrow SAE and a density above 1, naming the feature', () => {
    const table = ws.compare;
    const nanCos = pairOf(8, 3);
    nanCos.cos[5] = Number.NaN;
    expect(() => table.put(run('bad', { pairs: [nanCos] }))).toThrow(/pair 0, feature 5 cosine must be a finite number/);
    const outside = pairOf(8, 3);
    outside.cosParent[2] = 3;
    expect(() => table.put(run('bad', { pairs: [outside] }))).toThrow(/feature 2: parent 3 is outside the narrow SAE's 3 features/);
    expect(() => table.put(run('bad', { densities: [new Float32Array(3), new Float32Array(8).fill(1.5)] }))).toThrow(
      /feature 0: density 1.5 is outside \[0, 1\]/,
    );
    expect(table.getByKey('bad')).toBeUndefined();
  });
});

describe('sae_evals', () => {
  it('keeps the newest report per SAE and fingerprint, and finds one by its tokens', () => {
    const evals = ws.evals;
    const base = { saeId: 's', fingerprint: 'f1', corpusSpec: 'brown', tokens: 1024, contextLength: 64, jobId: null, report: report(0.2) };
    evals.put({ ...base, createdAt: '2025-01-01T00:00:00Z' });
    evals.put({ ...base, tokens: 2048, createdAt: '2025-01-02T00:00:00Z', report: report(0.1) });
    expect(evals.latest('s', 'f1')?.tokens).toBe(2048);
    expect(evals.latest('s', 'f2')).toBeUndefined();
    const found = evals.find('s', 'f1', 'brown', 1024, 64)!;
    expect(evalMetrics(found)).toMatchObject({
      saeId: 's',
      fvu: 0.2,
      l0: 16,
      deadFraction: 0.25,
      lossRecovered: null,
      ablationSparsity: null,
      decoderCosines: null,
    });
  });

  it('arrive with migration 5 on a workspace of version 4, leaving its maps alone', () => {
    const path = join(dir.path, 'old');
    openWorkspace(path).close();
    const file = join(path, 'loupe.db');
    writeFileSync(file, '');
    const db = new Database(file);
    for (const m of migrations.filter((m) => m.version <= 4)) db.exec(m.sql);
    db.exec('PRAGMA user_version = 4');
    db.run(`INSERT INTO maps (key, sae_ids_json, params_json, created_at) VALUES ('m', '["a"]', '{}', '2024-01-01')`);
    db.close();
    const upgraded = openWorkspace(path);
    try {
      expect(upgraded.schemaVersion).toBeGreaterThanOrEqual(5);
      expect(withDatabase(upgraded, (db) => db.get<{ key: string }>('SELECT key FROM maps'))?.key).toBe('m');
      upgraded.compare.put(run('after-upgrade'));
      expect(withDatabase(upgraded, (db) => db.integrityCheck())).toEqual(['ok']);
    } finally {
      upgraded.close();
    }
  });
});

/** A report with the fields evalMetrics reads. */
function report(fvu: number): EvalReport {
  return {
    model: 'm',
    hook: 'h',
    sae: { path: 'p', format: 'saelens', dIn: 4, dSae: 8, activation: 'topk' },
    tokens: 1024,
    windows: 16,
    contextLength: 64,
    provider: 'cpu',
    reconstruction: { fvu, explainedVariance: 1 - fvu, mse: 0.01, baselineSquaredError: 1, l0: 16 },
    latents: {
      dSae: 8,
      dead: { count: 2, fraction: 0.25, definition: '' },
      dense: { count: 0, fraction: 0, threshold: 0.1, definition: '' },
    },
    crossEntropy: { clean: 3, sae: 3.5, zeroAblated: 3.5, lossRecovered: null, deltaLoss: 0.5, predictedTokens: 1008 },
    ablationSparsity: null,
    decoderCosines: null,
  };
}
