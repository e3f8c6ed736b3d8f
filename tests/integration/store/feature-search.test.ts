import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { FeatureQuery, FeatureSummary } from '../../../native/api/types.js';
import type { FeatureToken } from '../../../native/store/feature-logits-table.js';
import { FeatureIndex } from '../../../native/store/feature-index.js';
import { Database } from '../../../native/store/database.js';
import { migrations } from '../../../native/store/migrations.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { registerSae, syntheticWindow } from './index-fixtures.js';
import { checkSearchIndex, withDatabase } from '../../helpers/workspace-database.js';

const dir = tempDir('feature-search');
afterAll(() => dir.cleanup());
let n = 0;
let ws: Workspace;
let index: FeatureIndex;
const me = { author: 'ada', at: '2024-05-01T10:00:00.000Z' };

/** A feature of a finished run: how often it fires, and on which tokens how often (most first); what it boosts. */
interface Fixture {
  fires: number;
  frequent: [string, number][];
  boosted?: string[];
}

/** Indexes `features` (feature i = features[i]) as a finished run of `saeId`. */
function indexRun(saeId: string, features: Fixture[]): number {
  const { id } = index.runs.create({
    saeId,
    modelId: null,
    jobId: null,
    corpusSpec: 'brown',
    contextLength: 16,
    tokensTarget: 1000,
    params: {},
  });
  const tokens = features.map(({ frequent, boosted = [] }, feature) => ({
    feature,
    items: [
      ...frequent.map(([token, value], rank): FeatureToken => ({ kind: 'frequent', rank, tokenId: 10 + rank, token, value })),
      ...boosted.map((token, rank): FeatureToken => ({ kind: 'boosted', rank, tokenId: 50 + rank, token, value: 1 - rank / 10 })),
    ],
  }));
  index.commitBatch({
    runId: id,
    from: { batchesDone: 0, windowsDone: 0, tokensDone: 0 },
    to: { windowsDone: 1, tokensDone: 1000 },
    windows: [syntheticWindow(0, 16)],
    stats: features.map(({ fires }, feature) => ({
      feature,
      tokensSeen: 1000,
      fires,
      meanAct: 1,
      maxAct: 1 + feature,
      histogram: { log10Min: -2, log10Max: 1, counts: Uint32Array.of(fires) },
      bandEdges: new Float32Array(0),
    })),
    tokens,
    coverage: features.map((_, feature) => ({ feature, uncounted: 0, nextCount: 0 })),
  });
  index.finishRun(id);
  return id;
}

beforeEach((context) => {
  ws = openWorkspace(join(dir.path, `ws-${++n}`));
  index = ws.features;
  registerSae(ws, 'narrow', 8);
  registerSae(ws, 'wide', 8);
  indexRun('narrow', [
    {
      fires: 100,
      frequent: [
        [' some', 18],
        [' the', 10],
        ['He', 9],
      ],
    }, // #0: a dense feature with " some" among others
    {
      fires: 50,
      frequent: [
        [' some', 45],
        [' any', 5],
      ],
    }, // #1: almost only " some"
    {
      fires: 40,
      frequent: [
        [' the', 30],
        [' some', 2],
      ],
      boosted: [' something'],
    }, // #2
    {
      fires: 30,
      frequent: [
        ['.', 20],
        [',', 10],
      ],
      boosted: [' some'],
    }, // #3: boosts " some"
    { fires: 10, frequent: [[' dog', 10]] }, // #4
  ]);
  indexRun('wide', [
    {
      fires: 20,
      frequent: [
        [' some', 16],
        [' many', 4],
      ],
    }, // #0
    { fires: 30, frequent: [[' the', 30]] }, // #1
  ]);
  index.labels.set({ saeId: 'narrow', index: 4 }, { label: 'some quantifiers', tags: ['determiner'] }, me);
  index.labels.set(
    { saeId: 'wide', index: 1 },
    { label: 'articles', notes: 'fires on the article before some nouns', tags: ['syntax', 'some-tag'] },
    me,
  );
  context.onTestFinished(() => ws.close());
});

