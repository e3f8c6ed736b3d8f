import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { parseLabelsCsv, parseLabelsJson } from '../../../native/store/labels-io.js';
import { DEMO_MODEL_DIR, DEMO_SAE_DIRS } from '../../helpers/indexed-workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { routerCalls } from '../../helpers/router-calls.js';

const dir = tempDir('labels-export');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
const workspace = join(dir.path, 'ws');
let saeId = '';
let modelId = '';

const { call } = routerCalls(router);

beforeAll(async () => {
  await engine.open(workspace);
  modelId = (await call('models.add', { path: DEMO_MODEL_DIR })).id;
  saeId = (await call('saes.add', { path: DEMO_SAE_DIRS[0], modelId })).id;
  engine.workspace.features.runs.create({
    saeId,
    modelId,
    jobId: null,
    corpusSpec: 'brown:news',
    contextLength: 128,
    tokensTarget: 4096,
    params: {},
  });
  await call('labels.set', { saeId, index: 3, label: 'commas, "quotes"', notes: 'two\nlines', tags: ['b', 'a'] });
  await call('labels.set', { saeId, index: 7, tags: ['uninterpretable'] });
  await call('labels.set', { saeId, index: 40, label: 'years' });
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

const withoutTime = (text: string) => text.replace(/"exportedAt": "[^"]+"/u, '"exportedAt": "-"');

describe('labels.export', () => {
  it('writes the JSON and CSV files `loupe labels export` writes, naming the SAE, hook, model and corpus', async () => {
    const json = await call('labels.export', { saeId, format: 'json' });
    expect(json).toMatchObject({ fileName: `${saeId}-labels.json`, encoding: 'utf8', features: 3 });
    const cli = await loupe('labels', 'export', '--workspace', workspace, '--sae', saeId, '--format', 'json', '--out', '-');
    expect(cli.code).toBe(0);
    expect(withoutTime(json.content)).toBe(withoutTime(cli.out));
    const file = JSON.parse(json.content) as Record<string, unknown>;
    expect(file).toMatchObject({
      format: 'loupe-labels',
      saeId,
      sae: { id: saeId, dSae: 512 },
      hook: 'blocks.0.hook_mlp_out',
      model: { id: modelId },
      corpus: { spec: 'brown:news', contextLength: 128 },
    });
    expect(parseLabelsJson(json.content).map((r) => r.index)).toEqual([3, 7, 40]);

    const csv = await call('labels.export', { saeId, format: 'csv' });
    expect(csv.content).toBe(
      (await loupe('labels', 'export', '--workspace', workspace, '--sae', saeId, '--format', 'csv', '--out', '-')).out,
    );
    const rows = csv.content.split('\r\n');
    expect(rows[0]).toBe('index,label,notes,tags,updated_at,updated_by,sae,hook,model,corpus');
    expect(rows.slice(1, -1).map((r) => r.split(',').slice(-4).join(','))).toEqual(
      Array(3).fill(`${saeId},blocks.0.hook_mlp_out,${modelId},brown:news`),
    );
    // The provenance columns re-import (they are ignored): the file round trips.
    expect(parseLabelsCsv(csv.content).map((r) => [r.index, r.patch.label, r.patch.tags])).toEqual([
      [3, 'commas, "quotes"', ['a', 'b']],
      [7, '', ['uninterpretable']],
      [40, 'years', []],
    ]);
  });

  it('writes Neuronpedia explanation rows gzipped, as the CLI does, labelled features only', async () => {
    const np = await call('labels.export', {
      saeId,
      format: 'neuronpedia',
      neuronpedia: { modelId: 'demo', layer: '0-mlp-topk512', authorId: 'me1' },
    });
    expect(np).toMatchObject({
      fileName: `${saeId}-explanations.jsonl.gz`,
      encoding: 'base64',
      mediaType: 'application/gzip',
      features: 2,
    });
    const text = gunzipSync(Buffer.from(np.content, 'base64')).toString('utf8');
    const cli = await loupe(
      'labels',
      'export',
      '--workspace',
      workspace,
      '--sae',
      saeId,
      '--format',
      'neuronpedia',
      '--np-model',
      'demo',
      '--np-layer',
      '0-mlp-topk512',
      '--np-author',
      'me1',
      '--out',
      '-',
    );
    expect(text).toBe(cli.out);
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { index: string; description: string }).description),
    ).toEqual(['commas, "quotes"', 'years']);
  });

  it('refuses a Neuronpedia export without the ids it needs, and an unknown SAE, naming the field', async () => {
    const noIds = await router.call('labels.export', { saeId, format: 'neuronpedia', neuronpedia: { authorId: 'me1' } });
    expect(noIds).toMatchObject({ ok: false, error: { code: 'failed', field: 'neuronpedia' } });
    expect(!noIds.ok && noIds.error.reason).toContain('no neuronpedia_id');
    const badId = await router.call('labels.export', {
      saeId,
      format: 'neuronpedia-autointerp',
      neuronpedia: { modelId: 'a/b', layer: 'x', authorId: 'me' },
    });
    expect(badId).toMatchObject({ ok: false, error: { code: 'invalid_params', field: 'neuronpedia.modelId' } });
    expect(await router.call('labels.export', { saeId: 'nope', format: 'csv' })).toMatchObject({
      ok: false,
      error: { code: 'not_found', field: 'saeId' },
    });
  });
});
