import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeActs, encodeActs } from '../../../native/store/acts-codec.js';
import { float16Bits, float16Value } from '../../../native/store/blob-codec.js';
import { Database } from '../../../native/store/database.js';
import * as candidatesTable from '../../../native/store/feature-candidates-table.js';
import * as examplesTable from '../../../native/store/feature-examples-table.js';
import { FeatureIndex } from '../../../native/store/feature-index.js';
import { featureKey, parseFeatureKey } from '../../../native/api/feature-key.js';
import * as logitsTable from '../../../native/store/feature-logits-table.js';
import * as neighboursTable from '../../../native/store/feature-neighbours-table.js';
import * as statsTable from '../../../native/store/feature-stats-table.js';
import * as runsTable from '../../../native/store/index-runs-table.js';
import { exportLabels, parseLabelsCsv } from '../../../native/store/labels-io.js';
import { migrations } from '../../../native/store/migrations.js';
import * as windowsTable from '../../../native/store/windows-table.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { registerOldSae, registerSae, syntheticWindow } from './index-fixtures.js';
import { checkSearchIndex, withDatabase } from '../../helpers/workspace-database.js';

const dir = tempDir('feature-index');
afterAll(() => dir.cleanup());
let n = 0;
let ws: Workspace;
let index: FeatureIndex;
const me = { author: 'ada', at: '2024-05-01T10:00:00.000Z' };

beforeEach((context) => {
  ws = openWorkspace(join(dir.path, `ws-${++n}`));
  index = ws.features;
  registerSae(ws, 'sae-a', 64, { neuronpedia_id: 'gpt2-small/0-res-test' });
  registerSae(ws, 'sae-b', 256);
  context.onTestFinished(() => ws.close());
});

const hist = (counts: number[]) => ({ log10Min: -2, log10Max: 1, counts: Uint32Array.from(counts) });
const stats = (feature: number, fires: number, maxAct = 2): statsTable.FeatureStats => ({
  feature,
  tokensSeen: 1000,
  fires,
  meanAct: maxAct / 2,
  maxAct,
  histogram: hist([fires, 0, 1]),
  bandEdges: Float32Array.of(0, 0.5, 1, 2),
});
const acts = (peakAt: number, peak: number) =>
  Float32Array.from({ length: 16 }, (_, i) => (i === peakAt ? peak : i === peakAt + 1 ? peak / 4 : 0));
const token = (kind: logitsTable.TokenListKind, rank: number, text: string, value = 1): logitsTable.FeatureToken => ({
  kind,
  rank,
  tokenId: 100 + rank,
  token: text,
  value,
});

/** An index run of sae-a with data for features 0–9 (feature f fires f times out of 1000). */
function indexRun(topTokens: (f: number) => string[], createdAt: string): number {
  const { id } = index.runs.create(
    { saeId: 'sae-a', modelId: null, jobId: null, corpusSpec: 'brown', contextLength: 16, tokensTarget: 1000, params: {} },
    createdAt,
  );
  index.commitBatch({
    runId: id,
    from: { batchesDone: 0, windowsDone: 0, tokensDone: 0 },
    to: { windowsDone: 6, tokensDone: 96 },
    now: createdAt,
    windows: Array.from({ length: 6 }, (_, w) => syntheticWindow(w, 16)),
    stats: Array.from({ length: 10 }, (_, f) => stats(f, f)),
    examples: Array.from({ length: 10 }, (_, f) => ({
      feature: f,
      items: [
        { kind: 'top' as const, band: 0, rank: 0, windowIndex: 1, acts: acts(3, 2) },
        { kind: 'top' as const, band: 0, rank: 1, windowIndex: 2, acts: acts(5, 1.5) },
        { kind: 'quantile' as const, band: 0, rank: 0, windowIndex: 2, acts: acts(7, 0.25) },
        { kind: 'quantile' as const, band: 2, rank: 0, windowIndex: 4, acts: acts(0, 1.25) },
      ],
    })),
    tokens: Array.from({ length: 10 }, (_, f) => ({ feature: f, items: topTokens(f).map((t, r) => token('frequent', r, t, 10 - r)) })),
  });
  index.finishRun(id, createdAt);
  return id;
}

