import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureResults, TrainJobResult, TrainPoint } from '../../../native/api/types.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { labelAuthor } from '../../../native/host/handlers/labels.js';
import { Router } from '../../../native/host/router.js';
import type { FeatureToken } from '../../../native/store/feature-logits-table.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeTestSae } from '../index/catalog-fixtures.js';
import { syntheticWindow } from '../store/index-fixtures.js';
import { routerCalls } from '../../helpers/router-calls.js';
import { jobDataSent, type RecordedEvent } from '../../helpers/engine-events.js';
import { runningJobRecord } from '../../helpers/job-record.js';

const dir = tempDir('features-handlers');
const events: RecordedEvent[] = [];
const engine = new Engine((name, payload) => events.push({ name, payload }));
const router = new Router(createHandlers(engine));
const saePath = join(dir.path, 'saes', 'res0');

const { call, refusal } = routerCalls(router);

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
  writeTestSae(saePath);
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('models.add and saes.add', () => {
  it('register the demo model and an SAE on it, and list them', async () => {
    const model = await call('models.add', { path: DEMO_MODEL });
    expect(model).toMatchObject({ id: 'demo-model', dModel: 256, registration: 'added' });
    const sae = await call('saes.add', { path: saePath, modelId: model.id });
    expect(sae).toMatchObject({ id: 'res0', modelId: 'demo-model', dIn: 256, dSae: 64, k: 4, registration: 'added' });
    expect((await call('saes.add', { path: saePath })).registration).toBe('unchanged');
    expect((await call('saes.list', { modelId: 'demo-model' })).map((s) => s.id)).toEqual(['res0']);
    expect((await call('workspace.info', {})).counts).toMatchObject({ models: 1, saes: 1 });
  });

  it('answer a bad path or a width mismatch with a structured error naming the field', async () => {
    const missing = join(dir.path, 'nowhere');
    expect(await refusal('models.add', { path: missing })).toEqual({
      ok: false,
      error: { code: 'not_found', method: 'models.add', field: 'path', reason: `${missing}: no such file or folder` },
    });
    const narrow = join(dir.path, 'saes', 'narrow');
    writeTestSae(narrow, { dIn: 128 });
    expect(await refusal('saes.add', { path: narrow, modelId: 'demo-model' })).toMatchObject({
      error: { code: 'failed', method: 'saes.add', field: 'modelId', reason: expect.stringMatching(/d_in = 128 .* 256 wide/) },
    });
  });
});

describe('labels.set, labels.history and labels.undo', () => {
  it('round trip: each change is in the history under the engine user, and undo walks it back', async () => {
    const key = { saeId: 'res0', index: 7 };
    const first = await call('labels.set', { ...key, label: 'commas', tags: ['punct'] });
    expect(first).toMatchObject({ key, label: 'commas', notes: '', tags: ['punct'], updatedBy: labelAuthor() });
    const second = await call('labels.set', { ...key, notes: 'fires after a clause', tags: ['syntax', 'punct'] });
    expect(second).toMatchObject({ label: 'commas', notes: 'fires after a clause', tags: ['punct', 'syntax'] });
    const history = await call('labels.history', { ...key });
    expect(history.map((e) => [e.field, e.old, e.new])).toEqual([
      ['tag', null, 'syntax'],
      ['notes', '', 'fires after a clause'],
      ['tag', null, 'punct'],
      ['label', '', 'commas'],
    ]);
    expect(new Set(history.map((e) => e.author))).toEqual(new Set([labelAuthor()]));
    expect(await call('labels.history', { saeId: 'res0', limit: 1 })).toHaveLength(1);
    expect(await call('labels.undo', { ...key })).toMatchObject({ label: 'commas', notes: '', tags: ['punct'] });
    expect(await call('labels.undo', { saeId: 'res0' })).toMatchObject({ key, label: '', notes: '', tags: [] });
    expect(await call('labels.undo', { saeId: 'res0' })).toBeNull();
    const undos = (await call('labels.history', { ...key })).filter((e) => e.source === 'undo');
    expect(undos).toHaveLength(4);
  });

  it('refuses a feature the SAE does not have and an SAE the workspace does not have', async () => {
    expect(await refusal('labels.set', { saeId: 'res0', index: 64, label: 'x' })).toMatchObject({
      error: { code: 'not_found', method: 'labels.set', field: 'index' },
    });
    expect(await refusal('labels.history', { saeId: 'nope' })).toMatchObject({
      error: { code: 'not_found', method: 'labels.history', field: 'saeId' },
    });
    expect(await refusal('labels.undo', { saeId: 'nope' })).toMatchObject({
      error: { code: 'not_found', method: 'labels.undo', field: 'saeId' },
    });
  });
});

