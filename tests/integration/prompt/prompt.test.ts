import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../../../native/api/errors.js';
import type { ParamsOf } from '../../../native/api/methods.js';
import type { PromptResult } from '../../../native/api/types.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { Engine } from '../../../native/host/engine.js';
import { promptHandlers } from '../../../native/host/handlers/prompt.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { loadTransformer } from '../../../native/models/load.js';
import { runForward } from '../../../native/models/forward.js';
import { PromptRunnerCache, loadPromptRunner } from '../../../native/prompt/prompt-runner.js';
import type { RunnerSource } from '../../../native/prompt/prompt-runner.js';
import { PromptService } from '../../../native/prompt/prompt-service.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { decodeReference, encodeReference } from '../../../native/sae/reference.js';
import { DEMO_MODEL_DIR, DEMO_SAE_DIRS } from '../../helpers/indexed-workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { routerCalls } from '../../helpers/router-calls.js';
import { relativeError } from '../../helpers/numeric.js';

const dir = tempDir('prompt');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
const SAE_DIR = DEMO_SAE_DIRS[0];
const HOOK = 'blocks.0.hook_mlp_out';
const TEXT = 'The jury said it did find that many of Georgia\'s registration and election laws "are outmoded or inadequate".';
let saeId = '';
let modelId = '';

const { call } = routerCalls(router);

async function refusal(params: unknown): Promise<ApiResponse<unknown>> {
  const response = await router.call('prompt.run', params);
  expect(response.ok, 'prompt.run should fail').toBe(false);
  return response;
}

/** [nRead, dSae] activations by the plain-loop reference: PyTorch-checked forward, then encodeReference. */
async function referenceActs(ids: number[]): Promise<{ dense: Float32Array; dSae: number }> {
  const { weights } = loadTransformer(DEMO_MODEL_DIR);
  const sae = loadSae(SAE_DIR);
  const forward = await runForward(weights, { dims: [1, ids.length], data: BigInt64Array.from(ids, BigInt) }, { hooks: [HOOK] });
  const x = forward.outputs.get(HOOK)!.data;
  return { dense: encodeReference(sae, x, ids.length), dSae: sae.dSae };
}