describe('stored rows', () => {
  it('round trip through each table’s toRow and fromRow', () => {
    const run: runsTable.IndexRun = {
      id: 12,
      saeId: 's',
      modelId: null,
      jobId: 'j',
      corpusSpec: 'brown',
      contextLength: 128,
      tokensTarget: 10,
      tokensDone: 5,
      windowsDone: 1,
      batchesDone: 1,
      state: 'running',
      params: { topN: 20 },
      message: '',
      createdAt: 'a',
      updatedAt: 'b',
      finishedAt: null,
    };
    expect(runsTable.fromRow(runsTable.toRow(run))).toEqual(run);
    const window = syntheticWindow(3, 8);
    expect(windowsTable.fromRow(windowsTable.toRow(window))).toEqual(window);
    const s = stats(4, 7);
    expect(statsTable.fromRow(statsTable.toRow(s))).toEqual({ ...s, density: 0.007 });
    const example = { kind: 'quantile' as const, band: 2, rank: 1, windowIndex: 9, acts: acts(4, 3.5) };
    expect(examplesTable.fromRow(examplesTable.toRow(example))).toEqual({ ...example, maxAct: 3.5, maxPos: 4 });
    const t = token('suppressed', 2, ' The', -1.5);
    expect(logitsTable.fromRow(logitsTable.toRow(t))).toEqual(t);
    const nb = { other: { saeId: 'sae-b', index: 7 }, rank: 0, cosine: 0.75, correlation: null };
    expect(neighboursTable.fromRow(neighboursTable.toRow(nb))).toEqual(nb);
    const c = { rank: 0, tag: 'NN', precision: 0.5, recall: 0.25, f1: 1 / 3 };
    expect(candidatesTable.fromRow(candidatesTable.toRow(c))).toEqual(c);
  });

  it('refuse NaN and infinite statistics instead of letting SQLite store NULL', () => {
    expect(() => statsTable.toRow({ ...stats(1, 1), meanAct: NaN })).toThrow(/feature 1 meanAct must be a finite number/);
    expect(() => neighboursTable.toRow({ other: { saeId: 'x', index: 1 }, rank: 0, cosine: Infinity, correlation: null })).toThrow(
      /cosine/,
    );
    expect(() => encodeActs(Float32Array.of(1, NaN))).toThrow(/NaN at token 1/);
  });

  it('keep per-token activations as float16: every float16 value exactly, others within 2^-11, dense or sparse', () => {
    const mismatches: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const v = float16Value(h);
      if (!Number.isNaN(v) && float16Bits(v) !== h) mismatches.push(h);
    }
    expect(mismatches).toEqual([]);
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    const dense = Float32Array.from({ length: 128 }, (_, i) => (i * 0.137) ** 1.7 + 1e-3);
    const back = decodeActs(encodeActs(dense));
    for (let i = 0; i < dense.length; i++) expect(Math.abs(back[i] - dense[i]) / dense[i]).toBeLessThanOrEqual(2 ** -11);
    expect(encodeActs(dense).byteLength).toBe(4 + 2 * 128);
    const sparse = acts(9, 7.25);
    expect(encodeActs(sparse).byteLength).toBe(4 + 4 * 2);
    expect(decodeActs(encodeActs(sparse))).toEqual(sparse);
    expect(decodeActs(encodeActs(Float32Array.of(1e6, -1e6)))).toEqual(Float32Array.of(65504, -65504));
  });

  it('name features with one key serialiser that round trips any SAE id', () => {
    for (const key of [
      { saeId: 'sae-a', index: 0 },
      { saeId: 'gpt2/blocks.8#x', index: 24575 },
    ])
      expect(parseFeatureKey(featureKey(key))).toEqual(key);
    expect(() => parseFeatureKey('sae-a#-1')).toThrow(/not a feature key/);
  });
});

