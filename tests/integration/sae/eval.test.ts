import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { mulberry32 } from '../../../native/api/random.js';
import type { Splice } from '../../../native/models/forward-graph.js';
import { runForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import type { TransformerWeights } from '../../../native/models/weights.js';
import { randomUniform } from '../../../native/onnx/matmul-rate.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { maxCosineSimilarities, randomUnitRows } from '../../../native/sae/eval/decoder-cosines.js';
import { evaluateSae } from '../../../native/sae/eval/evaluate.js';
import type { EvalReport } from '../../../native/api/eval-report.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { decodeReference, encodeReference } from '../../../native/sae/reference.js';
import { writeSaeLens } from '../../../native/sae/saelens-writer.js';
import { ablateFeatureSplice, ablateFeeds, reconstructionSplice, zeroSplice } from '../../../native/sae/splices.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { SHARED } from '../../helpers/shared.js';
import { saeFromWeights } from '../../helpers/random-sae.js';

const TINY = `${SHARED}/fixtures/gpt2-tiny`;
const DEMO = `${SHARED}/demo-model`;
const HOOK = 'blocks.1.hook_resid_pre';
const tiny = loadTransformer(TINY).weights;
const tmp = mkdtempSync(join(tmpdir(), 'loupe-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `count` windows of `seq` ids drawn uniformly from the vocabulary (gpt2-tiny has no tokenizer). */
function randomWindows(count: number, seq: number, vocab: number, seed: number): Int32Array[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => Int32Array.from({ length: seq }, () => Math.floor(random() * vocab)));
}

function ids(windows: Int32Array[]) {
  const seq = windows[0].length;
  const data = new BigInt64Array(windows.length * seq);
  windows.forEach((w, b) => w.forEach((id, t) => (data[b * seq + t] = BigInt(id))));
  return { dims: [windows.length, seq], data };
}

/** Mean next-token loss over all windows, from the logits in double precision. */
async function referenceLoss(model: TransformerWeights, windows: Int32Array[], splice?: Splice): Promise<number> {
  const splices = splice ? new Map([[HOOK, splice]]) : undefined;
  const logits = (await runForward(model, ids(windows), { hooks: [], logits: true, ...(splices ? { splices } : {}) })).outputs.get(
    'logits',
  )!.data;
  const vocab = model.config.dVocab;
  const seq = windows[0].length;
  let sum = 0;
  let n = 0;
  windows.forEach((w, b) => {
    for (let t = 0; t < seq - 1; t++) {
      const row = logits.subarray((b * seq + t) * vocab, (b * seq + t + 1) * vocab);
      const max = Math.max(...row);
      const logZ = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      sum += logZ - row[w[t + 1]];
      n++;
    }
  });
  return sum / n;
}

/** FVU, MSE, L0 and firing counts from the reference encoder and decoder on the hook's activations. */
async function referenceStats(model: TransformerWeights, sae: CanonicalSae, windows: Int32Array[]) {
  const x = (await runForward(model, ids(windows), { hooks: [HOOK] })).outputs.get(HOOK)!.data;
  const n = x.length / sae.dIn;
  const acts = encodeReference(sae, x, n);
  const recon = decodeReference(sae, acts, n, x);
  const mean = new Float64Array(sae.dIn);
  for (let i = 0; i < x.length; i++) mean[i % sae.dIn] += x[i] / n;
  let sqErr = 0;
  let variance = 0;
  for (let i = 0; i < x.length; i++) {
    sqErr += (x[i] - recon[i]) ** 2;
    variance += (x[i] - mean[i % sae.dIn]) ** 2;
  }
  const fired = new Float64Array(sae.dSae);
  let active = 0;
  for (let i = 0; i < acts.length; i++) {
    if (acts[i] > 0) {
      fired[i % sae.dSae]++;
      active++;
    }
  }
  return { n, acts, fvu: sqErr / variance, mse: sqErr / x.length, l0: active / n, fired };
}

/** S(F) of ablation-sparsity.ts, from runForward logits with ablateFeatureSplice and the reference encoder's firing positions. */
async function referenceAblation(model: TransformerWeights, sae: CanonicalSae, windows: Int32Array[], latent: number): Promise<number> {
  const { acts } = await referenceStats(model, sae, windows);
  const seq = windows[0].length;
  const first = windows.map((_, w) => {
    for (let t = 0; t < seq; t++) if (acts[(w * seq + t) * sae.dSae + latent] > 0) return t;
    return -1;
  });
  const active = windows.filter((_, w) => first[w] >= 0);
  const starts = first.filter((p) => p >= 0);
  const clean = (await runForward(model, ids(active), { hooks: [], logits: true })).outputs.get('logits')!.data;
  const splices = new Map([[HOOK, ablateFeatureSplice(sae, { keepError: true })]]);
  const ablated = (
    await runForward(model, ids(active), { hooks: [], logits: true, splices }, { extraFeeds: ablateFeeds(sae, latent) })
  ).outputs.get('logits')!.data;
  const vocab = model.config.dVocab;
  let l1 = 0;
  let l2sq = 0;
  let positions = 0;
  starts.forEach((p, b) => {
    positions += seq - p;
    for (let i = (b * seq + p) * vocab; i < (b + 1) * seq * vocab; i++) {
      const d = ablated[i] - clean[i];
      l1 += Math.abs(d);
      l2sq += d * d;
    }
  });
  return (l1 * l1) / l2sq / (vocab * positions);
}

function bruteForceMaxCos(rows: Float32Array, n: number, d: number): Float64Array {
  const norm = (r: number) => Math.sqrt(rows.subarray(r * d, (r + 1) * d).reduce((s, v) => s + v * v, 0));
  const out = new Float64Array(n).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += rows[i * d + k] * rows[j * d + k];
      out[i] = Math.max(out[i], dot / (norm(i) * norm(j)));
    }
  }
  return out;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('evaluateSae on gpt2-tiny against direct computations', () => {
  const windows = randomWindows(12, 24, tiny.config.dVocab, 7);

  for (const name of ['saelens-relu', 'saelens-topk']) {
    it(`${name}: FVU, MSE, L0, dead and dense latents, and the three losses match the reference encoder and logits`, async () => {
      const sae = loadSae(`${SHARED}/fixtures/saes/${name}`);
      // batch 5 over 12 windows: the last batch is partial, and the variance is merged across batches.
      const report = await evaluateSae(tiny, sae, windows, { batchSize: 5, ablation: false, cosines: false });
      const ref = await referenceStats(tiny, sae, windows);
      expect(report.tokens).toBe(12 * 24);
      expect(rel(report.reconstruction.fvu!, ref.fvu)).toBeLessThan(1e-4);
      expect(rel(report.reconstruction.mse, ref.mse)).toBeLessThan(1e-4);
      expect(report.reconstruction.l0).toBeCloseTo(ref.l0, 6);
      expect(report.latents.dead.count).toBe(ref.fired.filter((c) => c === 0).length);
      expect(report.latents.dense.count).toBe(ref.fired.filter((c) => c > 0.1 * ref.n).length);
      expect(report.latents.dense.threshold).toBe(0.1);

      const ce = report.crossEntropy;
      expect(ce.predictedTokens).toBe(12 * 23);
      expect(rel(ce.clean, await referenceLoss(tiny, windows))).toBeLessThan(1e-5);
      expect(rel(ce.sae, await referenceLoss(tiny, windows, reconstructionSplice(sae)))).toBeLessThan(1e-5);
      expect(rel(ce.zeroAblated, await referenceLoss(tiny, windows, zeroSplice()))).toBeLessThan(1e-5);
      expect(ce.lossRecovered).toBeCloseTo((ce.zeroAblated - ce.sae) / (ce.zeroAblated - ce.clean), 12);
      expect(ce.deltaLoss).toBeCloseTo(ce.sae - ce.clean, 12);
    });

    it(`${name}: ablation sparsity of each sampled latent matches runForward with ablateFeatureSplice`, async () => {
      const sae = loadSae(`${SHARED}/fixtures/saes/${name}`);
      const report = await evaluateSae(tiny, sae, windows, {
        batchSize: 3,
        ablation: { latents: 3, windows: 5, seed: 11 },
        cosines: false,
      });
      const a = report.ablationSparsity!;
      expect(a.windows).toBe(5);
      expect(a.perLatent).toHaveLength(3);
      for (const l of a.perLatent) {
        expect(rel(l.sparsity!, await referenceAblation(tiny, sae, windows.slice(0, 5), l.latent))).toBeLessThan(1e-4);
        expect(l.sparsity!).toBeGreaterThan(1 / (tiny.config.dVocab * l.positions));
        expect(l.sparsity!).toBeLessThanOrEqual(1);
      }
      expect(a.mean).toBeCloseTo(a.perLatent.reduce((s, l) => s + l.sparsity!, 0) / 3, 12);
      // Seeded: the same seed picks the same latents.
      const again = await evaluateSae(tiny, sae, windows, { batchSize: 3, ablation: { latents: 3, windows: 5, seed: 11 }, cosines: false });
      expect(again.ablationSparsity!.perLatent.map((l) => l.latent)).toEqual(a.perLatent.map((l) => l.latent));
    });
  }

  it('a perfect SAE (W_enc = [I, −I], W_dec = [I; −I], ReLU) leaves the loss unchanged: loss recovered 1, FVU 0', async () => {
    const dIn = 64;
    const dSae = 2 * dIn;
    const wEnc = new Float32Array(dIn * dSae);
    const wDec = new Float32Array(dSae * dIn);
    for (let i = 0; i < dIn; i++) {
      wEnc[i * dSae + i] = 1;
      wEnc[i * dSae + dIn + i] = -1;
      wDec[i * dIn + i] = 1;
      wDec[(dIn + i) * dIn + i] = -1;
    }
    const sae = saeFromWeights('perfect', {
      dIn,
      dSae,
      wEnc,
      wDec,
      activation: { kind: 'relu' },
      subtractDecoderBias: false,
      hookName: HOOK,
      modelName: null,
    });
    const report = await evaluateSae(tiny, sae, windows, { batchSize: 6, ablation: false });
    expect(report.crossEntropy.sae).toBeCloseTo(report.crossEntropy.clean, 6);
    expect(report.crossEntropy.lossRecovered).toBeCloseTo(1, 5);
    expect(report.reconstruction.fvu).toBeLessThan(1e-10);
    // relu(x) and relu(−x): one of each pair fires wherever x_i ≠ 0.
    expect(report.reconstruction.l0).toBeCloseTo(dIn, 6);
    // Rows i and dIn + i are opposite (cos −1) and orthogonal to the rest: signed max cosine 0 for every row.
    expect(report.decoderCosines!.decoder.mean).toBeCloseTo(0, 6);
    expect(report.decoderCosines!.histogram.decoder[20]).toBe(dSae);
  });

  it('windows of different lengths are refused, naming the window', async () => {
    const sae = loadSae(`${SHARED}/fixtures/saes/saelens-relu`);
    const bad = [...windows.slice(0, 2), windows[2].subarray(0, 20)];
    await expect(evaluateSae(tiny, sae, bad, { ablation: false, cosines: false })).rejects.toThrow(
      'window 2 has 20 tokens; every window must have 24',
    );
  });
});

describe('decoder cosines', () => {
  it('each row of a decoder gets its max cosine to another row, as a brute-force loop does, across blocks', async () => {
    const sae = loadSae(`${SHARED}/fixtures/saes/saelens-relu`);
    const n = sae.dSae;
    const expected = bruteForceMaxCos(sae.wDec, n, sae.dIn);
    // 100-row blocks: several full blocks and a partial last one, each masking its own diagonal.
    const got = await maxCosineSimilarities(sae.wDec, n, sae.dIn, { blockRows: 100 });
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it('random unit directions are unit length, seeded, and their max cosines match the brute-force loop', async () => {
    const rows = randomUnitRows(300, 16, 3);
    for (let r = 0; r < 300; r++) expect(Math.hypot(...rows.subarray(r * 16, (r + 1) * 16))).toBeCloseTo(1, 5);
    expect(randomUnitRows(300, 16, 3)).toEqual(rows);
    const got = await maxCosineSimilarities(rows, 300, 16, { blockRows: 64 });
    const expected = bruteForceMaxCos(rows, 300, 16);
    for (let i = 0; i < 300; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-5);
  });
});

describe('on the demo model', () => {
  const refs = openSafetensors(`${DEMO}/refs.safetensors`);
  afterAll(() => refs.close());
  const demo = loadTransformer(DEMO).weights;

  function randomSae(dir: string, hookName: string | null): string {
    const dIn = 256;
    const dSae = 512;
    writeSaeLens(dir, {
      source: { path: dir, format: 'loupe' },
      dIn,
      dSae,
      wEnc: randomUniform(dIn * dSae, 1, 0.1),
      bEnc: randomUniform(dSae, 2, 0.1),
      wDec: randomUniform(dSae * dIn, 3, 0.1),
      bDec: new Float32Array(dIn),
      activation: { kind: 'relu' },
      subtractDecoderBias: true,
      inputNorm: 'none',
      inputScale: 1,
      hookName,
      modelName: 'demo',
      config: {},
    });
    return dir;
  }

  it("the clean loss on the reference text is PyTorch's loss", async () => {
    const sae = loadSae(randomSae(join(tmp, 'sae-ref'), 'blocks.0.hook_resid_post'));
    const window = Int32Array.from(refs.read('input_ids').data as BigInt64Array, Number);
    const report = await evaluateSae(demo, sae, [window], { ablation: false, cosines: false });
    const loss = refs.readFloat32('loss').data[0];
    expect(rel(report.crossEntropy.clean, loss)).toBeLessThan(1e-4);
  });

  it('loupe eval prints the table and writes a JSON report with every field', async () => {
    const saeDir = randomSae(join(tmp, 'sae-cli'), 'blocks.0.hook_resid_post');
    const out = join(tmp, 'report.json');
    const args = [
      'eval',
      '--model',
      DEMO,
      '--sae',
      saeDir,
      '--corpus',
      'brown:ca01',
      '--tokens',
      '512',
      '--context',
      '64',
      '--ablation-latents',
      '4',
      '--out',
      out,
    ];
    const { code, out: stdout, err } = await loupe(...args);
    expect(err).toBe('');
    expect(code).toBe(0);
    for (const label of [
      'FVU (normalised MSE)',
      'L0',
      'dead',
      'dense (fired on > 10% of tokens)',
      'loss recovered',
      'delta loss',
      'Ablation sparsity',
      'random directions',
    ]) {
      expect(stdout).toContain(label);
    }
    expect(stdout).toContain(`report written to ${out}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as EvalReport;
    expect(report).toMatchObject({ hook: 'blocks.0.hook_resid_post', corpus: 'brown:ca01', tokens: 512, windows: 10, contextLength: 64 }); // 63 + 8 × 55 + 9 counted
    const numbers = [
      report.reconstruction.fvu,
      report.reconstruction.explainedVariance,
      report.reconstruction.mse,
      report.reconstruction.l0,
      report.latents.dead.fraction,
      report.latents.dense.fraction,
      report.crossEntropy.clean,
      report.crossEntropy.sae,
      report.crossEntropy.zeroAblated,
      report.crossEntropy.lossRecovered,
      report.crossEntropy.deltaLoss,
      report.ablationSparsity!.mean,
      report.decoderCosines!.decoder.mean,
      report.decoderCosines!.random.mean,
    ];
    for (const v of numbers) expect(Number.isFinite(v)).toBe(true);
    expect(report.ablationSparsity!.perLatent).toHaveLength(4);
    expect(report.decoderCosines!.histogram.decoder.reduce((a, b) => a + b)).toBe(512);
    expect(report.decoderCosines!.histogram.random.reduce((a, b) => a + b)).toBe(512);
    expect(report.latents.dead.definition).toContain('512 evaluated tokens');
  });

  it('loupe eval refuses an SAE without hook_name unless --hook is given, and a hook of the wrong width', async () => {
    const saeDir = randomSae(join(tmp, 'sae-nohook'), null);
    const base = ['eval', '--model', DEMO, '--sae', saeDir, '--corpus', 'brown:ca01', '--tokens', '128', '--context', '64'];
    const missing = await loupe(...base);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('hook_name');
    const wide = await loupe(...base, '--hook', 'blocks.0.mlp.hook_post');
    expect(wide.code).toBe(1);
    expect(wide.err).toContain(`d_in = 256 values per token, but ${SHARED}/demo-model's hook blocks.0.mlp.hook_post is 1024 wide`);
    const short = await loupe(...base, '--hook', 'blocks.0.hook_resid_post', '--tokens', '10');
    expect(short.code).toBe(2);
    expect(short.err).toContain('--tokens 10 is less than one window of --context 64 tokens');
  });
});