/** An index run of res0 written with the store's own verbs: feature f fires f times in 1000 tokens. */
function writeIndexRun(): number {
  const features = engine.workspace.features;
  const now = '2024-06-01T00:00:00.000Z';
  const { id } = features.runs.create(
    { saeId: 'res0', modelId: 'demo-model', jobId: null, corpusSpec: 'brown', contextLength: 16, tokensTarget: 1000, params: {} },
    now,
  );
  const acts = (at: number, peak: number) => Float32Array.from({ length: 16 }, (_, i) => (i === at ? peak : 0));
  const token = (rank: number, text: string): FeatureToken => ({
    kind: 'frequent',
    rank,
    tokenId: 100 + rank,
    token: text,
    value: 10 - rank,
  });
  features.commitBatch({
    runId: id,
    from: { batchesDone: 0, windowsDone: 0, tokensDone: 0 },
    to: { windowsDone: 4, tokensDone: 64 },
    now,
    windows: Array.from({ length: 4 }, (_, w) => syntheticWindow(w, 16)),
    stats: Array.from({ length: 10 }, (_, f) => ({
      feature: f,
      tokensSeen: 1000,
      fires: f,
      meanAct: f / 2,
      maxAct: f,
      histogram: { log10Min: -2, log10Max: 1, counts: Uint32Array.of(f, 0, 1) },
      bandEdges: new Float32Array(0),
    })),
    examples: Array.from({ length: 10 }, (_, f) => ({
      feature: f,
      items: [{ kind: 'top' as const, band: 0, rank: 0, windowIndex: f % 4, acts: acts(3, f + 0.5) }],
    })),
    tokens: Array.from({ length: 10 }, (_, f) => ({ feature: f, items: [token(0, f % 2 === 0 ? ' dog' : ' cat'), token(1, ` w${f}`)] })),
  });
  features.finishRun(id, now);
  return id;
}

describe('features.page, features.search and features.list', () => {
  let runId: number;
  beforeAll(() => {
    runId = writeIndexRun();
  });

  it('features.page returns the stored statistics, examples, tokens and label of a feature', async () => {
    await call('labels.set', { saeId: 'res0', index: 3, label: 'three' });
    const page = await call('features.page', { saeId: 'res0', index: 3 });
    expect(page.run).toMatchObject({ id: runId, corpusSpec: 'brown', contextLength: 16, state: 'done' });
    expect(page.stats).toMatchObject({
      tokensSeen: 1000,
      fires: 3,
      density: 0.003,
      meanAct: 1.5,
      maxAct: 3,
      histogram: { counts: [3, 0, 1] },
    });
    expect(page.label.label).toBe('three');
    expect(page.windows).toEqual([{ index: 3, docId: 'doc-0', tokens: syntheticWindow(3, 16).text.split(/(?= )/) }]);
    expect(page.top).toEqual([{ window: 0, maxAct: 3.5, maxPos: 3, acts: Array.from(acts16(3, 3.5)) }]);
    expect(page.frequent.map((t) => t.token)).toEqual([' cat', ' w3']);
    expect(await refusal('features.page', { saeId: 'res0', index: 64 })).toMatchObject({
      error: { code: 'not_found', method: 'features.page', field: 'index' },
    });
  });

  it('features.search maps text, token, label state and density bounds onto the query', async () => {
    const indices = (r: FeatureResults) => r.items.map((i) => i.key.index);
    expect(indices(await call('features.search', { saeId: 'res0', token: 'DOG ', sort: 'index' }))).toEqual([0, 2, 4, 6, 8]);
    expect(indices(await call('features.search', { saeId: 'res0', text: 'three' }))).toEqual([3]);
    expect(indices(await call('features.search', { saeId: 'res0', minDensity: 0.004, maxDensity: 0.006 }))).toEqual([4, 5, 6]);
    expect(indices(await call('features.search', { saeId: 'res0', labelState: 'labelled' }))).toEqual([3]);
    const paged = await call('features.search', { saeId: 'res0', token: 'cat', sort: 'maxAct', descending: true, offset: 1, limit: 2 });
    expect(paged).toMatchObject({ total: 5, offset: 1, runId });
    expect(indices(paged)).toEqual([7, 5]);
    expect(await refusal('features.search', { saeId: 'nope' })).toMatchObject({
      error: { code: 'not_found', method: 'features.search', field: 'saeId' },
    });
  });

  it('features.list pages through the run in the chosen order', async () => {
    const page = await call('features.list', { saeId: 'res0', sort: 'density', descending: true, offset: 0, limit: 3 });
    expect(page.total).toBe(10);
    expect(page.items.map((i) => [i.key.index, i.density])).toEqual([
      [9, 0.009],
      [8, 0.008],
      [7, 0.007],
    ]);
    expect((await call('features.list', { saeId: 'res0', sort: 'index', offset: 9, limit: 5 })).items.map((i) => i.key.index)).toEqual([9]);
  });

  it('features.queue selects a label queue in one call, as paging features.list and filtering would', async () => {
    await call('labels.set', { saeId: 'res0', index: 5, label: 'five' });
    await call('labels.set', { saeId: 'res0', index: 6, tags: ['uninterpretable'] });
    await call('labels.set', { saeId: 'res0', index: 7, label: 'seven', tags: ['uninterpretable', 'x'] });
    // The reference: every feature as features.list gives it, filtered in plain TypeScript.
    const all = (await call('features.list', { saeId: 'res0', sort: 'index', offset: 0, limit: 1000 })).items;
    const marked = (f: (typeof all)[number]) => f.tags.includes('uninterpretable');
    const todo = all.filter((f) => f.label === '' && !marked(f)).map((f) => f.key.index);
    const queue = await call('features.queue', { saeId: 'res0' });
    expect(queue.indices).toEqual(todo);
    expect(queue.indices).toEqual([0, 1, 2, 4, 8, 9]);
    expect(queue).toMatchObject({
      saeId: 'res0',
      total: 10,
      uninterpretable: 2,
      labelled: all.filter((f) => f.label !== '' && !marked(f)).length,
    });
    expect(queue.labelled).toBe(2);

    const dogs = (await call('features.search', { saeId: 'res0', text: 'dog', sort: 'index', limit: 1000 })).items.map((f) => f.key.index);
    expect((await call('features.queue', { saeId: 'res0', text: ' dog ' })).indices).toEqual(dogs.filter((i) => todo.includes(i)));
    const dense = await call('features.queue', { saeId: 'res0', unlabelledOnly: false, minDensity: 0.004, maxDensity: 0.006 });
    expect(dense.indices).toEqual(all.filter((f) => f.density! >= 0.004 && f.density! <= 0.006).map((f) => f.key.index));
    expect(dense.indices).toEqual([4, 5, 6]);
    expect((await call('features.queue', { saeId: 'res0', unlabelledOnly: false })).indices).toEqual(all.map((f) => f.key.index));
    expect(await refusal('features.queue', { saeId: 'nope' })).toMatchObject({ error: { code: 'not_found', field: 'saeId' } });
    expect(await refusal('features.queue', { saeId: 'res0', text: 'a\u0000' })).toMatchObject({
      error: { code: 'invalid_params', field: 'text' },
    });
    for (let i = 0; i < 3; i++) await call('labels.undo', { saeId: 'res0' });
    expect((await call('features.queue', { saeId: 'res0' })).indices).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
  });
});