describe('migration 2', () => {
  it('upgrades a version-1 database and keeps its rows', () => {
    const path = join(dir.path, 'v1');
    const setup = openWorkspace(path);
    setup.close();
    // Rebuild the file as a version-1 database, as Loupe 0.1 left it.
    const file = join(path, 'loupe.db');
    writeFileSync(file, '');
    const db = new Database(file);
    db.exec(migrations[0].sql);
    db.exec('PRAGMA user_version = 1');
    registerOldSae(db, 'old-sae', 32);
    db.run(`INSERT INTO jobs (id, kind, title, params_json, state, created_at) VALUES ('j1', 'index', 'old', '{}', 'done', '2024-01-01')`);
    db.close();

    const upgraded = openWorkspace(path);
    try {
      expect(upgraded.schemaVersion).toBe(migrations[migrations.length - 1].version);
      expect(upgraded.saes.list().map((s) => [s.id, s.dSae])).toEqual([['old-sae', 32]]);
      expect(upgraded.jobs.get('j1')?.state).toBe('done');
      expect(withDatabase(upgraded, (db) => db.integrityCheck())).toEqual(['ok']);
      const labels = upgraded.features.labels;
      labels.set({ saeId: 'old-sae', index: 3 }, { label: 'works' }, me);
      expect(labels.get({ saeId: 'old-sae', index: 3 }).label).toBe('works');
    } finally {
      upgraded.close();
    }
  });
});

describe('index batches', () => {
  it('refuse a batch whose starting cursor is not the stored one, writing nothing', () => {
    const { id } = index.runs.create({
      saeId: 'sae-a',
      modelId: null,
      jobId: null,
      corpusSpec: 'brown',
      contextLength: 16,
      tokensTarget: 64,
      params: {},
    });
    const batch = {
      runId: id,
      from: { batchesDone: 0, windowsDone: 0, tokensDone: 0 },
      to: { windowsDone: 1, tokensDone: 16 },
      windows: [syntheticWindow(0, 16)],
    };
    expect(index.commitBatch(batch)).toEqual({ batchesDone: 1, windowsDone: 1, tokensDone: 16 });
    expect(() => index.commitBatch({ ...batch, windows: [syntheticWindow(1, 16)] })).toThrow(
      /expected a running run at batch 0, window 0.*batch 1, window 1/,
    );
    expect(index.windows.count(id)).toBe(1);
  });
});