/** The Wilson lower bound (z = 1.96) of c firings out of n: how search weighs a token's share. */
function wilson(c: number, n: number): number {
  const p = c / n;
  const z2 = 1.96 ** 2;
  return (p + z2 / (2 * n) - 1.96 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

const search = (query: Omit<FeatureQuery, 'saeId'> & { saeId?: string }) => index.query({ saeId: 'narrow', ...query });
const keys = (items: FeatureSummary[]) => items.map((i) => `${i.key.saeId}#${i.key.index}`);

describe('features.search by text', () => {
  it('finds features by the exact tokens they fire on, ranked by the token’s share of their firings', () => {
    const found = search({ text: 'some' });
    expect(keys(found.items)).toEqual(['narrow#4', 'narrow#1', 'narrow#0', 'narrow#3', 'narrow#2']);
    const relevance = [1, wilson(45, 50), wilson(18, 100), 0.1, wilson(2, 40)];
    found.items.forEach((item, i) => expect(item.relevance).toBeCloseTo(relevance[i], 12));
    expect(found.items[2].matches).toEqual([{ kind: 'token', token: ' some', share: 0.18 }]);
    expect(found.items[3].matches).toEqual([{ kind: 'boosted', token: ' some', rank: 0 }]);
    expect(found.items[0].matches).toEqual([{ kind: 'label' }]);
  });

  it('takes a trailing * as a prefix, over tokens too', () => {
    const found = search({ text: 'some*' });
    expect(keys(found.items)).toEqual(['narrow#4', 'narrow#1', 'narrow#0', 'narrow#2', 'narrow#3']);
    expect(found.items[3].matches).toEqual([
      { kind: 'boosted', token: ' something', rank: 0 },
      { kind: 'token', token: ' some', share: 0.05 },
    ]);
  });

  it('needs every word to match somewhere: one in the label, another in a token', () => {
    const found = search({ text: 'quantifiers dog' });
    expect(keys(found.items)).toEqual(['narrow#4']);
    expect(found.items[0].matches).toEqual([{ kind: 'label' }, { kind: 'token', token: ' dog', share: 1 }]);
    expect(found.items[0].relevance).toBeCloseTo(1 + wilson(10, 10), 12);
    expect(search({ text: 'quantifiers cat' }).total).toBe(0);
  });

  it('says which tag matched, and quotes the notes around a match', () => {
    const found = search({ saeId: 'wide', text: 'syntax' });
    expect(found.items[0].matches).toEqual([{ kind: 'tag', tag: 'syntax' }]);
    const noted = search({ saeId: 'wide', text: 'nouns' }).items[0];
    expect(noted.matches).toEqual([{ kind: 'notes', excerpt: expect.stringContaining('before some nouns') }]);
    const both = search({ saeId: 'wide', text: 'some' }).items;
    expect(keys(both)).toEqual(['wide#1', 'wide#0']);
    expect(both[0].matches).toEqual([
      { kind: 'tag', tag: 'some-tag' },
      { kind: 'notes', excerpt: expect.stringContaining('some') },
    ]);
    expect(both[0].relevance).toBeCloseTo(1.3, 12);
  });

  it('searches every SAE with allSaes, each result naming its SAE', () => {
    const found = search({ text: 'some', allSaes: true });
    expect(keys(found.items)).toEqual(['wide#1', 'narrow#4', 'narrow#1', 'wide#0', 'narrow#0', 'narrow#3', 'narrow#2']);
    expect(found.items.map((i) => i.saeName)).toEqual(['wide', 'narrow', 'narrow', 'wide', 'narrow', 'narrow', 'narrow']);
    expect(found.items[3].matches).toEqual([{ kind: 'token', token: ' some', share: 0.8 }]);
    expect(found.total).toBe(7);
    expect(found.runId).toBe(index.runs.current('narrow')?.id);
    expect(() => search({ allSaes: true })).toThrow(/allSaes searches by text or token/);
  });

  it('keeps the other sorts, across SAEs too, and pages with a total', () => {
    expect(keys(search({ text: 'some', sort: 'index' }).items)).toEqual(['narrow#0', 'narrow#1', 'narrow#2', 'narrow#3', 'narrow#4']);
    expect(keys(search({ text: 'some', sort: 'density', descending: true }).items)).toEqual([
      'narrow#0',
      'narrow#1',
      'narrow#2',
      'narrow#3',
      'narrow#4',
    ]);
    expect(keys(search({ text: 'some', allSaes: true, sort: 'index' }).items)).toEqual([
      'narrow#0',
      'narrow#1',
      'narrow#2',
      'narrow#3',
      'narrow#4',
      'wide#0',
      'wide#1',
    ]);
    expect(keys(search({ text: 'some', allSaes: true, sort: 'maxAct', descending: true, limit: 3 }).items)).toEqual([
      'narrow#4',
      'narrow#3',
      'narrow#2',
    ]);
    expect(keys(search({ text: 'some', allSaes: true, labelState: 'labelled' }).items)).toEqual(['wide#1', 'narrow#4']);
    const paged = search({ text: 'some', offset: 3, limit: 1 });
    expect([paged.total, keys(paged.items)]).toEqual([5, ['narrow#3']]);
  });
});

describe('features.search by token', () => {
  it('matches the token exactly, ranked by share (weighed by how often the feature fired), with the share as the reason', () => {
    const found = search({ token: ',' });
    expect(keys(found.items)).toEqual(['narrow#3']);
    expect(found.items[0].matches).toEqual([{ kind: 'token', token: ',', share: 10 / 30 }]);
    expect(keys(search({ token: 'THE ', allSaes: true }).items)).toEqual(['wide#1', 'narrow#2', 'narrow#0']);
  });

  it('ranks a feature seen firing a few times, always on the token, below one seen often, mostly on it', () => {
    indexRun('wide', [
      { fires: 4, frequent: [[' dog', 4]] },
      { fires: 400, frequent: [[' dog', 360]] },
    ]);
    const found = search({ saeId: 'wide', token: 'dog' });
    expect(keys(found.items)).toEqual(['wide#1', 'wide#0']);
    expect(found.items.map((i) => i.matches[0])).toEqual([
      { kind: 'token', token: ' dog', share: 0.9 },
      { kind: 'token', token: ' dog', share: 1 },
    ]);
  });
});

describe('migration 8', () => {
  it('empties the old copy of top tokens in the search index and keeps labels searchable', () => {
    // A version-7 workspace (migrations 1–7 only) whose search documents still carry the tokens (as refreshSearchTokens wrote them).
    mkdirSync(join(dir.path, 'old'), { recursive: true });
    const old = new Database(join(dir.path, 'old', 'loupe.db'));
    for (const m of migrations.filter((m) => m.version <= 7)) old.exec(`${m.sql}; PRAGMA user_version = ${m.version}`);
    old.run(`INSERT INTO feature_docs (sae_id, feature, tokens) VALUES ('x', 1, ' some the')`);
    old.run(`INSERT INTO feature_docs (sae_id, feature, label, tokens) VALUES ('x', 2, 'kept', ' dog')`);
    old.close();
    const reopened = openWorkspace(join(dir.path, 'old'));
    try {
      expect(withDatabase(reopened, (db) => db.all('SELECT feature, label, tokens FROM feature_docs ORDER BY feature'))).toEqual([
        { feature: 2, label: 'kept', tokens: '' },
      ]);
      withDatabase(reopened, checkSearchIndex);
      expect(withDatabase(reopened, (db) => db.get('SELECT count(*) AS n FROM feature_frequent_coverage'))).toEqual({ n: 0 });
    } finally {
      reopened.close();
    }
  });
});
