import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeTestSae } from '../index/catalog-fixtures.js';
import { splitLevels } from './split-fixtures.js';
import type { SplitLevel } from './split-fixtures.js';
import { routerCalls } from '../../helpers/router-calls.js';

const dir = tempDir('compare-handlers');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
const SLICE = { corpus: 'brown:ca01-ca02', tokens: 2048, contextLength: 64 };
let levels: SplitLevel[];

const { call, refusal } = routerCalls(router);

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
  levels = splitLevels([join(dir.path, 'narrow'), join(dir.path, 'wide')], { nNarrow: 16, children: (j) => j % 3, novel: 4, k: [4, 8] });
  await call('models.add', { path: DEMO_MODEL });
  for (const name of ['narrow', 'wide']) await call('saes.add', { path: join(dir.path, name), modelId: 'demo-model' });
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('compare.start, compare.get and eval.get', () => {
  it('run the comparison and both evaluations as one job, then summarise them', async () => {
    expect(await call('compare.get', { saeIds: ['wide', 'narrow'] })).toBeNull();
    const job = await call('compare.start', { saeIds: ['wide', 'narrow'], ...SLICE });
    expect(job).toMatchObject({ kind: 'compare.start', title: 'Compare wide vs narrow' });
    await engine.runner.whenIdle();
    const done = (await call('jobs.list', {})).find((j) => j.id === job.id);
    expect(done).toMatchObject({ state: 'done', result: { saeIds: ['narrow', 'wide'], cached: false, evaluated: ['narrow', 'wide'] } });

    const summary = await call('compare.get', { saeIds: ['wide', 'narrow'] });
    expect(summary).toMatchObject({ corpusSpec: 'brown:ca01-ca02', tokens: 2048, contextLength: 64, candidates: 8 });
    expect(summary?.saes.map((s) => [s.saeId, s.dSae, s.k, s.indexed])).toEqual([
      ['narrow', 16, 4, false],
      ['wide', 19, 8, false],
    ]);
    expect(summary?.pairs).toEqual([
      { pair: 0, narrowSaeId: 'narrow', wideSaeId: 'wide', nNarrow: 16, nWide: 19, agree: expect.any(Number) },
    ]);
    for (const s of summary!.saes) {
      expect(s.eval).toMatchObject({ saeId: s.saeId, corpusSpec: 'brown:ca01-ca02', tokens: 2048, contextLength: 64 });
      // TopK keeps k latents; the ReLU after it may zero a few.
      expect(s.eval?.l0).toBeLessThanOrEqual(s.k!);
      expect(s.eval?.l0).toBeGreaterThan(s.k! - 1);
      expect(s.eval?.fvu).toBeGreaterThan(0);
      expect(s.eval?.decoderCosines?.decoder.reduce((a, b) => a + b, 0)).toBe(s.dSae);
    }
    expect(await call('eval.get', { saeId: 'wide' })).toEqual(summary?.saes[1].eval);
  }, 120_000);

  it('reuse the stored comparison and evaluations when asked again', async () => {
    await call('compare.start', { saeIds: ['narrow', 'wide'], ...SLICE });
    await engine.runner.whenIdle();
    const [job] = await call('jobs.list', { limit: 1 });
    expect(job.result).toMatchObject({ cached: true, evaluated: [] });
  });
});