describe('labels', () => {
  it('survive rewriting the index tables for their SAE', () => {
    const first = indexRun((f) => [` old${f}`], '2024-01-01T00:00:00.000Z');
    index.labels.set({ saeId: 'sae-a', index: 3 }, { label: 'three', notes: 'kept', tags: ['noun'] }, me);
    const second = indexRun((f) => [` new${f}`], '2024-02-01T00:00:00.000Z');

    expect(index.runs.listForSae('sae-a').map((r) => r.id)).toEqual([second]);
    expect(index.stats.count(first)).toBe(0);
    expect(index.labels.get({ saeId: 'sae-a', index: 3 })).toMatchObject({
      label: 'three',
      notes: 'kept',
      tags: ['noun'],
      updatedBy: 'ada',
    });
    expect(index.labels.history({ saeId: 'sae-a', index: 3 })).toHaveLength(3);
    const found = (text: string) => index.query({ saeId: 'sae-a', text }).items.map((i) => i.key.index);
    expect(found('three')).toEqual([3]);
    expect(found('new3')).toEqual([3]);
    expect(found('old3')).toEqual([]);
    withDatabase(ws, checkSearchIndex);
  });

  it('keep a full history and undo walks back through it, an action at a time', () => {
    const key = { saeId: 'sae-a', index: 5 };
    const at = (m: number) => ({ author: m % 2 ? 'ada' : 'bo', at: `2024-05-01T10:0${m}:00.000Z` });
    index.labels.set(key, { label: 'dogs' }, at(1));
    index.labels.set(key, { label: 'dogs and cats', notes: 'pets?', tags: ['animal', 'noun'] }, at(2));
    index.labels.set(key, { tags: ['animal'] }, at(3));
    expect(index.labels.set(key, { label: 'dogs and cats' }, at(4)).action).toBeNull();

    const history = index.labels.history({ saeId: 'sae-a', index: 5 });
    expect(history.map((e) => [e.field, e.old, e.new, e.author])).toEqual([
      ['tag', 'noun', null, 'ada'],
      ['tag', null, 'noun', 'bo'],
      ['tag', null, 'animal', 'bo'],
      ['notes', '', 'pets?', 'bo'],
      ['label', 'dogs', 'dogs and cats', 'bo'],
      ['label', '', 'dogs', 'ada'],
    ]);
    expect(new Set(history.slice(1, 5).map((e) => e.action)).size).toBe(1);
    expect(history[5]).toEqual({
      id: 1,
      action: 1,
      key,
      field: 'label',
      old: '',
      new: 'dogs',
      author: 'ada',
      at: at(1).at,
      source: 'edit',
      undoes: null,
    });

    expect(index.labels.undo(key, at(5))?.label.tags).toEqual(['animal', 'noun']);
    expect(index.labels.undo(key, at(6))?.label).toMatchObject({ label: 'dogs', notes: '', tags: [] });
    expect(index.labels.undo(key, at(7))?.label).toMatchObject({ label: '', updatedBy: 'ada' });
    expect(index.labels.undo(key, at(8))).toBeNull();
    const undos = index.labels.history({ saeId: 'sae-a', index: 5, limit: 3 });
    expect(undos.every((e) => e.source === 'undo' && e.undoes !== null)).toBe(true);
    // Every column of an event comes back as written: the undo of the first action (event 1).
    expect(undos[0]).toEqual({
      id: 12,
      action: 12,
      key,
      field: 'label',
      old: 'dogs',
      new: '',
      author: 'ada',
      at: at(7).at,
      source: 'undo',
      undoes: 1,
    });
    expect(index.query({ saeId: 'sae-a', text: 'dogs' }).total).toBe(0);
  });

  it('undo without a feature takes back the newest action anywhere in the SAE', () => {
    index.labels.set({ saeId: 'sae-a', index: 1 }, { label: 'one' }, me);
    index.labels.set({ saeId: 'sae-a', index: 2 }, { label: 'two' }, me);
    expect(index.labels.undo({ saeId: 'sae-a' }, me)?.label.key.index).toBe(2);
    expect(index.labels.get({ saeId: 'sae-a', index: 1 }).label).toBe('one');
  });

  it('refuse unknown SAEs, out-of-range features and malformed tags', () => {
    expect(() => index.labels.set({ saeId: 'nope', index: 0 }, { label: 'x' }, me)).toThrow(/no SAE "nope"/);
    expect(() => index.labels.set({ saeId: 'sae-a', index: 64 }, { label: 'x' }, me)).toThrow(/has 64 features; there is no feature 64/);
    expect(() => index.labels.set({ saeId: 'sae-a', index: 1 }, { tags: ['a;b'] }, me)).toThrow(/tag "a;b" is not allowed/);
  });
});

