import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors } from '../../../../native/formats/safetensors.js';
import { trainSae } from '../../../../native/sae/train/trainer.js';
import type { TrainOptions } from '../../../../native/sae/train/trainer.js';
import { geometricMedian } from '../../../../native/sae/train/init.js';
import { tempDir } from '../../../helpers/tmp.js';
import { meanBestCosine, syntheticFeatures } from './synthetic.js';

const dIn = 32;
const nFeatures = 96;
const batchTokens = 1024;

function setup(batches: number) {
  const data = syntheticFeatures({ dIn, nFeatures, perToken: 3, batchTokens, batches, seed: 7 });
  const opts: TrainOptions = {
    dIn,
    dSae: 192,
    activation: { kind: 'topk', k: 4, auxKCoefficient: 1 / 32 },
    totalTokens: batches * batchTokens,
    batchTokens,
    seed: 1,
    lr: 1e-3,
  };
  return { ...data, opts };
}

describe('trainSae', () => {
  it('recovers known directions from their sparse sums with a TopK SAE (more directions than dimensions)', async () => {
    const { directions, source, opts } = setup(600);
    const result = await trainSae(opts, source);
    expect(meanBestCosine(directions, nFeatures, result.state.params.wDec, opts.dSae, dIn)).toBeGreaterThanOrEqual(0.9);
    expect(result.log.at(-1)?.l0).toBe(4);
    expect(result.log.at(-1)?.nmse).toBeLessThan(0.2);
    expect(result.steps).toBe(600);
  });

  it('recovers them with a ReLU SAE and the decoder-norm-weighted L1 penalty', async () => {
    const { directions, source, opts } = setup(1000);
    const result = await trainSae({ ...opts, activation: { kind: 'relu', l1Coefficient: 0.3 }, lr: 2e-3 }, source);
    expect(meanBestCosine(directions, nFeatures, result.state.params.wDec, opts.dSae, dIn)).toBeGreaterThanOrEqual(0.9);
    expect(result.log.at(-1)?.l0).toBeLessThan(10);
  });

  it('resumes a cancelled run from its checkpoint and ends where an uninterrupted run ends', async () => {
    const { source, opts } = setup(60);
    const whole = await trainSae(opts, source);
    const { path: dir, cleanup } = tempDir('train-resume');
    const controller = new AbortController();
    const first = trainSae(
      { ...opts, checkpointDir: dir, signal: controller.signal, onProgress: (p) => p.step === 25 && controller.abort() },
      source,
    );
    await expect(first).rejects.toThrow(/abort/i);
    expect(existsSync(join(dir, 'checkpoint.json'))).toBe(true);
    const resumed = await trainSae({ ...opts, checkpointDir: dir }, source);
    expect(resumed.resumedFromStep).toBe(25);
    expect(resumed.tokensSeen).toBe(whole.tokensSeen);
    for (const p of ['wEncT', 'bEnc', 'wDec', 'bDec'] as const) {
      expect(maxAbsDiff(resumed.state.params[p], whole.state.params[p]), p).toBeLessThan(1e-5);
    }
    cleanup();
  });

  it('refuses a checkpoint.json that is not JSON, too large, or of the wrong shape, naming the file', async () => {
    const { source, opts } = setup(30);
    const { path: dir, cleanup } = tempDir('train-bad-checkpoint');
    try {
      const controller = new AbortController();
      await expect(
        trainSae({ ...opts, checkpointDir: dir, signal: controller.signal, onProgress: (p) => p.step === 5 && controller.abort() }, source),
      ).rejects.toThrow(/abort/i);
      const file = join(dir, 'checkpoint.json');
      const good = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(good.step).toBe(5);
      const resume = () => trainSae({ ...opts, checkpointDir: dir }, source);
      writeFileSync(file, '{"runKey": "');
      await expect(resume()).rejects.toThrow(/checkpoint\.json: not valid JSON/);
      // 4 MB of padding around a valid object: refused by its size before it is read.
      writeFileSync(file, `${' '.repeat(4 << 20)}${JSON.stringify(good)}`);
      await expect(resume()).rejects.toThrow(/checkpoint\.json: is \d+ bytes, over the 4194304-byte limit/);
      writeFileSync(file, JSON.stringify({ ...good, step: '5' }));
      await expect(resume()).rejects.toThrow(/checkpoint\.json: "step" is "5", expected a whole number ≥ 0/);
      // The log goes on into training.json and the loss curve: each record is checked too.
      const log = good.log as Record<string, unknown>[];
      expect(log.length).toBeGreaterThan(0);
      writeFileSync(file, JSON.stringify({ ...good, log: [{ ...log[0], nmse: 'low' }] }));
      await expect(resume()).rejects.toThrow(/checkpoint\.json: "log"\[0\]\."nmse" is "low", expected a finite number/);
      writeFileSync(file, JSON.stringify({ ...good, log: [{ ...log[0], step: 6 }] }));
      await expect(resume()).rejects.toThrow(/checkpoint\.json: "log"\[0\] is of step 6, after the checkpoint's step 5/);
      writeFileSync(file, JSON.stringify({ ...good, log: [7] }));
      await expect(resume()).rejects.toThrow(/checkpoint\.json: "log"\[0\] is 7, expected a log record/);
      // The tensors must be those of an SAE of this run's size.
      writeFileSync(file, JSON.stringify(good));
      const tensorsFile = join(dir, 'checkpoint.safetensors');
      const tensors = openSafetensors(tensorsFile);
      const all = Object.fromEntries([...tensors.entries.keys()].map((name) => [name, tensors.read(name)]));
      tensors.close();
      writeSafetensors(
        tensorsFile,
        { ...all, 'param.bDec': { dtype: 'F32', shape: [dIn - 1], data: new Float32Array(dIn - 1) } },
        { step: '5' },
      );
      await expect(resume()).rejects.toThrow(/checkpoint\.safetensors: tensor "param\.bDec" is F32 \[31\], expected F32 of 32 values/);
    } finally {
      cleanup();
    }
  });

  it('loops over a source shorter than the run, and is deterministic for a seed', async () => {
    const { source, opts } = setup(7);
    const a = await trainSae({ ...opts, totalTokens: 20 * batchTokens }, source);
    const b = await trainSae({ ...opts, totalTokens: 20 * batchTokens }, source);
    expect(a.steps).toBe(20);
    expect(a.tokensSeen).toBe(20 * batchTokens);
    expect(maxAbsDiff(a.state.params.wDec, b.state.params.wDec)).toBe(0);
  });

  it('keeps blocked latents inactive', async () => {
    const { source, opts } = setup(20);
    const result = await trainSae({ ...opts, blockedLatents: [0, 5] }, source);
    // a blocked latent never fires, so nothing but Adam's zero-gradient step touches its encoder bias
    expect(result.state.params.bEnc[0]).toBe(0);
    expect(result.state.params.bEnc[5]).toBe(0);
  });

  it('refuses bad settings and empty streams with specific errors', async () => {
    const { source, opts } = setup(4);
    await expect(trainSae({ ...opts, activation: { kind: 'topk', k: 500, auxKCoefficient: 0 } }, source)).rejects.toThrow(
      'k = 500 is larger than d_sae = 192',
    );
    await expect(trainSae({ ...opts, totalTokens: 10 }, source)).rejects.toThrow('less than one batch');
    await expect(trainSae({ ...opts, blockedLatents: [192] }, source)).rejects.toThrow('blocked latent 192 is out of range');
    const empty = { async *batches() {} };
    await expect(trainSae(opts, empty)).rejects.toThrow('yielded no batch');
  });

  it('geometricMedian resists outliers where the mean does not', () => {
    const rows = new Float32Array([0, 0, 1, 0, 0, 1, 1, 1, 100, 100]);
    const median = geometricMedian(rows, 5, 2);
    expect(median[0]).toBeLessThan(1.5);
    expect(median[1]).toBeLessThan(1.5);
  });
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
