import { cpSync, mkdirSync, openSync, readFileSync, closeSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../native/api/errors.js';
import { registerModel, registerSae, uniqueId } from '../../../native/registry/catalog.js';
import { contentFingerprint, fingerprintEdgeBytes } from '../../../native/registry/fingerprint.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { DEMO_MODEL, FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeTestSae } from './catalog-fixtures.js';

const dir = tempDir('catalog');
afterAll(() => dir.cleanup());
let n = 0;
let ws: Workspace;
let scratch: string;

beforeEach((context) => {
  n++;
  ws = openWorkspace(join(dir.path, `ws-${n}`));
  scratch = join(dir.path, `files-${n}`);
  mkdirSync(scratch);
  context.onTestFinished(() => ws.close());
});

/** Overwrites `bytes.length` bytes of a file at `position`. */
function poke(file: string, position: number, bytes: number[]): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Uint8Array.from(bytes), 0, bytes.length, position);
  } finally {
    closeSync(fd);
  }
}

async function rejection(p: Promise<unknown>): Promise<ApiFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiFailure) return e;
    throw e;
  }
  throw new Error('expected an ApiFailure');
}

function failure(f: () => unknown): ApiFailure {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiFailure) return e;
    throw e;
  }
  throw new Error('expected an ApiFailure');
}