describe('features.search and features.list', () => {
  beforeEach(() => {
    indexRun((f) => [` tok${f}`, f % 2 ? ' The' : '\n'], '2024-01-01T00:00:00.000Z');
    index.labels.set({ saeId: 'sae-a', index: 2 }, { label: 'French words', notes: 'mostly "le" and "la"' }, me);
    index.labels.set({ saeId: 'sae-a', index: 7 }, { label: 'wordplay', tags: ['humour'] }, me);
    index.labels.set({ saeId: 'sae-b', index: 2 }, { label: 'French words' }, me);
  });
  const hits = (q: Omit<Parameters<FeatureIndex['query']>[0], 'saeId'>) =>
    index.query({ saeId: 'sae-a', ...q }).items.map((i) => i.key.index);

  it('find labels, notes, tags and top tokens, within one SAE', () => {
    expect(hits({ text: 'french' })).toEqual([2]);
    expect(hits({ text: 'le' })).toEqual([2]);
    expect(hits({ text: 'humour' })).toEqual([7]);
    expect(hits({ text: 'tok4' })).toEqual([4]);
    expect(hits({ text: 'word*' }).sort()).toEqual([2, 7]);
    expect(hits({ text: 'french words' })).toEqual([2]);
  });

  it('summarise each hit with its top tokens and tags', () => {
    const [hit] = index.query({ saeId: 'sae-a', text: 'humour' }).items;
    expect(hit.tags).toEqual(['humour']);
    expect(hit.topTokens[0]).toBe(' tok7');
    expect(hit.topTokens.length).toBeGreaterThan(0);
  });

  it('take hostile query text literally instead of failing', () => {
    for (const text of ['"', 'AND (', '*', 'NEAR(', 'label:', '-', '^x', "'", '"french', 'words)', 'OR', '""*', 'a AND OR NOT (b']) {
      expect(() => index.query({ saeId: 'sae-a', text }), text).not.toThrow();
    }
    // Only the word AND is left, taken as a word: the notes of feature 2 ("… and …") match it.
    expect(hits({ text: 'AND ( " *' })).toEqual([2]);
    expect(hits({ text: '"french' })).toEqual([2]);
    expect(hits({ text: 'words) AND (' })).toEqual([2]);
    expect(hits({ text: '*' })).toHaveLength(10);
  });

  it('filter by token, label state and density, and page with a total', () => {
    expect(hits({ token: 'the', sort: 'index' })).toEqual([1, 3, 5, 7, 9]);
    expect(hits({ token: '\n', sort: 'index' })).toEqual([0, 2, 4, 6, 8]);
    expect(hits({ labelState: 'labelled' })).toEqual([2, 7]);
    expect(hits({ labelState: 'unlabelled', density: { min: 0.004, max: 0.008 } })).toEqual([4, 5, 6, 8]);
    const page = index.query({ saeId: 'sae-a', sort: 'density', descending: true, offset: 2, limit: 3 });
    expect([page.total, page.items.map((i) => i.key.index)]).toEqual([10, [7, 6, 5]]);
    expect(page.items[0]).toMatchObject({ label: 'wordplay', density: 0.007, maxAct: 2 });
    expect(() => index.query({ saeId: 'sae-a', limit: 0 })).toThrow(/limit must be/);
    expect(() => index.query({ saeId: 'nope' })).toThrow(/no SAE "nope"/);
  });
});

