import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/index.js';
import type { Tokenizer } from '../../../native/formats/index.js';
import { openCorpus } from '../../../native/corpus/index.js';
import { tokenWindows } from '../../../native/corpus/windows.js';
import { UnknownHookError, loadTransformer, runForward } from '../../../native/models/index.js';
import { SaeError, encodeReference } from '../../../native/sae/index.js';
import type { CanonicalSae, SaeActivation, SaeInputNorm } from '../../../native/sae/index.js';
import { ActivationStreamError, openActivationStream } from '../../../native/sae/train/activations.js';
import type { ActivationBatch, ActivationStream, ActivationStreamOptions } from '../../../native/sae/train/activations.js';
import { tempDir } from '../../helpers/tmp.js';
import { randn } from '../../unit/sae/helpers.js';
import { SHARED } from '../../helpers/shared.js';

const DEMO = `${SHARED}/demo-model`;
const HOOK = 'blocks.0.hook_resid_post';
const D_MODEL = 256;
const CTX = 64;
const { weights } = loadTransformer(DEMO);
let tokenizer: Tokenizer;
const tmp = tempDir('activations');
beforeAll(async () => {
  tokenizer = await loadTokenizer(join(DEMO, 'tokenizer.json'));
});
afterAll(() => tmp.cleanup());

/** A random SAE on the demo model's residual stream (d_in 256); W_enc ~ N(0, 1/d_in). */
function randomSae(seed: number, dSae: number, activation: SaeActivation, inputNorm: SaeInputNorm = 'none'): CanonicalSae {
  const rnd = randn(seed);
  return {
    source: { path: `test:random-sae-${seed}`, format: 'loupe' },
    dIn: D_MODEL,
    dSae,
    wEnc: rnd(D_MODEL * dSae, 1 / Math.sqrt(D_MODEL)),
    bEnc: rnd(dSae, 0.1),
    wDec: rnd(dSae * D_MODEL, 1 / Math.sqrt(D_MODEL)),
    bDec: rnd(D_MODEL, 0.1),
    activation,
    subtractDecoderBias: true,
    inputNorm,
    inputScale: 1,
    hookName: HOOK,
    modelName: null,
    config: {},
  };
}

function open(corpus: string, options: Partial<ActivationStreamOptions> = {}): Promise<ActivationStream> {
  return openActivationStream({
    model: weights,
    tokenizer,
    corpus: openCorpus(corpus),
    hook: HOOK,
    contextLength: CTX,
    batchTokens: 256,
    tokens: 100_000,
    chunkTokens: 1024,
    seed: 7,
    ...options,
  });
}

/** Batches start, start + 1, … : `count` of them, or while `keep` holds. */
async function take(
  stream: ActivationStream,
  start: number,
  count: number,
  keep: (b: ActivationBatch) => boolean = () => true,
): Promise<ActivationBatch[]> {
  const out: ActivationBatch[] = [];
  if (count <= 0) return out;
  for await (const batch of stream.batches(start)) {
    if (!keep(batch)) break;
    out.push(batch);
    if (out.length >= count) break;
  }
  return out;
}

/** The counted rows of a corpus's windows, through runForward in one batch: [counted tokens, D_MODEL] in corpus order. */
async function directActivations(corpus: string): Promise<Float32Array> {
  const ids: number[] = [];
  const counted: number[] = [];
  for await (const w of tokenWindows(openCorpus(corpus), tokenizer, { contextLength: CTX })) {
    ids.push(...w.ids);
    counted.push(...(w.counted ?? new Uint8Array(CTX).fill(1)));
  }
  const input = { dims: [ids.length / CTX, CTX], data: BigInt64Array.from(ids, BigInt) };
  const all = (await runForward(weights, input, { hooks: [HOOK] })).outputs.get(HOOK)!.data;
  const rows = counted.flatMap((c, t) => (c ? [t] : []));
  const out = new Float32Array(rows.length * D_MODEL);
  rows.forEach((t, i) => out.set(all.subarray(t * D_MODEL, (t + 1) * D_MODEL), i * D_MODEL));
  return out;
}

