import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PairMatches } from '../../../native/store/compare-table.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { registerSae } from './index-fixtures.js';

const dir = tempDir('across-correlation');
let ws: Workspace;

/** Wide feature f: best parent by cosine f % 3 (correlation 0.5 + f/100), by correlation (f + 1) % 3 (0.6 + f/100); feature 1 never fired. */
function matches(): PairMatches {
  const n = 8;
  const m: PairMatches = {
    cosParent: Int32Array.from({ length: n }, (_, f) => f % 3),
    cos: Float32Array.from({ length: n }, () => 0.8),
    cosParentCorr: Float32Array.from({ length: n }, (_, f) => 0.5 + f / 100),
    corrParent: Int32Array.from({ length: n }, (_, f) => (f + 1) % 3),
    corr: Float32Array.from({ length: n }, (_, f) => 0.6 + f / 100),
    corrParentCos: Float32Array.from({ length: n }, () => 0.3),
    cosParentCofire: Int32Array.from({ length: n }, () => 5),
    corrParentCofire: Int32Array.from({ length: n }, () => 6),
  };
  [m.cosParentCorr[1], m.corr[1], m.corrParent[1], m.corrParentCofire[1]] = [Number.NaN, Number.NaN, -1, -1];
  return m;
}

const neighbour = (saeId: string, index: number, rank: number) => ({
  other: { saeId, index },
  rank,
  cosine: 0.9 - rank / 10,
  correlation: null,
});

beforeAll(() => {
  ws = openWorkspace(join(dir.path, 'ws'));
  registerSae(ws, 'narrow', 3);
  registerSae(ws, 'wide', 8);
  const runs = ws.features.runs;
  const base = { modelId: null, jobId: null, corpusSpec: 'brown', contextLength: 64, tokensTarget: 1024, params: {} };
  const [narrowRun, wideRun] = [runs.create({ ...base, saeId: 'narrow' }), runs.create({ ...base, saeId: 'wide' })];
  const table = ws.features.neighbours;
  table.replaceForFeature(wideRun.id, 5, [neighbour('narrow', 2, 0), neighbour('narrow', 0, 1), neighbour('narrow', 1, 2)]);
  table.replaceForFeature(narrowRun.id, 2, [neighbour('wide', 5, 0), neighbour('wide', 1, 1), neighbour('wide', 4, 2)]);
});
afterAll(() => {
  ws?.close();
  dir.cleanup();
});

describe('cross-SAE neighbour correlations', () => {
  it('stay null before the SAEs are compared, and the page says no comparison exists', () => {
    const page = ws.features.page({ saeId: 'wide', index: 5 });
    expect(page.neighbours.across.map((n) => n.correlation)).toEqual([null, null, null]);
    expect(page.acrossCorrelation).toEqual([{ saeId: 'narrow', compare: null, filled: 0, listed: 3 }]);
  });

  it('come from the stored comparison for the pairs it matched, seen from either SAE', () => {
    const run = ws.compare.put({
      key: 'k',
      saeIds: ['narrow', 'wide'],
      params: { algorithm: 't', corpus: 'brown:news', tokens: 2048, contextLength: 64, candidates: 2 },
      tokens: 2048,
      jobId: null,
      createdAt: '2025-01-01T00:00:00.000Z',
      densities: [new Float32Array(3).fill(0.1), new Float32Array(8).fill(0.1)],
      pairs: [matches()],
    });
    const wide = ws.features.page({ saeId: 'wide', index: 5 });
    // 5's cosine parent is 2 (0.55), its correlation parent 0 (0.65); 1 was not a match of 5.
    expect(wide.neighbours.across.map((n) => [n.other.index, n.correlation])).toEqual([
      [2, expect.closeTo(0.55, 6)],
      [0, expect.closeTo(0.65, 6)],
      [1, null],
    ]);
    expect(wide.acrossCorrelation).toEqual([
      { saeId: 'narrow', compare: { runId: run.id, tokens: 2048, corpus: 'brown:news' }, filled: 2, listed: 3 },
    ]);
    const narrow = ws.features.page({ saeId: 'narrow', index: 2 });
    // Wide 5 has 2 as cosine parent; wide 4 has 2 as correlation parent (0.64); wide 1 never fired.
    expect(narrow.neighbours.across.map((n) => [n.other.index, n.correlation])).toEqual([
      [5, expect.closeTo(0.55, 6)],
      [1, null],
      [4, expect.closeTo(0.64, 6)],
    ]);
    expect(narrow.acrossCorrelation?.[0]).toMatchObject({ filled: 2, listed: 3 });
  });
});
