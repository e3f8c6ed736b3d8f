import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../native/corpus/index.js';
import { tokenWindows } from '../../../native/corpus/windows.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { encodeReference } from '../../../native/sae/reference.js';
import { FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { routerCalls } from '../../helpers/router-calls.js';
import { relativeError } from '../../helpers/numeric.js';
import { writeTiedRandomSae } from '../../helpers/random-sae.js';

/**
 * A family model folder registers (its tokenizer built and fingerprinted), and Prompt and the corpus
 * windows read text with that family's tokenizer and BOS: Gemma <bos>, Llama 3 <|begin_of_text|>.
 */
const HOOK = 'blocks.0.hook_resid_post';
const TEXT = 'The Fulton County Grand Jury said Friday an investigation of recent primary elections produced no evidence.';
const dir = tempDir('family-bos');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));

const { call } = routerCalls(router);

/** A random ReLU SAE of width 32 on the residual stream after block 0 (d_model 64 in every tiny family). */
function writeRandomSae(path: string, modelName: string): CanonicalSae {
  return writeTiedRandomSae(path, {
    dIn: 64,
    dSae: 32,
    seed: 5,
    scale: 0.3,
    activation: { kind: 'relu' },
    subtractDecoderBias: false,
    hookName: HOOK,
    modelName,
  });
}

/** [ids.length, dSae] SAE activations by the plain reference on the model's forward pass. */
async function referenceActs(modelDir: string, sae: CanonicalSae, ids: number[]): Promise<Float32Array> {
  const { weights } = loadTransformer(modelDir);
  const forward = await runForward(weights, { dims: [1, ids.length], data: BigInt64Array.from(ids, BigInt) }, { hooks: [HOOK] });
  return encodeReference(sae, forward.outputs.get(HOOK)!.data, ids.length);
}

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe.each([
  ['gemma2-tiny', '<bos>'],
  ['llama-tiny', '<|begin_of_text|>'],
])('the %s folder', (family, bosToken) => {
  const modelDir = join(FIXTURES, 'families', family);

  it('registers in a workspace, its tokenizer built and fingerprinted', async () => {
    const first = await call('models.add', { path: modelDir });
    expect(first.registration).toBe('added');
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const again = await call('models.add', { path: modelDir });
    expect(again).toMatchObject({ id: first.id, registration: 'unchanged', fingerprint: first.fingerprint });
  });

  it(`runs a prompt after ${bosToken}, matching the forward pass and the reference encoder`, async () => {
    const model = await call('models.add', { path: modelDir });
    const saePath = join(dir.path, `sae-${family}`);
    const sae = writeRandomSae(saePath, family);
    const { id: saeId } = await call('saes.add', { path: saePath, modelId: model.id });
    const result = await call('prompt.run', { saeId, text: TEXT });
    const tokenizer = await loadTokenizer(modelDir);
    const ids = Array.from(tokenizer.encode(TEXT).ids);
    expect(tokenizer.idToToken(tokenizer.bosId!)).toBe(bosToken);
    expect(result.tokens.map((t) => t.id)).toEqual(ids);
    expect(result.tokens.map((t) => TEXT.slice(t.start, t.end)).join('')).toBe(TEXT);
    const dense = new Float32Array(ids.length * sae.dSae);
    result.tokens.forEach((_, t) => {
      for (let j = result.acts.rowStart[t]; j < result.acts.rowStart[t + 1]; j++)
        dense[t * sae.dSae + result.acts.features[j]] = result.acts.values[j];
    });
    const withBos = await referenceActs(modelDir, sae, [tokenizer.bosId!, ...ids]);
    expect(relativeError(dense, withBos.subarray(sae.dSae))).toBeLessThan(1e-4);
    // Another start token reads the text differently: the match above is the BOS's doing.
    const withEos = await referenceActs(modelDir, sae, [tokenizer.eosId!, ...ids]);
    expect(relativeError(dense, withEos.subarray(sae.dSae))).toBeGreaterThan(1e-3);
  });

  it('starts every Brown window with the family BOS, and the window text round-trips through decode', async () => {
    const tokenizer = await loadTokenizer(modelDir);
    let n = 0;
    for await (const w of tokenWindows(openCorpus('brown:ca01'), tokenizer, { contextLength: 64, maxTokens: 400 })) {
      expect(tokenizer.idToToken(w.ids[0])).toBe(bosToken);
      expect(w.segments).toHaveLength(1);
      expect(tokenizer.decode(w.ids.subarray(1))).toBe(w.text);
      for (let t = 1; t < w.ids.length; t++) expect(w.text.slice(w.offsets[2 * t], w.offsets[2 * t + 1]).length).toBeGreaterThan(0);
      n++;
    }
    expect(n).toBeGreaterThan(5);
  });
});