/** Rows [n, width] sorted lexicographically and concatenated: equal multisets of rows give equal arrays. */
function sortedRows(data: Float32Array, width = D_MODEL): Float32Array {
  const rows = Array.from({ length: data.length / width }, (_, i) => data.subarray(i * width, (i + 1) * width));
  rows.sort((a, b) => {
    for (let i = 0; i < width; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  });
  const out = new Float32Array(data.length);
  rows.forEach((r, i) => out.set(r, i * width));
  return out;
}

function concat(batches: ActivationBatch[]): Float32Array {
  const out = new Float32Array(batches.reduce((n, b) => n + b.x.length, 0));
  let at = 0;
  for (const b of batches) out.set(b.x, (at += b.x.length) - b.x.length);
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Activations `rows` [n, D_MODEL] whose `feature` value in `acts` [n, dSae] exceeds `threshold`. */
function rowsAbove(rows: Float32Array, acts: Float32Array, dSae: number, feature: number, threshold: number): Float32Array {
  const kept: number[] = [];
  for (let t = 0; t < rows.length / D_MODEL; t++) if (acts[t * dSae + feature] > threshold) kept.push(t);
  const out = new Float32Array(kept.length * D_MODEL);
  kept.forEach((t, i) => out.set(rows.subarray(t * D_MODEL, (t + 1) * D_MODEL), i * D_MODEL));
  return out;
}

/**
 * A threshold in the middle of a wide gap between the feature's sorted reference values, near the
 * quantile asked for, so float32 (ONNX) and float64 (reference) rounding cannot move a token across it.
 */
function gapThreshold(acts: Float32Array, dSae: number, feature: number, quantile: number): number {
  const values = Array.from({ length: acts.length / dSae }, (_, t) => acts[t * dSae + feature])
    .filter((v) => v > 0)
    .sort((a, b) => a - b);
  const start = Math.floor(values.length * quantile);
  for (let i = start; i < values.length - 1; i++) {
    if (values[i + 1] - values[i] > 1e-3 * Math.abs(values[i + 1])) return (values[i] + values[i + 1]) / 2;
  }
  throw new Error(`feature ${feature}: no gap above quantile ${quantile}`);
}

describe('openActivationStream', () => {
  it('yields [batchTokens, dModel] batches numbered across epochs; one epoch is every counted row of the sample once', async () => {
    // The whole of ca01 is the sample (tokens ≥ the corpus); one-row batches divide its counted rows, so an epoch drops nothing.
    const stream = await open('brown:ca01', { batchTokens: 1, tokens: 10_000_000 });
    const batches = await take(stream, 0, Infinity, (b) => b.epoch < 2);
    const { stats } = stream;
    expect(stream.dIn).toBe(D_MODEL);
    expect(stats.sampleTokens).toBe(stats.tokens);
    expect(stats.batchesPerEpoch).toBe(stats.tokens);
    expect(batches).toHaveLength(2 * stats.batchesPerEpoch);
    batches.forEach((b, i) => {
      expect([b.index, b.nTokens, b.x.length, b.epoch]).toEqual([i, 1, D_MODEL, Math.floor(i / stats.batchesPerEpoch)]);
      expect(b.x.every(Number.isFinite)).toBe(true);
    });
    const [first, second] = [concat(batches.slice(0, stats.batchesPerEpoch)), concat(batches.slice(stats.batchesPerEpoch))];
    const direct = await directActivations('brown:ca01');
    expect(direct.length).toBe(first.length);
    expect(maxAbsDiff(sortedRows(first), sortedRows(direct))).toBe(0);
    expect(maxAbsDiff(sortedRows(second), sortedRows(direct))).toBe(0);
    expect(maxAbsDiff(first, second)).toBeGreaterThan(1); // each epoch in its own order
    expect(maxAbsDiff(first, direct)).toBeGreaterThan(1); // and not in corpus order
  });

  it('draws its windows from the whole corpus, not its start', async () => {
    // ca01–ca10 in corpus order; a budget of a fifth of it must still reach every document.
    const all = await open('brown:ca01-ca10', { tokens: 10_000_000 });
    await take(all, 0, 1);
    const budget = Math.floor(all.stats.tokens / 5);
    const stream = await open('brown:ca01-ca10', { tokens: budget });
    const batches = await take(stream, 0, 4);
    expect(stream.stats.sampleTokens).toBeGreaterThanOrEqual(budget);
    expect(stream.stats.sampleTokens).toBeLessThan(budget + CTX);
    expect(stream.stats.tokens).toBe(all.stats.tokens);
    // The first four batches (1,024 rows) hold rows of many documents: compare with each document's own rows.
    const perDoc = await Promise.all(Array.from({ length: 10 }, (_, d) => directActivations(`brown:ca${String(d + 1).padStart(2, '0')}`)));
    const docOf = rowOwner(perDoc);
    const docs = new Set(
      batches.flatMap((b) => Array.from({ length: b.nTokens }, (_, r) => docOf(b.x.subarray(r * D_MODEL, (r + 1) * D_MODEL)))),
    );
    expect(docs.size).toBeGreaterThanOrEqual(8);
  });

  it('same seed, same batches; another seed, another order of the same rows', async () => {
    const a = await take(await open('brown:ca01-ca02', { seed: 7, tokens: 10_000_000 }), 0, 8);
    const b = await take(await open('brown:ca01-ca02', { seed: 7, tokens: 10_000_000 }), 0, 8);
    const c = await open('brown:ca01-ca02', { seed: 8, tokens: 10_000_000 });
    const cb = await take(c, 0, 8);
    b.forEach((batch, i) => expect(maxAbsDiff(batch.x, a[i].x)).toBe(0));
    expect(maxAbsDiff(cb[0].x, a[0].x)).toBeGreaterThan(1);
    const epochA = concat(await take(await open('brown:ca01-ca02', { seed: 7, tokens: 10_000_000, batchTokens: 1 }), 0, c.stats.tokens));
    const epochC = concat(await take(await open('brown:ca01-ca02', { seed: 8, tokens: 10_000_000, batchTokens: 1 }), 0, c.stats.tokens));
    expect(maxAbsDiff(sortedRows(epochA), sortedRows(epochC))).toBe(0);
  });

  it('resumes at batch b with exactly the batches b, b+1, … of an uninterrupted run, in later epochs too, skipping the model over whole chunks', async () => {
    // 384-row batches straddle the 1,024-token chunks.
    const full = await open('brown:ca01-ca03', { batchTokens: 384, tokens: 10_000_000 });
    const perEpoch = (await take(full, 0, 1), full.stats.batchesPerEpoch);
    const all = await take(full, 0, 2 * perEpoch + 3);
    for (const start of [7, perEpoch + 5]) {
      const resumed = await open('brown:ca01-ca03', { batchTokens: 384, tokens: 10_000_000 });
      const tail = await take(resumed, start, 3);
      expect(tail.map((b) => b.index)).toEqual([start, start + 1, start + 2]);
      tail.forEach((batch, i) => expect(maxAbsDiff(batch.x, all[start + i].x)).toBe(0));
      // Skipped chunks are never computed: far fewer tokens went through the model than the batches skipped.
      expect(resumed.stats.forwardTokens).toBeLessThan(4 * 1024 + 3 * 384);
    }
  });

  it('runs the model once for a filter: every epoch permutes the same kept rows, and a resume matches too', async () => {
    const sae = randomSae(11, 64, { kind: 'relu' });
    const filter = { sae, feature: 5, threshold: 0.2 };
    const full = await open('brown:ca01-ca03', { batchTokens: 200, filter, tokens: 1000 });
    const perEpoch = (await take(full, 0, 1), full.stats.batchesPerEpoch);
    const all = await take(full, 0, 3 * perEpoch);
    expect(full.stats.tokensKept).toBeGreaterThan(1000);
    expect(full.stats.tokensKept).toBeLessThan(full.stats.tokens * 0.8);
    expect(full.stats.forwardTokens).toBe(full.stats.windows * CTX); // one pass for three epochs
    const epochs = [0, 1, 2].map((e) => concat(all.slice(e * perEpoch, (e + 1) * perEpoch)));
    expect(maxAbsDiff(sortedRows(epochs[0]), sortedRows(epochs[1]))).toBeGreaterThan(0); // different partial batches dropped…
    expect(maxAbsDiff(epochs[0], epochs[1])).toBeGreaterThan(1); // …and different orders
    const start = perEpoch + 2;
    const resumed = await open('brown:ca01-ca03', { batchTokens: 200, filter, tokens: 1000 });
    const tail = await take(resumed, start, 3);
    tail.forEach((batch, i) => expect(maxAbsDiff(batch.x, all[start + i].x)).toBe(0));
  });

  it('keeps exactly the tokens whose ReLU feature (encodeReference) exceeds the threshold', async () => {
    const sae = randomSae(3, 64, { kind: 'relu' });
    const direct = await directActivations('brown:ca01');
    const n = direct.length / D_MODEL;
    const reference = encodeReference(sae, direct, n);
    const threshold = gapThreshold(reference, 64, 9, 0.6);
    const expected = rowsAbove(direct, reference, 64, 9, threshold);
    // One-row batches drop nothing, so one epoch is every kept row.
    const stream = await open('brown:ca01', { filter: { sae, feature: 9, threshold }, batchTokens: 1 });
    const kept = concat(await take(stream, 0, expected.length / D_MODEL));
    expect(stream.stats.tokensKept).toBe(expected.length / D_MODEL);
    expect(stream.stats.tokensKept).toBeGreaterThan(100);
    expect(maxAbsDiff(sortedRows(kept), sortedRows(expected))).toBeLessThan(1e-5);
  });

  it('filters through a TopK SAE, where a feature outside a token’s top k counts as 0', async () => {
    const k = 6;
    const sae = randomSae(5, 64, { kind: 'topk', k }, 'layer-norm');
    const direct = await directActivations('brown:ca01');
    const n = direct.length / D_MODEL;
    const reference = encodeReference(sae, direct, n);
    // The feature whose top-k membership is never a near tie (a ReLU twin gives each token's pre-activations above 0).
    const pre = encodeReference({ ...sae, activation: { kind: 'relu' } }, direct, n);
    const feature = [...Array(64).keys()].find((f) => hasClearMembership(pre, reference, n, f, k))!;
    expect(feature).toBeDefined();
    const threshold = gapThreshold(reference, 64, feature, 0.2);
    const expected = rowsAbove(direct, reference, 64, feature, threshold);
    const inTopKOnlyByPre = countAbove(pre, n, feature, threshold) - expected.length / D_MODEL;
    expect(inTopKOnlyByPre).toBeGreaterThan(0); // the top-k rule, not the threshold alone, removes tokens
    const stream = await open('brown:ca01', { filter: { sae, feature, threshold }, batchTokens: 1 });
    const kept = concat(await take(stream, 0, expected.length / D_MODEL));
    expect(stream.stats.tokensKept).toBe(expected.length / D_MODEL);
    expect(maxAbsDiff(sortedRows(kept), sortedRows(expected))).toBeLessThan(1e-5);
  });

  it('keeps a uniform sample of the filtered rows within the memory cap, and says so', async () => {
    const sae = randomSae(11, 64, { kind: 'relu' });
    const warnings: string[] = [];
    const filter = { sae, feature: 5, threshold: 0.2 };
    const capped = await open('brown:ca01-ca03', {
      batchTokens: 100,
      filter,
      maxFilteredBytes: 500 * D_MODEL * 4,
      onWarning: (m) => warnings.push(m),
    });
    await take(capped, 0, 1);
    expect(capped.stats.tokensKept).toBe(500);
    expect(capped.stats.filterPassed).toBeGreaterThan(1000);
    expect(warnings.join()).toMatch(/uniform sample of 500/);
  });

  it('holds at most one chunk and one partial batch of rows, however long the corpus', async () => {
    for (const corpus of ['brown:ca01', 'brown:ca01-ca10']) {
      const stream = await open(corpus, { tokens: 10_000_000 });
      await take(stream, 0, 200);
      expect(stream.stats.chunkBuffers).toBe(1);
      expect(stream.stats.peakBufferedRows).toBeLessThanOrEqual(1024 + 256 - 1);
    }
  });

  it('counts the invalid UTF-8 a text corpus replaced', async () => {
    const sentence = Buffer.from('The committee said the election was conducted well, and the jury praised the city. ');
    const bad = [Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from('\ufffd literal, not counted. '), Buffer.from([0xfe])];
    const path = join(tmp.path, 'invalid.txt');
    writeFileSync(path, Buffer.concat([...Array(30).fill(sentence), ...bad, ...Array(30).fill(sentence)]));
    const stream = await open(`text:${path}`, { contextLength: 32, batchTokens: 64 });
    expect(await take(stream, 0, 1)).toHaveLength(1);
    expect(stream.stats.invalidUtf8).toBe(3);
  });

  it('refuses an empty corpus, naming it', async () => {
    const path = join(tmp.path, 'blank.txt');
    writeFileSync(path, '  \n\n \t\n');
    await expect(take(await open(`text:${path}`), 0, 1)).rejects.toThrow(`corpus "text:${path}" has no text`);
    expect(() => openCorpus(join(tmp.path, 'blank.txt'))).not.toThrow();
    writeFileSync(join(tmp.path, 'zero.txt'), '');
    expect(() => openCorpus(`text:${join(tmp.path, 'zero.txt')}`)).toThrow(/has no text/);
  });

  it('refuses a corpus with fewer tokens than one batch', async () => {
    await expect(take(await open('brown:ca01', { batchTokens: 100_000 }), 0, 1)).rejects.toThrow(
      /yields \d+ tokens \(of \d+ windows read\), fewer than one batch of 100000/,
    );
  });

  it('refuses a filter that keeps nothing, naming the feature, the threshold and the tokens scanned', async () => {
    const stream = await open('brown:ca01', { filter: { sae: randomSae(3, 64, { kind: 'relu' }), feature: 4, threshold: 1e6 } });
    const error = await take(stream, 0, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActivationStreamError);
    expect((error as Error).message).toMatch(
      new RegExp(`kept no tokens: feature 4 .* threshold 1000000 in the ${stream.stats.tokens} tokens of corpus "brown:ca01"`),
    );
  });

  it('refuses an unknown hook, a filter SAE of the wrong width and a feature out of range before reading the corpus', async () => {
    await expect(open('brown:ca01', { hook: 'blocks.7.hook_resid_post' })).rejects.toThrow(UnknownHookError);
    const narrow = {
      ...randomSae(3, 64, { kind: 'relu' }),
      dIn: 128,
      wEnc: new Float32Array(128 * 64),
      wDec: new Float32Array(64 * 128),
      bDec: new Float32Array(128),
    };
    await expect(open('brown:ca01', { filter: { sae: narrow, feature: 0, threshold: 0 } })).rejects.toThrow(
      /d_in = 128 .* blocks\.0\.hook_resid_post is 256 wide/,
    );
    const sae = randomSae(3, 64, { kind: 'relu' });
    await expect(open('brown:ca01', { filter: { sae, feature: 64, threshold: 0 } })).rejects.toThrow(SaeError);
    await expect(open('brown:ca01', { filter: { sae, feature: 64, threshold: 0 } })).rejects.toThrow(
      /feature 64 is out of range: the SAE has d_sae = 64 features \(0\.\.63\)/,
    );
    await expect(open('brown:ca01', { contextLength: 512 })).rejects.toThrow(/contextLength 512 exceeds the model's context of 256/);
    await expect(open('brown:ca01', { tokens: 0 })).rejects.toThrow(/tokens must be a positive integer/);
  });

  it('stops at an aborted signal', async () => {
    const controller = new AbortController();
    const stream = await open('brown:ca01-ca02', { signal: controller.signal });
    const seen: number[] = [];
    const run = (async () => {
      for await (const batch of stream.batches()) {
        seen.push(batch.index);
        controller.abort();
      }
    })();
    await expect(run).rejects.toThrow(/abort/i);
    expect(seen).toEqual([0]);
  });
});

/** A lookup from an activation row to the index of the array in `groups` ([n, D_MODEL] each) that holds it exactly. */
function rowOwner(groups: Float32Array[]): (row: Float32Array) => number {
  const key = (row: Float32Array) => Array.from(row.subarray(0, 8)).join(',');
  const owner = new Map<string, number>();
  groups.forEach((g, i) => {
    for (let r = 0; r < g.length / D_MODEL; r++) owner.set(key(g.subarray(r * D_MODEL, (r + 1) * D_MODEL)), i);
  });
  return (row) => {
    const found = owner.get(key(row));
    if (found === undefined) throw new Error('a batch row matches no document row');
    return found;
  };
}

/** Tokens whose `feature` pre-activation (from a ReLU twin) exceeds `threshold`. */
function countAbove(pre: Float32Array, n: number, feature: number, threshold: number): number {
  let count = 0;
  for (let t = 0; t < n; t++) if (pre[t * 64 + feature] > threshold) count++;
  return count;
}

/**
 * Whether, in every token, `feature` is clearly in or out of the top k: where it is the k-th or the
 * (k+1)-th largest pre-activation, those two differ by more than 1e-3, so float32 rounding cannot swap
 * them. The feature must also fire in some tokens.
 */
function hasClearMembership(pre: Float32Array, topk: Float32Array, n: number, feature: number, k: number): boolean {
  let fires = 0;
  for (let t = 0; t < n; t++) {
    const row = Array.from(pre.subarray(t * 64, (t + 1) * 64)).sort((a, b) => b - a);
    const v = pre[t * 64 + feature];
    if (v > 0 && (v === row[k - 1] || v === row[k]) && row[k - 1] - row[k] < 1e-3) return false;
    if (topk[t * 64 + feature] > 0) fires++;
  }
  return fires > 20;
}
