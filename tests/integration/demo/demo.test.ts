import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CORPUS, demoResources, DEMO_TOKENS } from '../../../native/demo/resources.js';
import { findDemo, seedDemo } from '../../../native/demo/seed.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { openCorpus } from '../../../native/corpus/open.js';
import { countedTokens, tokenWindows } from '../../../native/corpus/windows.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { packageRoot, resourcesDir } from '../../../native/host/paths.js';
import { Router } from '../../../native/host/router.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { routerCalls } from '../../helpers/router-calls.js';

const dir = tempDir('demo');
const resources = demoResources(resourcesDir());
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
/** Small enough that indexing both SAEs takes seconds: the demo's steps, not its budget, are under test. */
const tokens = 2048;

const { call } = routerCalls(router);

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('demo resources', () => {
  it('live under the package root and hold the model and both SAEs', () => {
    const demo = join(packageRoot(), 'resources', 'demo');
    expect(resources.modelDir).toBe(join(demo, 'model'));
    expect(resources.saeDirs).toEqual([join(demo, 'saes', 'brown-mlp0-topk512'), join(demo, 'saes', 'brown-mlp0-topk4096')]);
    // The SAE weights ship with Loupe (scripts/train-demo-saes.sh made them): the first launch never trains.
    for (const dir of resources.saeDirs)
      for (const file of ['cfg.json', 'sae_weights.safetensors']) expect(existsSync(join(dir, file)), join(dir, file)).toBe(true);
  });

  it("the demo corpus holds the demo's token budget, so the index never ends short of it", async () => {
    const tokenizer = await loadTokenizer(resources.modelDir);
    let total = 0;
    for await (const w of tokenWindows(openCorpus(DEMO_CORPUS), tokenizer, { contextLength: 128 })) total += countedTokens(w);
    expect(total).toBeGreaterThanOrEqual(DEMO_TOKENS);
    // …and not much more: the genres past the budget would be listed in every job title but never read.
    expect(total).toBeLessThan(DEMO_TOKENS * 1.1);
  }, 60_000);
});

describe('seedDemo', () => {
  it('registers the model and both SAEs once: seeding again changes nothing', async () => {
    const ws = openWorkspace(join(dir.path, 'seed'));
    try {
      expect(findDemo(ws, resources)).toBeNull();
      const first = await seedDemo(ws, resources);
      expect(first.model.registration).toBe('added');
      expect(first.registrations.map((r) => [r.registration, r.dSae, r.modelId])).toEqual([
        ['added', 512, first.modelId],
        ['added', 4096, first.modelId],
      ]);
      const again = await seedDemo(ws, resources);
      expect(again.model.registration).toBe('unchanged');
      expect(again.registrations.map((r) => r.registration)).toEqual(['unchanged', 'unchanged']);
      expect(again.saes.map((s) => s.id)).toEqual(first.saes.map((s) => s.id));
      expect([ws.models.count(), ws.saes.count()]).toEqual([1, 2]);
      expect(findDemo(ws, resources)).toEqual({ modelId: first.modelId, saes: first.saes });
    } finally {
      ws.close();
    }
  });
});

describe('demo.create and demo.status', () => {
  it('a fresh workspace is fresh and not the demo', async () => {
    expect(await call('demo.status', { tokens })).toMatchObject({
      fresh: true,
      demo: false,
      ready: false,
      steps: [],
      firstFeature: null,
      firstFeatureTokens: [],
    });
  });

  it('queues the five steps narrow SAE first, and a second call queues nothing more', async () => {
    const { jobs } = await call('demo.create', { tokens });
    expect(jobs.map((j) => j.kind)).toEqual(['index.start', 'maps.compute', 'index.start', 'maps.compute', 'maps.compute']);
    expect(jobs[0].title).toContain('brown-mlp0-topk512');
    expect(jobs[2].title).toContain('brown-mlp0-topk4096');
    const again = await call('demo.create', { tokens });
    expect(again.jobs.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect((await call('workspace.info', {})).counts).toMatchObject({ models: 1, saes: 2, jobs: 5 });
    const status = await call('demo.status', { tokens });
    expect(status).toMatchObject({ fresh: false, demo: true, ready: false });
    expect(status.steps.map((s) => s.jobId)).toEqual(jobs.map((j) => j.id));
  });

  it('finishes every step; then the demo is ready, with a first feature of the narrow SAE, and queues nothing', async () => {
    await engine.runner.whenIdle();
    const jobs = await call('jobs.list', {});
    expect(jobs.map((j) => [j.kind, j.state, j.error])).toEqual(jobs.map((j) => [j.kind, 'done', null]));
    const status = await call('demo.status', { tokens });
    expect(status.ready).toBe(true);
    expect(status.steps.map((s) => [s.kind, s.saeIds.length, s.done])).toEqual([
      ['index', 1, true],
      ['map', 1, true],
      ['index', 1, true],
      ['map', 1, true],
      ['map', 2, true],
    ]);
    expect(status.firstFeature?.saeId).toBe(status.saes[0].id);
    const page = await call('features.page', status.firstFeature!);
    expect(page.stats?.fires).toBeGreaterThan(0);
    expect(status.firstFeatureTokens).toEqual(page.frequent.slice(0, 4).map((t) => t.token));
    expect(status.firstFeatureTokens.length).toBeGreaterThan(0);
    expect((await call('demo.create', { tokens })).jobs).toEqual([]);
    expect((await call('workspace.info', {})).counts.jobs).toBe(5);
    // Asked without a budget (as the app asks), the card reports what the index read, not the demo's default plan.
    expect(await call('demo.status', {})).toMatchObject({ ready: true, tokens, corpus: DEMO_CORPUS });
    expect(tokens).not.toBe(DEMO_TOKENS);
  }, 120_000);

  it('redoes only what is missing: a deleted map is queued again, alone', async () => {
    const status = await call('demo.status', { tokens });
    const narrow = status.saes[0].id;
    const maps = engine.workspace.maps;
    expect(maps.delete(maps.latestFor([narrow])!.id)).toBe(true);
    expect((await call('demo.status', { tokens })).steps.filter((s) => !s.done).map((s) => s.saeIds)).toEqual([[narrow]]);
    const { jobs } = await call('demo.create', { tokens });
    expect(jobs.map((j) => [j.kind, j.title])).toEqual([['maps.compute', `Map of ${narrow}`]]);
    await engine.runner.whenIdle();
    expect((await call('demo.status', { tokens })).ready).toBe(true);
  }, 60_000);
});