describe('features.page', () => {
  it('assembles everything a page shows as plain data', () => {
    const run = indexRun((f) => [` tok${f}`], '2024-01-01T00:00:00.000Z');
    index.neighbours.replaceForFeature(run, 3, [
      { other: { saeId: 'sae-a', index: 4 }, rank: 0, cosine: 0.9, correlation: 0.5 },
      { other: { saeId: 'sae-b', index: 200 }, rank: 0, cosine: 0.8, correlation: null },
    ]);
    index.candidates.replaceForFeature(run, 3, [{ rank: 0, tag: 'NN', precision: 0.9, recall: 0.4, f1: 0.72 / 1.3 }]);
    index.labels.set({ saeId: 'sae-b', index: 200 }, { label: 'wide twin' }, me);

    const page = index.page({ saeId: 'sae-a', index: 3 });
    expect(JSON.parse(JSON.stringify(page))).toEqual(page);
    expect(page.stats).toMatchObject({ fires: 3, density: 0.003, histogram: { counts: [3, 0, 1] } });
    expect(page.stats?.histogram.edges.map((e) => +e.toPrecision(6))).toEqual([0.01, 0.1, 1, 10]);
    expect(page.windows.map((w) => w.index)).toEqual([1, 2, 4]);
    expect(page.windows[0].tokens.slice(0, 2)).toEqual(['w1t0', ' w1t1']);
    expect(page.top.map((e) => [page.windows[e.window].index, e.maxAct, e.maxPos])).toEqual([
      [1, 2, 3],
      [2, 1.5, 5],
    ]);
    expect(page.top[0].acts.slice(2, 6)).toEqual([0, 2, 0.5, 0]);
    expect(page.quantiles.map((q) => [q.band, q.lo, q.hi, q.examples.length])).toEqual([
      [0, 0, 0.5, 1],
      [2, 1, 2, 1],
    ]);
    expect(page.frequent.map((t) => t.token)).toEqual([' tok3']);
    expect(page.neighbours.within.map((x) => [x.other.index, x.label])).toEqual([[4, '']]);
    expect(page.neighbours.across.map((x) => [x.other.index, x.label])).toEqual([[200, 'wide twin']]);
    expect(page.candidates[0].tag).toBe('NN');
    expect(index.page({ saeId: 'sae-a', index: 63 })).toMatchObject({ stats: null, top: [], run: { id: run } });
    expect(() => index.page({ saeId: 'sae-a', index: 64 })).toThrow(/no feature 64/);
  });
});