describe('compare.matches, compare.groups, compare.links and compare.tree', () => {
  it('serve pages, groups, links and a tree of the stored run', async () => {
    const { runId } = (await call('compare.get', { saeIds: ['narrow', 'wide'] }))!;
    const page = await call('compare.matches', { runId, pair: 0, sort: 'cosine', descending: true, limit: 5 });
    expect(page.total).toBe(19);
    expect(page.items).toHaveLength(5);
    expect(levels[1].parent[page.items[0].feature]).toBe(page.items[0].byCosine.index);

    const groups = await call('compare.groups', { runId, pair: 0, threshold: 0.6, kind: 'oneToMany' });
    expect(groups.counts).toMatchObject({ oneToMany: 5, unmatchedWide: 4 });
    expect(groups.items.every((g) => g.children.length === 2 && g.index % 3 === 2)).toBe(true);

    const links = await call('compare.links', { runId, pair: 0 });
    expect(links).toMatchObject({ pair: 0, by: 'cosine', nWide: 19 });
    expect(Buffer.from(links.parents, 'base64').byteLength).toBe(76);

    const tree = await call('compare.tree', { runId, root: { saeId: 'narrow', index: 2 }, minSimilarity: 0.6 });
    expect(tree.root.children.map((c) => c.key.index).sort((a, b) => a - b)).toEqual(
      [...levels[1].parent.keys()].filter((f) => levels[1].parent[f] === 2),
    );
  });

  it('refuse a run, pair or root that does not exist with an error naming the field', async () => {
    const { runId } = (await call('compare.get', { saeIds: ['narrow', 'wide'] }))!;
    expect(await refusal('compare.matches', { runId: 999, pair: 0 })).toMatchObject({ error: { code: 'not_found', field: 'runId' } });
    expect(await refusal('compare.matches', { runId, pair: 1 })).toMatchObject({
      error: { code: 'failed', field: 'pair', reason: expect.stringMatching(/pairs 0 to 0/) },
    });
    expect(await refusal('compare.tree', { runId, root: { saeId: 'wide', index: 0 } })).toMatchObject({
      error: { code: 'failed', field: 'root.saeId' },
    });
    expect(await refusal('compare.tree', { runId, root: { saeId: 'narrow', index: 16 } })).toMatchObject({
      error: { code: 'failed', field: 'root.index' },
    });
    expect(await refusal('compare.groups', { runId, pair: 0, threshold: 2, kind: 'oneToMany' })).toMatchObject({
      error: { code: 'invalid_params', field: 'threshold' },
    });
    expect(await refusal('compare.matches', { runId, pair: 0, sort: 'size' })).toMatchObject({
      error: { code: 'invalid_params', field: 'sort' },
    });
  });
});

describe('compare.start and eval.start refuse what cannot run before starting a job', () => {
  it('name the field: one SAE, unknown SAEs, SAEs on two hooks, a bad corpus, too few tokens', async () => {
    writeTestSae(join(dir.path, 'resid'), { hook: 'blocks.0.hook_resid_post' });
    await call('saes.add', { path: join(dir.path, 'resid'), modelId: 'demo-model' });
    expect(await refusal('compare.start', { saeIds: ['narrow'], ...SLICE })).toMatchObject({
      error: { code: 'invalid_params', field: 'saeIds' },
    });
    expect(await refusal('compare.start', { saeIds: ['narrow', 'nope'], ...SLICE })).toMatchObject({
      error: { code: 'not_found', field: 'saeIds', reason: expect.stringMatching(/no SAE "nope"/) },
    });
    expect(await refusal('compare.start', { saeIds: ['narrow', 'resid'], ...SLICE })).toMatchObject({
      error: { code: 'conflict', field: 'saeIds', reason: expect.stringMatching(/one hook/) },
    });
    expect(await refusal('compare.start', { saeIds: ['narrow', 'wide'], ...SLICE, corpus: 'text:/no/such/file.txt' })).toMatchObject({
      error: { code: 'failed', field: 'corpus' },
    });
    expect(await refusal('compare.start', { saeIds: ['narrow', 'wide'], ...SLICE, tokens: 10 })).toMatchObject({
      error: { code: 'failed', field: 'tokens' },
    });
    expect(await refusal('eval.start', { saeId: 'nope', ...SLICE })).toMatchObject({ error: { code: 'not_found', field: 'saeId' } });
    expect(await refusal('eval.start', { saeId: 'narrow', ...SLICE, contextLength: 4096 })).toMatchObject({
      error: { code: 'failed', field: 'contextLength' },
    });
    expect(await refusal('eval.get', { saeId: 'nope' })).toMatchObject({ error: { code: 'not_found', field: 'saeId' } });
  });

  it('eval.start stores a report that eval.get returns', async () => {
    expect(await call('eval.get', { saeId: 'resid' })).toBeNull();
    await call('eval.start', { saeId: 'resid', ...SLICE, tokens: 1024 });
    await engine.runner.whenIdle();
    const [job] = await call('jobs.list', { limit: 1 });
    expect(job).toMatchObject({ kind: 'eval.start', state: 'done' });
    expect(await call('eval.get', { saeId: 'resid' })).toMatchObject({ saeId: 'resid', tokens: 1024, corpusSpec: 'brown:ca01-ca02' });
  }, 60_000);
});
