import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SteerResult, SteerStepData } from '../../../native/api/types.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { routerCalls } from '../../helpers/router-calls.js';
import { jobDataSent, type RecordedEvent } from '../../helpers/engine-events.js';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo');
const SAE = join(DEMO, 'saes', 'brown-mlp0-topk512');
const dir = tempDir('steer-handlers');
const events: RecordedEvent[] = [];
const engine = new Engine((name, payload) => events.push({ name, payload }));
const router = new Router(createHandlers(engine));
let saeId: string;

const { call, refusal } = routerCalls(router);

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
  const model = await call('models.add', { path: join(DEMO, 'model') });
  saeId = (await call('saes.add', { path: SAE, modelId: model.id })).id;
});

afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('steer.start', () => {
  const prompt = 'The man walked into the room and';

  it('streams one step per token as job.data and returns both continuations, as loupe generate prints them', async () => {
    const job = await call('steer.start', { prompt, edits: [{ saeId, feature: 147, mode: 'clamp', value: 8 }], maxTokens: 6 });
    expect(job.kind).toBe('steer.start');
    await engine.runner.whenIdle();
    const done = (await call('jobs.list', {})).find((j) => j.id === job.id)!;
    expect(done.state, done.error ?? '').toBe('done');
    const result = done.result as SteerResult;
    const data = await call('jobs.data', { jobId: job.id });
    expect(data).toEqual(jobDataSent(events, job.id));
    const steps = data.map((d) => d.data as SteerStepData);
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.steps).toEqual(steps);
    expect(result.steered.text).toBe(steps.map((s) => s.steered!.text).join(''));
    expect(result.clean.text).toBe(steps.map((s) => s.clean!.text).join(''));
    expect(result.edits).toEqual([{ saeId, feature: 147, hookName: 'blocks.0.hook_mlp_out', mode: 'clamp', amount: 8, label: '' }]);
    expect(result.watch.slice(0, 3)).toEqual(['y', 'ies', 'ied']);
    for (const s of steps) expect(s.kl).toBeGreaterThan(0);

    const cli = await loupe(
      'generate',
      '--model',
      join(DEMO, 'model'),
      '--prompt',
      prompt,
      '--sae',
      SAE,
      '--feature',
      '147',
      '--clamp',
      '8',
      '--max-tokens',
      '6',
      '--json',
    );
    expect(cli.code, cli.err).toBe(0);
    const printed = JSON.parse(cli.out) as SteerResult;
    expect(printed.steps.map((s) => [s.clean!.id, s.steered!.id])).toEqual(steps.map((s) => [s.clean!.id, s.steered!.id]));
    expect(printed.steps.map((s) => s.kl)).toEqual(steps.map((s) => s.kl));
  });

  it('refuses an unknown SAE, a feature out of range, clampMax before indexing and bad sampling, before any job starts', async () => {
    const jobs = (await call('jobs.list', {})).length;
    const edit = { saeId, feature: 147, mode: 'clamp' as const, value: 8 };
    expect(await refusal('steer.start', { prompt, edits: [{ ...edit, saeId: 'nope' }] })).toMatchObject({
      error: { code: 'not_found', field: 'edits.0.saeId' },
    });
    expect(await refusal('steer.start', { prompt, edits: [edit, { ...edit, feature: 512 }] })).toMatchObject({
      error: { code: 'failed', field: 'edits.1.feature' },
    });
    expect(await refusal('steer.start', { prompt, edits: [{ saeId, feature: 3, mode: 'clampMax', multiple: 2 }] })).toMatchObject({
      error: { code: 'conflict', field: 'edits.0.mode' },
    });
    expect(await refusal('steer.start', { prompt, edits: [edit], temperature: -1 })).toMatchObject({ error: { code: 'invalid_params' } });
    expect(await refusal('steer.start', { prompt, edits: [] })).toMatchObject({ error: { code: 'invalid_params' } });
    expect((await call('jobs.list', {})).length).toBe(jobs);
  });
});

describe('steer.start with a vector on a Hugging Face family', () => {
  it('adds a raw direction at a hook of llama-tiny: zero changes nothing, a large one changes the distribution', async () => {
    const model = await call('models.add', { path: join(FIXTURES, 'families', 'llama-tiny') });
    const run = async (scale: number) => {
      const values = Array.from({ length: 64 }, (_, i) => scale * Math.sin(i + 1));
      const job = await call('steer.start', {
        prompt: 'hello world',
        edits: [],
        modelId: model.id,
        vector: { hookName: 'blocks.0.hook_resid_post', values, coefficient: 1 },
        maxTokens: 4,
        stopAtEos: false,
      });
      await engine.runner.whenIdle();
      const done = (await call('jobs.list', {})).find((j) => j.id === job.id)!;
      expect(done.state, done.error ?? '').toBe('done');
      return done.result as SteerResult;
    };
    const zero = await run(0);
    expect(zero.steps.map((s) => s.steered!.id)).toEqual(zero.steps.map((s) => s.clean!.id));
    for (const s of zero.steps) expect(s.kl).toBe(0);
    const big = await run(20);
    expect(big.vector).toMatchObject({ hookName: 'blocks.0.hook_resid_post', coefficient: 1 });
    expect(big.steps[0].kl).toBeGreaterThan(0.01);
    expect(
      await refusal('steer.start', {
        prompt: 'x',
        edits: [],
        modelId: model.id,
        vector: { hookName: 'blocks.0.hook_resid_post', values: [1, 2], coefficient: 1 },
      }),
    ).toMatchObject({ error: { code: 'failed', field: 'vector.values' } });
    expect(
      await refusal('steer.start', {
        prompt: 'x',
        edits: [],
        vector: { hookName: 'blocks.0.hook_resid_post', values: [1, 2], coefficient: 1 },
      }),
    ).toMatchObject({ error: { code: 'failed', field: 'modelId' } });
  });
});

describe('loupe generate', () => {
  it('prints a plain continuation, and refuses an edit without a feature or with two modes', async () => {
    const plain = await loupe('generate', '--model', join(DEMO, 'model'), '--prompt', 'The man', '--max-tokens', '5', '--json');
    expect(plain.code, plain.err).toBe(0);
    const out = JSON.parse(plain.out) as { tokens: { id: number }[]; stop: string };
    expect(out.tokens).toHaveLength(5);
    expect(out.stop).toBe('length');
    const noFeature = await loupe('generate', '--model', join(DEMO, 'model'), '--prompt', 'x', '--sae', SAE, '--clamp', '3');
    expect(noFeature.code).toBe(2);
    expect(noFeature.err).toContain('--feature');
    const two = await loupe(
      'generate',
      '--model',
      join(DEMO, 'model'),
      '--prompt',
      'x',
      '--sae',
      SAE,
      '--feature',
      '1',
      '--clamp',
      '3',
      '--ablate',
    );
    expect(two.code).toBe(2);
    expect(two.err).toContain('exactly one of');
  });
});