describe('loupe labels export | import', () => {
  /** `loupe labels export` of one SAE of the (closed) test workspace, with --np-author when given. */
  const loupeExport = (saeId: string, format: string, out: string, npAuthor?: string) =>
    loupe(
      'labels',
      'export',
      '--workspace',
      ws.path,
      '--sae',
      saeId,
      '--format',
      format,
      ...(npAuthor ? ['--np-author', npAuthor] : []),
      '--out',
      out,
    );

  const tricky = [
    { index: 0, label: 'commas, "quotes" and\nnewlines', notes: 'line 1\r\nline 2, with ""', tags: ['a b', 'ü'] },
    { index: 9, label: '  leading spaces', notes: '', tags: [] },
    { index: 63, label: '=SUM(A1)', notes: 'Ünïcödé ✓ 日本', tags: ['x'] },
  ];

  for (const format of ['json', 'csv'] as const) {
    it(`round trips labels with commas, quotes and newlines through ${format}`, async () => {
      for (const t of tricky) index.labels.set({ saeId: 'sae-a', index: t.index }, { label: t.label, notes: t.notes, tags: t.tags }, me);
      const workspace = ws.path;
      const file = join(dir.path, `labels-${n}.${format}`);
      ws.close();
      const exported = await loupeExport('sae-a', format, file);
      expect(exported, exported.err).toMatchObject({ code: 0 });
      const imported = await loupe('labels', 'import', '--workspace', workspace, '--sae', 'sae-b', '--author', 'cy', file);
      expect(imported, imported.err).toMatchObject({ code: 0 });
      expect(JSON.parse(imported.out)).toMatchObject({ features: 3, changed: 3 });

      ws = openWorkspace(workspace);
      const labels = ws.features.labels;
      const strip = (saeId: string) =>
        labels.listForSae(saeId).map((l) => ({ index: l.key.index, label: l.label, notes: l.notes, tags: l.tags }));
      expect(strip('sae-b')).toEqual(strip('sae-a'));
      expect(strip('sae-b')).toEqual(tricky.map((t) => ({ ...t, tags: [...t.tags].sort() })));
      expect(labels.history({ saeId: 'sae-b', index: 0 }).every((e) => e.author === 'cy' && e.source === 'import')).toBe(true);
    });
  }

  // Neuronpedia's Prisma model Explanation (apps/webapp/prisma/schema.prisma): the columns without a
  // database default that its self-hosted importer (a raw jsonb_to_recordset INSERT) must be given;
  // `id` is a cuid Prisma makes on the client, so a raw insert needs it in the row too.
  const explanationRequired = ['id', 'modelId', 'layer', 'index', 'description', 'authorId'];

  it("exports Explanation rows as .jsonl.gz with every field Neuronpedia's importer needs, ids from the SAE's neuronpedia_id", async () => {
    index.labels.set({ saeId: 'sae-a', index: 4 }, { label: 'four' }, me);
    index.labels.set({ saeId: 'sae-a', index: 5 }, { notes: 'no label yet' }, me);
    index.labels.set({ saeId: 'sae-a', index: 17 }, { label: 'commas, "quotes"\nand ü' }, me);
    const file = join(dir.path, `np-${n}.jsonl.gz`);
    ws.close();
    const noAuthor = await loupeExport('sae-a', 'neuronpedia', file);
    expect(noAuthor.code).toBe(2);
    expect(noAuthor.err).toContain('--np-author');
    const result = await loupeExport('sae-a', 'neuronpedia', file, 'clx0user');
    expect(result, result.err).toMatchObject({ code: 0 });
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.index, r.description])).toEqual([
      ['4', 'four'],
      ['17', 'commas, "quotes"\nand ü'],
    ]);
    for (const row of rows) {
      for (const key of explanationRequired) expect(typeof row[key], key).toBe('string');
      expect(row).toMatchObject({ modelId: 'gpt2-small', layer: '0-res-test', authorId: 'clx0user' });
      expect(row.id).toMatch(/^c[a-z0-9]{24}$/);
      // the importer takes the first row's keys as the columns: every row has the same ones
      expect(Object.keys(row)).toEqual(Object.keys(rows[0]));
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    // the same labels exported again get the same ids (the importer skips conflicts, so a re-import adds nothing)
    const again = join(dir.path, `np-${n}-again.jsonl`);
    await loupeExport('sae-a', 'neuronpedia', again, 'clx0user');
    expect(
      readFileSync(again, 'utf8')
        .split('\n')
        .slice(0, -1)
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(rows.map((r) => r.id));
    ws = openWorkspace(ws.path);
  });

  it('exports the upload-autointerp body, taking the ids from SAELens v6 metadata.neuronpedia_id', async () => {
    registerSae(ws, 'sae-v6', 32, { metadata: { neuronpedia_id: 'gemma-2-2b/12-gemmascope-res-16k' } });
    index.labels.set({ saeId: 'sae-v6', index: 3 }, { label: 'three' }, me);
    const file = join(dir.path, `autointerp-${n}.json`);
    ws.close();
    const result = await loupeExport('sae-v6', 'neuronpedia-autointerp', file, 'me1');
    expect(result, result.err).toMatchObject({ code: 0 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
      { modelId: 'gemma-2-2b', layer: '12-gemmascope-res-16k', index: '3', explanation: 'three', creatorId: 'me1', skipScore: true },
    ]);
    const noIds = await loupeExport('sae-b', 'neuronpedia', file, 'me1');
    expect(noIds.err).toContain('needs --np-model and --np-layer');
    ws = openWorkspace(ws.path);
  });

  it('imports .jsonl.gz explanations: several for one feature become its label history, newest current; other sources refused unless --force', async () => {
    const row = (index: number, description: string, createdAt: string, modelId = 'gpt2-small', layer = '0-res-test') => ({
      id: `c${index}${createdAt.slice(-6, -1)}`,
      modelId,
      layer,
      index: String(index),
      description,
      authorId: 'someone',
      typeName: 'oai_token-act-pair',
      explanationModelName: 'gpt-4o-mini',
      notes: null,
      createdAt,
    });
    const file = join(dir.path, `explanations-${n}.jsonl.gz`);
    const rows = [
      row(7, 'newest: list commas', '2024-03-02T00:00:00.000Z'),
      row(7, 'oldest: punctuation', '2024-01-01T00:00:00.000Z'),
      row(8, 'eight', '2024-02-01T00:00:00.000Z'),
    ];
    writeFileSync(file, gzipSync(`${rows.map((r) => JSON.stringify(r)).join('\n')}\n`));
    const foreign = join(dir.path, `foreign-${n}.jsonl`);
    writeFileSync(foreign, `${JSON.stringify(row(1, 'a gpt2 feature', '2024-01-01T00:00:00.000Z', 'gpt2-small', '6-res-jb'))}\n`);
    ws.close();
    const imported = await loupe('labels', 'import', '--workspace', ws.path, '--sae', 'sae-a', '--author', 'np', file);
    expect(imported, imported.err).toMatchObject({ code: 0 });
    expect(JSON.parse(imported.out)).toMatchObject({ features: 2, explanations: 3, changed: 3 });

    const refused = await loupe('labels', 'import', '--workspace', ws.path, '--sae', 'sae-a', foreign);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("gpt2-small/6-res-jb (1 row), not this SAE's gpt2-small/0-res-test: pass --force");
    const noId = await loupe('labels', 'import', '--workspace', ws.path, '--sae', 'sae-b', foreign);
    expect(noId.err).toContain('this SAE has no Neuronpedia id');
    const forced = await loupe('labels', 'import', '--workspace', ws.path, '--sae', 'sae-b', '--force', foreign);
    expect(forced, forced.err).toMatchObject({ code: 0 });

    ws = openWorkspace(ws.path);
    const labels = ws.features.labels;
    expect(labels.get({ saeId: 'sae-a', index: 7 }).label).toBe('newest: list commas');
    expect(
      labels
        .history({ saeId: 'sae-a', index: 7 })
        .filter((e) => e.field === 'label')
        .map((e) => [e.old, e.new]),
    ).toEqual([
      ['oldest: punctuation', 'newest: list commas'],
      ['', 'oldest: punctuation'],
    ]);
    expect(labels.get({ saeId: 'sae-a', index: 8 }).label).toBe('eight');
    expect(labels.get({ saeId: 'sae-a', index: 1 }).label).toBe('');
    expect(labels.get({ saeId: 'sae-b', index: 1 }).label).toBe('a gpt2 feature');
  });

  it('links each feature of an SAE with a Neuronpedia id to its Neuronpedia page', () => {
    expect(index.page({ saeId: 'sae-a', index: 12 }).neuronpedia).toEqual({
      modelId: 'gpt2-small',
      layer: '0-res-test',
      url: 'https://www.neuronpedia.org/gpt2-small/0-res-test/12',
    });
    expect(index.page({ saeId: 'sae-b', index: 12 }).neuronpedia).toBeNull();
  });

  it('refuses malformed files, naming the problem, and imports nothing', async () => {
    const bad = join(dir.path, 'bad.csv');
    writeFileSync(bad, 'index,label\r\n1,fine\r\n2,"unterminated\r\n');
    ws.close();
    const result = await loupe('labels', 'import', '--workspace', ws.path, '--sae', 'sae-a', bad);
    expect(result.code).toBe(1);
    expect(result.err).toContain('record 3, field 2: the quoted field never ends');
    writeFileSync(bad, 'index,label\r\n1,fine\r\n99,out of range\r\n');
    const outOfRange = await loupe('labels', 'import', '--workspace', ws.path, '--sae', 'sae-a', bad);
    expect(outOfRange.err).toContain('feature 99: SAE "sae-a" has 64 features');
    expect((await loupe('labels', 'rename', '--workspace', ws.path)).code).toBe(2);
    expect((await loupe('labels', 'export', '--workspace', ws.path, '--sae', 'nope', '--out', '-')).err).toContain(
      '--sae nope: no such SAE in the workspace (it has sae-a, sae-b)',
    );
    ws = openWorkspace(ws.path);
    expect(ws.features.labels.listForSae('sae-a')).toEqual([]);
    expect(parseLabelsCsv(exportLabels([], 'csv', { saeId: 'x', exportedAt: 'now' }))).toEqual([]);
  });
});