/** [16] the activations writeIndexRun stores for a top example. */
function acts16(at: number, peak: number): Float32Array {
  return Float32Array.from({ length: 16 }, (_, i) => (i === at ? peak : 0));
}

describe('train.start and jobs.data', () => {
  const params = {
    name: 'tiny',
    model: DEMO_MODEL,
    hook: 'blocks.0.hook_resid_post',
    corpus: 'brown:ca01',
    dSae: 64,
    activation: { kind: 'topk' as const, k: 4 },
    tokens: 2048,
    batchTokens: 512,
    contextLength: 64,
    seed: 3,
  };

  it('trains in a job, sends the loss curve as job.data, writes the SAE into the workspace and registers it', async () => {
    const job = await call('train.start', params);
    expect(job).toMatchObject({ kind: 'train.start', title: 'Train tiny (64 latents on blocks.0.hook_resid_post)' });
    await engine.runner.whenIdle();
    const done = (await call('jobs.list', {})).find((j) => j.id === job.id)!;
    expect(done.state, done.error ?? '').toBe('done');
    const result = done.result as TrainJobResult;
    const out = join(engine.workspace.path, 'artifacts', 'saes', 'tiny');
    expect(result).toMatchObject({ out, steps: 4, tokensSeen: 2048, resumedFromStep: 0 });
    expect(readdirSync(out).sort()).toEqual(['cfg.json', 'sae_weights.safetensors', 'training_log.json']);
    expect(await call('saes.list', {})).toContainEqual(
      expect.objectContaining({ id: result.saeId, path: out, modelId: 'demo-model', dSae: 64, k: 4, format: 'loupe' }),
    );

    const data = await call('jobs.data', { jobId: job.id });
    expect(data).toEqual(jobDataSent(events, job.id));
    expect(data.map((d) => d.seq)).toEqual([0, 1, 2, 3]);
    const points = data.map((d) => d.data as TrainPoint);
    // Four steps: the trainer logs every step, so every step is a curve point.
    expect(points.map((p) => [p.step, p.steps])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    for (const p of points) expect(Number.isFinite(p.nmse) && Number.isFinite(p.l0) && p.l0 <= 4).toBe(true);
    expect(points[3]).toEqual(result.final);
    const progress = events
      .filter((e) => e.name === 'job.progress')
      .map((e) => e.payload as { id: string; message: string })
      .filter((p) => p.id === job.id);
    expect(progress.map((p) => p.message)).toContainEqual(expect.stringMatching(/^step \d\/4 · nmse \d+\.\d{4} · L0 \d+\.\d$/));
  });

  it('refuses a name already used, a hook the model lacks, a bad corpus and an unknown job, before any job starts', async () => {
    const jobs = (await call('jobs.list', {})).length;
    expect(await refusal('train.start', params)).toMatchObject({ error: { code: 'conflict', method: 'train.start', field: 'name' } });
    expect(await refusal('train.start', { ...params, name: 'other', hook: 'blocks.9.hook_resid_post' })).toMatchObject({
      error: { code: 'failed', field: 'hook' },
    });
    expect(await refusal('train.start', { ...params, name: 'other', corpus: 'text:/no/such/file.txt' })).toMatchObject({
      error: { code: 'failed', field: 'corpus' },
    });
    expect(await refusal('train.start', { ...params, name: 'other', contextLength: 512 })).toMatchObject({
      error: { code: 'failed', field: 'contextLength' },
    });
    expect(existsSync(join(engine.workspace.path, 'artifacts', 'saes', 'other'))).toBe(false);
    expect((await call('jobs.list', {})).length).toBe(jobs);
    expect(await refusal('jobs.data', { jobId: 'nope' })).toMatchObject({
      error: { code: 'not_found', method: 'jobs.data', field: 'jobId' },
    });
  });
});

describe('index.start', () => {
  it('refuses an unknown SAE, an SAE without a model and a context longer than the model’s, without starting a job', async () => {
    const loose = join(dir.path, 'saes', 'loose');
    writeTestSae(loose, { seed: 9 });
    await call('saes.add', { path: loose });
    const jobs = (await call('jobs.list', {})).length;
    expect(await refusal('index.start', { saeId: 'nope', corpus: 'brown', tokens: 1024 })).toMatchObject({
      error: { code: 'not_found', field: 'saeId' },
    });
    expect(await refusal('index.start', { saeId: 'loose', corpus: 'brown', tokens: 1024 })).toMatchObject({
      error: { code: 'conflict', field: 'saeId', reason: expect.stringMatching(/not attached to a model/) },
    });
    expect(await refusal('index.start', { saeId: 'res0', corpus: 'brown', tokens: 1024, contextLength: 257 })).toMatchObject({
      error: { code: 'failed', field: 'contextLength' },
    });
    expect(await refusal('index.start', { saeId: 'res0', corpus: 'nope:x', tokens: 1024 })).toMatchObject({
      error: { code: 'failed', field: 'corpus' },
    });
    expect((await call('jobs.list', {})).length).toBe(jobs);
  });

  it('indexes the SAE in a job on its own connection, and the page then shows the new run', async () => {
    const job = await call('index.start', { saeId: 'res0', corpus: 'brown:ca01', tokens: 512, contextLength: 64 });
    expect(job.kind).toBe('index.start');
    await engine.runner.whenIdle();
    const done = (await call('jobs.list', {})).find((j) => j.id === job.id)!;
    expect(done.state, done.error ?? '').toBe('done');
    expect(done.result).toMatchObject({ saeId: 'res0', tokens: 512 });
    const page = await call('features.page', { saeId: 'res0', index: 3 });
    expect(page.run).toMatchObject({ corpusSpec: 'brown:ca01', contextLength: 64, tokensDone: 512, state: 'done' });
    expect(page.stats?.tokensSeen).toBe(512);
    expect(page.label.label).toBe('three');
  });
});

describe('a CLI beside the engine', () => {
  it('loupe labels opens the workspace the engine has open without marking the engine’s running jobs interrupted', async () => {
    const jobs = engine.workspace.jobs;
    const now = new Date().toISOString();
    const running = runningJobRecord({ id: 'held-by-engine', kind: 'engine.measureMatmul', title: 't' }, now);
    jobs.insert(running);
    try {
      const exported = await loupe('labels', 'export', '--workspace', engine.workspace.path, '--sae', 'res0', '--out', '-');
      expect(exported.code, exported.err).toBe(0);
      expect(JSON.parse(exported.out)).toMatchObject({ format: 'loupe-labels', saeId: 'res0', labels: [{ index: 3, label: 'three' }] });
      expect(jobs.get('held-by-engine')?.state).toBe('running');
    } finally {
      jobs.update({ ...running, state: 'cancelled', finishedAt: now });
    }
  });
});