describe('registerModel', () => {
  /** What the demo model's config says, as registration stores it. */
  const DEMO_MODEL_ROW = {
    id: 'demo-model',
    name: 'demo-model',
    path: DEMO_MODEL,
    family: 'gpt2',
    nLayers: 2,
    dModel: 256,
    dVocab: 4096,
    nCtx: 256,
  };

  it('reads the config, not the weights, and stores the model with a fingerprint', async () => {
    const model = await registerModel(ws, DEMO_MODEL, '2024-06-01T00:00:00.000Z');
    expect(model).toMatchObject({
      ...DEMO_MODEL_ROW,
      addedAt: '2024-06-01T00:00:00.000Z',
      registration: 'added',
      previousFingerprint: null,
    });
    expect(model.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(ws.models.list()).toEqual([
      {
        ...DEMO_MODEL_ROW,
        fingerprint: model.fingerprint,
        addedAt: model.addedAt,
      },
    ]);
    expect(ws.models.get('demo-model')?.config).toMatchObject({ dMlp: 1024, nHeads: 4, actFn: 'gelu_new' });
  });

  it('upserts by path: the same folder again (however it is spelled) is the same row, unchanged', async () => {
    const first = await registerModel(ws, DEMO_MODEL);
    const again = await registerModel(ws, `${relative(process.cwd(), DEMO_MODEL)}/`);
    expect(again).toMatchObject({ id: first.id, fingerprint: first.fingerprint, registration: 'unchanged', previousFingerprint: null });
    expect(ws.models.count()).toBe(1);
  });

  it('rewrites the row under the same id when the config or the end of a large weights file changes', async () => {
    const copy = join(scratch, 'demo');
    cpSync(DEMO_MODEL, copy, { recursive: true });
    const weights = join(copy, 'model.safetensors');
    expect(statSync(weights).size).toBeGreaterThan(2 * fingerprintEdgeBytes);
    const first = await registerModel(ws, copy);
    const config = JSON.parse(readFileSync(join(copy, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(copy, 'config.json'), JSON.stringify({ ...config, layer_norm_epsilon: 1e-6 }));
    const second = await registerModel(ws, copy);
    expect(second).toMatchObject({ id: first.id, registration: 'updated', previousFingerprint: first.fingerprint });
    expect(second.fingerprint).not.toBe(first.fingerprint);
    poke(weights, statSync(weights).size - 10, [1, 2, 3, 4]);
    const third = await registerModel(ws, copy);
    expect(third).toMatchObject({ id: first.id, registration: 'updated', previousFingerprint: second.fingerprint });
    expect(ws.models.count()).toBe(1);
    expect(ws.models.get(first.id)?.fingerprint).toBe(third.fingerprint);
  });

  it('names a Hugging Face cache snapshot by its repo, and numbers a second model of the same name', async () => {
    const snapshot = join(scratch, 'hub', 'models--acme--tiny', 'snapshots', '0123abcd');
    cpSync(DEMO_MODEL, snapshot, { recursive: true });
    const other = join(scratch, 'elsewhere', 'models--acme--tiny', 'snapshots', 'ffff');
    cpSync(DEMO_MODEL, other, { recursive: true });
    expect(await registerModel(ws, snapshot)).toMatchObject({ id: 'acme-tiny', name: 'acme/tiny', dModel: 256 });
    expect(await registerModel(ws, other)).toMatchObject({ id: 'acme-tiny-2', name: 'acme/tiny', registration: 'added' });
  });

  it('says what is wrong with a path that is not a model', async () => {
    const missing = join(scratch, 'nope');
    expect(await rejection(registerModel(ws, missing))).toMatchObject({
      code: 'not_found',
      field: 'path',
      message: `${missing}: no such file or folder`,
    });
    expect(await rejection(registerModel(ws, scratch))).toMatchObject({
      code: 'failed',
      field: 'path',
      message: expect.stringMatching(/no config\.json/),
    });
    const broken = join(scratch, 'broken');
    cpSync(join(FIXTURES, 'gpt2-tiny'), broken, { recursive: true });
    truncateSync(join(broken, 'model.safetensors'), 100);
    expect(await rejection(registerModel(ws, broken))).toMatchObject({
      code: 'failed',
      field: 'path',
      message: expect.stringContaining(join(broken, 'model.safetensors')),
    });
    expect(ws.models.count()).toBe(0);
  });
});

describe('registerModel and the tokenizer', () => {
  it('refuses a model whose tokenizer is missing, hostile, or larger than its embedding, and stores nothing', async () => {
    const copy = join(scratch, 'demo');
    cpSync(DEMO_MODEL, copy, { recursive: true });
    const tokenizer = join(copy, 'tokenizer.json');
    rmSync(tokenizer);
    expect(await rejection(registerModel(ws, copy))).toMatchObject({
      code: 'failed',
      field: 'path',
      message: expect.stringMatching(/the model's tokenizer: .*no tokenizer here/),
    });
    // 50 MB of nested arrays: refused by its nesting before anything parses it.
    writeFileSync(tokenizer, '['.repeat(25_000_000) + ']'.repeat(25_000_000));
    expect(await rejection(registerModel(ws, copy))).toMatchObject({
      code: 'failed',
      field: 'path',
      message: expect.stringMatching(/tokenizer\.json: not valid JSON \(nesting deeper than 32/),
    });
    writeFileSync(tokenizer, JSON.stringify({ model: { type: 'WordPiece', vocab: {} } }));
    expect(await rejection(registerModel(ws, copy))).toMatchObject({ message: expect.stringMatching(/model type is "WordPiece"/) });
    cpSync(join(DEMO_MODEL, 'tokenizer.json'), tokenizer);
    const config = JSON.parse(readFileSync(join(copy, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(copy, 'config.json'), JSON.stringify({ ...config, vocab_size: 1000 }));
    expect(await rejection(registerModel(ws, copy))).toMatchObject({
      message: expect.stringMatching(/the tokenizer has 4096 tokens, but demo's embedding has 1000 rows/),
    });
    expect(ws.models.count()).toBe(0);
  });

  it('fingerprints the tokenizer with the model: another tokenizer.json is another model', async () => {
    const copy = join(scratch, 'demo');
    cpSync(DEMO_MODEL, copy, { recursive: true });
    const first = await registerModel(ws, copy);
    const tokenizer = join(copy, 'tokenizer.json');
    writeFileSync(tokenizer, JSON.stringify(JSON.parse(readFileSync(tokenizer, 'utf8')), null, 1));
    const second = await registerModel(ws, copy);
    expect(second).toMatchObject({ id: first.id, registration: 'updated', previousFingerprint: first.fingerprint });
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(second.fingerprint).not.toBe((await registerModel(ws, DEMO_MODEL)).fingerprint);
  });
});

describe('registerSae', () => {
  it('loads the SAE, stores its shape, config and fingerprint, and attaches it to a model', async () => {
    const model = await registerModel(ws, DEMO_MODEL);
    const path = join(scratch, 'res0');
    writeTestSae(path);
    const sae = registerSae(ws, path, model.id, '2024-06-02T00:00:00.000Z');
    expect(sae).toMatchObject({
      id: 'res0',
      name: 'res0',
      path,
      format: 'loupe',
      modelId: 'demo-model',
      hookName: 'blocks.0.hook_resid_post',
      dIn: 256,
      dSae: 64,
      activation: 'topk',
      k: 4,
      addedAt: '2024-06-02T00:00:00.000Z',
      registration: 'added',
      previousFingerprint: null,
    });
    expect(ws.saes.get('res0')?.config).toMatchObject({ neuronpedia_id: 'demo-model/0-res-test' });
    expect(ws.saes.list('demo-model').map((s) => s.id)).toEqual(['res0']);
  });

  it('upserts by path: a file of the folder is the folder, and a re-registration without a model keeps it', async () => {
    const model = await registerModel(ws, DEMO_MODEL);
    const path = join(scratch, 'res0');
    writeTestSae(path);
    const first = registerSae(ws, path, model.id);
    expect(registerSae(ws, join(path, 'cfg.json'))).toMatchObject({ id: first.id, path, modelId: model.id, registration: 'unchanged' });
    expect(ws.saes.count()).toBe(1);
  });

  it('gives a new fingerprint when the weights change, keeping the id and so the labels', async () => {
    const model = await registerModel(ws, DEMO_MODEL);
    const path = join(scratch, 'res0');
    writeTestSae(path, { seed: 1 });
    const first = registerSae(ws, path, model.id);
    ws.features.labels.set({ saeId: first.id, index: 5 }, { label: 'commas' }, { author: 'ada' });
    writeTestSae(path, { seed: 2 });
    const second = registerSae(ws, path);
    expect(second).toMatchObject({ id: first.id, modelId: model.id, registration: 'updated', previousFingerprint: first.fingerprint });
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(ws.features.labels.get({ saeId: first.id, index: 5 }).label).toBe('commas');
  });

  it('refuses an SAE whose d_in is not the width of the model hook it names', async () => {
    const model = await registerModel(ws, DEMO_MODEL);
    const narrow = join(scratch, 'narrow');
    writeTestSae(narrow, { dIn: 128 });
    expect(failure(() => registerSae(ws, narrow, model.id))).toMatchObject({
      code: 'failed',
      field: 'modelId',
      message: expect.stringMatching(/d_in = 128 values per token, but demo-model's hook blocks\.0\.hook_resid_post is 256 wide/),
    });
    // The MLP's hidden activations are d_mlp (4 · 256) wide: 256 is wrong there, 1024 right.
    const post = join(scratch, 'post');
    writeTestSae(post, { dIn: 256, hook: 'blocks.1.mlp.hook_post' });
    expect(failure(() => registerSae(ws, post, model.id)).message).toMatch(/is 1024 wide/);
    const wide = join(scratch, 'wide');
    writeTestSae(wide, { dIn: 1024, dSae: 32, hook: 'blocks.1.mlp.hook_post' });
    expect(registerSae(ws, wide, model.id)).toMatchObject({ dIn: 1024, modelId: model.id });
    expect(ws.saes.list().map((s) => s.id)).toEqual(['wide']);
  });

  it('refuses a hook the model does not have, a model that is not registered, and a missing path', async () => {
    const model = await registerModel(ws, DEMO_MODEL);
    const deep = join(scratch, 'deep');
    writeTestSae(deep, { hook: 'blocks.5.hook_resid_post' });
    expect(failure(() => registerSae(ws, deep, model.id))).toMatchObject({
      code: 'failed',
      field: 'modelId',
      message: expect.stringMatching(/unknown hook "blocks\.5\.hook_resid_post"/),
    });
    expect(failure(() => registerSae(ws, deep, 'gpt2-xl'))).toMatchObject({
      code: 'not_found',
      field: 'modelId',
      message: 'no model "gpt2-xl" in this workspace',
    });
    expect(failure(() => registerSae(ws, join(scratch, 'nope')))).toMatchObject({ code: 'not_found', field: 'path' });
    expect(failure(() => registerSae(ws, scratch))).toMatchObject({
      code: 'failed',
      field: 'path',
      message: expect.stringMatching(/holds no SAE/),
    });
    expect(ws.saes.count()).toBe(0);
  });

  it('registers an SAE without a model, and the same SAE folder name twice under two ids', () => {
    writeTestSae(join(scratch, 'a', 'sae'));
    writeTestSae(join(scratch, 'b', 'sae'), { seed: 3 });
    expect(registerSae(ws, join(scratch, 'a', 'sae'))).toMatchObject({ id: 'sae', modelId: null });
    expect(registerSae(ws, join(scratch, 'b', 'sae'))).toMatchObject({ id: 'sae-2', modelId: null });
  });
});

describe('contentFingerprint', () => {
  it('reads the whole of a small file and the two ends of a large one', () => {
    const small = join(scratch, 'small.bin');
    writeFileSync(small, new Uint8Array(1000));
    const before = contentFingerprint([small], '');
    poke(small, 500, [1]);
    expect(contentFingerprint([small], '')).not.toBe(before);
    const large = join(scratch, 'large.bin');
    writeFileSync(large, new Uint8Array(3 * fingerprintEdgeBytes));
    const fingerprints = new Set([contentFingerprint([large], '')]);
    poke(large, 10, [1]);
    fingerprints.add(contentFingerprint([large], ''));
    poke(large, 3 * fingerprintEdgeBytes - 10, [1]);
    fingerprints.add(contentFingerprint([large], ''));
    fingerprints.add(contentFingerprint([large], '{"d_in": 2}'));
    expect(fingerprints.size).toBe(4);
  });
});

describe('uniqueId', () => {
  it('makes a slug of the name and numbers it when taken', () => {
    const taken = new Set(['res-0', 'res-0-2']);
    expect(uniqueId('Res 0', (id) => taken.has(id))).toBe('res-0-3');
    expect(uniqueId('EleutherAI/sae-pythia', () => false)).toBe('eleutherai-sae-pythia');
    expect(uniqueId('../..', () => false)).toBe('item');
  });
});