/** The result's sparse activations as a dense [nTokens, dSae] array (float64: the values as sent). */
function denseOf(result: PromptResult, dSae: number): Float64Array {
  const { rowStart, features, values } = result.acts;
  const out = new Float64Array(result.tokens.length * dSae);
  for (let t = 0; t < result.tokens.length; t++)
    for (let j = rowStart[t]; j < rowStart[t + 1]; j++) out[t * dSae + features[j]] = values[j];
  return out;
}

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
  modelId = (await call('models.add', { path: DEMO_MODEL_DIR })).id;
  saeId = (await call('saes.add', { path: SAE_DIR, modelId })).id;
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('prompt.run on the demo model and its 512-latent SAE', () => {
  it('matches the forward pass and the reference encoder on the same ids (BOS first, not shown)', async () => {
    const result = await call('prompt.run', { saeId, text: TEXT });
    const tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
    const ids = Array.from(tokenizer.encode(TEXT).ids);
    expect(result.tokens.map((t) => t.id)).toEqual(ids);
    expect(result).toMatchObject({ prependedBos: true, truncated: false, nTextTokens: ids.length, nCtx: 256, notes: [], provider: 'cpu' });
    const { dense, dSae } = await referenceActs([tokenizer.eosId!, ...ids]);
    const ref = dense.subarray(dSae);
    expect(relativeError(denseOf(result, dSae), ref)).toBeLessThan(1e-4);
    // Each token's list is its strongest features, strongest first.
    result.perToken.forEach((row, t) => {
      const refRow = Array.from(ref.subarray(t * dSae, (t + 1) * dSae), (v, f) => ({ f, v }))
        .filter((e) => e.v > 0)
        .sort((a, b) => b.v - a.v);
      expect(row.features).toEqual(refRow.slice(0, 8).map((e) => e.f));
      row.values.forEach((v, j) => expect(v).toBeCloseTo(refRow[j].v, 4));
    });
  });

  it("gives each token's reconstruction error ‖x − x̂‖² / ‖x‖² as the reference decoder does, BOS left out", async () => {
    const result = await call('prompt.run', { saeId, text: TEXT });
    const tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
    const ids = [tokenizer.eosId!, ...tokenizer.encode(TEXT).ids];
    const { weights } = loadTransformer(DEMO_MODEL_DIR);
    const sae = loadSae(SAE_DIR);
    const x = (await runForward(weights, { dims: [1, ids.length], data: BigInt64Array.from(ids, BigInt) }, { hooks: [HOOK] })).outputs.get(
      HOOK,
    )!.data;
    const xHat = decodeReference(sae, encodeReference(sae, x, ids.length), ids.length, x);
    const d = sae.dIn;
    const [errorSq, inputSq] = [new Float32Array(ids.length - 1), new Float32Array(ids.length - 1)];
    for (let t = 1; t < ids.length; t++) {
      for (let i = 0; i < d; i++) {
        errorSq[t - 1] += (x[t * d + i] - xHat[t * d + i]) ** 2;
        inputSq[t - 1] += x[t * d + i] ** 2;
      }
    }
    const r = result.reconstruction!;
    expect(r.relativeError).toHaveLength(result.tokens.length);
    expect(relativeError(Float64Array.from(r.errorSq), errorSq)).toBeLessThan(1e-4);
    expect(relativeError(Float64Array.from(r.inputSq), inputSq)).toBeLessThan(1e-4);
    const perToken = errorSq.map((e, t) => e / inputSq[t]);
    expect(
      relativeError(
        Float64Array.from(r.relativeError, (v) => v ?? NaN),
        perToken,
      ),
    ).toBeLessThan(1e-4);
    expect(r.overall).toBeCloseTo(errorSq.reduce((a, b) => a + b, 0) / inputSq.reduce((a, b) => a + b, 0), 5);
    // A trained SAE reconstructs most of the activation: the text's error is well under 1, but not 0.
    expect(r.overall).toBeGreaterThan(0.01);
    expect(r.overall).toBeLessThan(0.6);
  });

  it('builds the heat map of the strongest features, the feature table and the max from the same activations', async () => {
    const result = await call('prompt.run', { saeId, text: TEXT, heatmap: 10, topK: 3 });
    const nTokens = result.tokens.length;
    expect(result.perToken.every((row) => row.features.length === 3)).toBe(true);
    expect(result.heatmap.features.map((f) => f.index)).toEqual(result.features.slice(0, 10).map((f) => f.index));
    expect(result.heatmap.values).toHaveLength(nTokens * 10);
    const dense = denseOf(result, 512);
    result.heatmap.features.forEach(({ index }, c) => {
      for (let t = 0; t < nTokens; t++) expect(result.heatmap.values[t * 10 + c]).toBe(dense[t * 512 + index]);
    });
    for (const f of result.features) {
      const column = Array.from({ length: nTokens }, (_, t) => dense[t * 512 + f.index]);
      expect(f.max).toBe(Math.max(...column));
      expect(column[f.maxPos]).toBe(f.max);
      expect(f.count).toBe(column.filter((v) => v > 0).length);
    }
    const maxes = result.features.map((f) => f.max);
    expect(maxes).toEqual([...maxes].sort((a, b) => b - a));
    expect(result.maxAct).toBe(maxes[0]);
  });

  it('without a BOS, reads the text alone and matches the reference on those ids', async () => {
    const result = await call('prompt.run', { saeId, text: TEXT, prependBos: false });
    expect(result.prependedBos).toBe(false);
    const { dense, dSae } = await referenceActs(result.tokens.map((t) => t.id));
    expect(relativeError(denseOf(result, dSae), dense)).toBeLessThan(1e-4);
  });

  it('gives offsets that map every token back to the text it came from, multi-byte characters included', async () => {
    const ascii = await call('prompt.run', { saeId, text: TEXT });
    expect(ascii.tokens.map((t) => TEXT.slice(t.start, t.end))).toEqual(ascii.tokens.map((t) => t.text));
    expect(ascii.tokens.map((t) => t.text).join('')).toBe(TEXT);
    const text = 'Naïve café — “quoted” 😀 done.';
    const result = await call('prompt.run', { saeId, text });
    let last = 0;
    for (const t of result.tokens) {
      expect(t.start).toBeGreaterThanOrEqual(0);
      expect(t.end).toBeLessThanOrEqual(text.length);
      expect(t.end).toBeGreaterThan(t.start);
      // A token holding part of a multi-byte character spans the whole character, so neighbours may share it.
      expect(t.start).toBeGreaterThanOrEqual(last - 2);
      last = t.end;
    }
    expect(result.tokens[0].start).toBe(0);
    expect(last).toBe(text.length);
    const emoji = text.indexOf('😀');
    expect(result.tokens.filter((t) => t.start <= emoji && t.end >= emoji + 2).length).toBeGreaterThan(0);
    expect(result.tokens.filter((t) => t.text === ' done').map((t) => text.slice(t.start, t.end))).toEqual([' done']);
  });

  it('cuts a long text to the model context and says so', async () => {
    const text = 'The Fulton County Grand Jury said Friday an investigation took place. '.repeat(60);
    const result = await call('prompt.run', { saeId, text });
    expect(result.tokens).toHaveLength(255);
    expect(result.truncated).toBe(true);
    expect(result.nTextTokens).toBeGreaterThan(255);
    expect(result.acts.rowStart).toHaveLength(256);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toMatch(/at most 256 tokens .* first 255 of the text's \d+ tokens/);
    const noBos = await call('prompt.run', { saeId, text, prependBos: false });
    expect(noBos.tokens).toHaveLength(256);
    expect(noBos.tokens.map((t) => t.id)).toEqual(result.tokens.concat(noBos.tokens[255]).map((t) => t.id));
    // The cut-off token stops where the note says.
    expect(result.notes[0]).toContain(`characters 0–${result.tokens[254].end} of ${text.length}`);
  });

  it('labels features from the store', async () => {
    const first = await call('prompt.run', { saeId, text: TEXT });
    const top = first.features[0].index;
    await call('labels.set', { saeId, index: top, label: 'strongest on the jury sentence' });
    const again = await call('prompt.run', { saeId, text: TEXT });
    expect(again.features[0]).toMatchObject({ index: top, label: 'strongest on the jury sentence', corpusMax: null });
    expect(again.heatmap.features[0]).toEqual({ index: top, label: 'strongest on the jury sentence' });
    expect(again.features.slice(1).every((f) => f.label === '')).toBe(true);
  });
});

describe('prompt.run refusals', () => {
  it('refuses bad params with the field named', async () => {
    expect(await refusal({ saeId, text: '' })).toMatchObject({ error: { code: 'invalid_params', field: 'text' } });
    expect(await refusal({ saeId, text: 'x'.repeat(20_001) })).toMatchObject({ error: { code: 'invalid_params', field: 'text' } });
    expect(await refusal({ saeId, text: 'hi', topK: 0 })).toMatchObject({ error: { code: 'invalid_params', field: 'topK' } });
    expect(await refusal({ saeId, text: 'hi', heatmap: 1000 })).toMatchObject({ error: { code: 'invalid_params', field: 'heatmap' } });
    expect(await refusal({ saeId, text: 'hi', extra: 1 })).toMatchObject({ error: { code: 'invalid_params', field: 'extra' } });
  });

  it('refuses an unknown SAE and one without a model', async () => {
    expect(await refusal({ saeId: 'nope', text: 'hi' })).toEqual({
      ok: false,
      error: { code: 'not_found', method: 'prompt.run', field: 'saeId', reason: 'no SAE "nope" in this workspace' },
    });
    const bare = await call('saes.add', { path: DEMO_SAE_DIRS[1] });
    expect(bare.modelId).toBeNull();
    expect(await refusal({ saeId: bare.id, text: 'hi' })).toMatchObject({
      error: { code: 'conflict', field: 'saeId', reason: expect.stringMatching(/not attached to a model/) },
    });
  });

  it('answers a model whose weights vanished with a failure naming the file, and loads again once they are back', async () => {
    const copy = join(dir.path, 'model-copy');
    cpSync(DEMO_MODEL_DIR, copy, { recursive: true });
    const model = await call('models.add', { path: copy });
    cpSync(SAE_DIR, join(dir.path, 'sae-copy'), { recursive: true });
    const attached = await call('saes.add', { path: join(dir.path, 'sae-copy'), modelId: model.id });
    rmSync(join(copy, 'model.safetensors'));
    const failed = await refusal({ saeId: attached.id, text: 'hi' });
    expect(failed).toMatchObject({ error: { code: 'failed', field: 'saeId', reason: expect.stringContaining('model-copy') } });
    cpSync(join(DEMO_MODEL_DIR, 'model.safetensors'), join(copy, 'model.safetensors'));
    expect((await call('prompt.run', { saeId: attached.id, text: 'hi' })).tokens.map((t) => t.text).join('')).toBe('hi');
  });
});

describe('prompt.run on a model whose tokenizer turned hostile after registration', () => {
  it('fails at once naming the tokenizer, the engine keeps answering, and a fixed tokenizer loads again', async () => {
    const copy = join(dir.path, 'model-hostile-tokenizer');
    cpSync(DEMO_MODEL_DIR, copy, { recursive: true });
    const model = await call('models.add', { path: copy });
    cpSync(SAE_DIR, join(dir.path, 'sae-hostile-tokenizer'), { recursive: true });
    const attached = await call('saes.add', { path: join(dir.path, 'sae-hostile-tokenizer'), modelId: model.id });
    // 50 MB of nested arrays where tokenizer.json was: parsed whole, it cost a minute and 2.5 GB.
    writeFileSync(join(copy, 'tokenizer.json'), '['.repeat(25_000_000) + ']'.repeat(25_000_000));
    const failed = await refusal({ saeId: attached.id, text: 'hi' });
    expect(failed).toMatchObject({
      error: { code: 'failed', field: 'saeId', reason: expect.stringMatching(/tokenizer\.json: not valid JSON \(nesting deeper than 32/) },
    });
    expect((await router.call('workspace.info', {})).ok).toBe(true);
    cpSync(join(DEMO_MODEL_DIR, 'tokenizer.json'), join(copy, 'tokenizer.json'));
    expect((await call('prompt.run', { saeId: attached.id, text: 'hi' })).tokens.map((t) => t.text).join('')).toBe('hi');
  });
});

describe('the runner cache', () => {
  it('loads an SAE once for many prompts, again when its content changes, and evicts the least recently used', async () => {
    const loads: string[] = [];
    const cache = new PromptRunnerCache(1, (source: RunnerSource) => {
      loads.push(`${source.saeId}:${source.saeFingerprint}`);
      return loadPromptRunner(source);
    });
    const service = new PromptService(cache);
    const router2 = new Router({ ...createHandlers(engine), ...promptHandlers(engine, service) });
    const run = async (params: ParamsOf<'prompt.run'>) => {
      const response = await router2.call('prompt.run', params);
      if (!response.ok) throw new Error(JSON.stringify(response.error));
      return response.result as PromptResult;
    };
    const [a, b] = await Promise.all([run({ saeId, text: 'one' }), run({ saeId, text: 'two' })]);
    await run({ saeId, text: 'three' });
    expect(loads).toHaveLength(1);
    expect(a.tokens.map((t) => t.text).join('')).toBe('one');
    expect(b.tokens.map((t) => t.text).join('')).toBe('two');
    const row = engine.workspace.saes.get(saeId)!;
    engine.workspace.saes.update({ ...row, fingerprint: `${row.fingerprint}-changed` });
    await run({ saeId, text: 'four' });
    expect(loads).toHaveLength(2);
    expect(cache.size).toBe(1);
    engine.workspace.saes.update(row);
    await run({ saeId, text: 'five' });
    expect(loads).toHaveLength(3);
  });
});
