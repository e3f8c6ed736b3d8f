import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../../native/formats/safetensors.js';
import { createSession } from '../../../../native/onnx/ort.js';
import type { Feed } from '../../../../native/onnx/ort.js';
import { randomUniform } from '../../../../native/onnx/matmul-rate.js';
import { DEFAULT_ADAM, adamScalars } from '../../../../native/sae/train/adam-graph.js';
import { buildStepGraph, paramShape } from '../../../../native/sae/train/step-graph.js';
import type { StepGraphSpec } from '../../../../native/sae/train/step-graph.js';
import { PARAM_NAMES } from '../../../../native/sae/train/step-types.js';
import type { ParamName } from '../../../../native/sae/train/step-types.js';
import { StepRunner } from '../../../../native/sae/train/step-runner.js';
import { FIXTURES } from '../../../helpers/shared.js';
import { relativeError } from '../../../helpers/numeric.js';

const FIXTURE = join(FIXTURES, 'train-step', 'refs.safetensors');

type Params = Record<ParamName, Float32Array>;

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/** Runs the 'gradients' variant: the loss and every parameter's gradient at `params`. */
async function gradients(spec: StepGraphSpec, params: Params, x: Float32Array, extra: Record<string, Feed> = {}) {
  const session = await createSession(buildStepGraph({ ...spec, mode: 'gradients' }).toBytes());
  const feeds: Record<string, Feed> = {
    ...extra,
    x: { type: 'float32', dims: [x.length / spec.dIn, spec.dIn], data: x },
    mse_scale: { type: 'float32', dims: [1], data: Float32Array.of(0.5) },
  };
  for (const p of PARAM_NAMES) feeds[p] = { type: 'float32', dims: paramShape(spec, p), data: params[p] };
  const out = await session.run(feeds);
  const grads = Object.fromEntries(PARAM_NAMES.map((p) => [p, out[`grad.${p}`].float32()])) as Params;
  return { loss: out.loss.float32()[0], grads, session, feeds };
}

function randomParams(spec: StepGraphSpec, seed: number): Params {
  const p = {} as Params;
  PARAM_NAMES.forEach(
    (name, i) =>
      (p[name] = randomUniform(
        paramShape(spec, name).reduce((a, b) => a * b, 1),
        seed + i,
        0.3,
      )),
  );
  return p;
}

/** ⟨∇L, d⟩ against the central difference (L(p + εd) − L(p − εd)) / 2ε along a random direction d of every parameter. */
async function directionalCheck(spec: StepGraphSpec, extra: Record<string, Feed> = {}) {
  const params = randomParams(spec, 11);
  const x = randomUniform(24 * spec.dIn, 5);
  const { grads, session, feeds } = await gradients(spec, params, x, extra);
  const results: { name: ParamName; analytic: number; numeric: number }[] = [];
  for (const name of PARAM_NAMES) {
    const d = randomUniform(params[name].length, 99, 1);
    let analytic = 0;
    for (let i = 0; i < d.length; i++) analytic += grads[name][i] * d[i];
    const lossAt = async (eps: number) => {
      const shifted = params[name].map((v, i) => v + eps * d[i]);
      const out = await session.run({ ...feeds, [name]: { ...feeds[name], data: shifted } });
      return out.loss.float32()[0];
    };
    const eps = 1e-3;
    results.push({ name, analytic, numeric: ((await lossAt(eps)) - (await lossAt(-eps))) / (2 * eps) });
  }
  return results;
}

/** Every parameter's directional derivative agrees with the central difference to 2 % (absolute below 1). */
async function expectFiniteDifferences(spec: StepGraphSpec, extra: Record<string, Feed> = {}): Promise<void> {
  for (const { name, analytic, numeric } of await directionalCheck(spec, extra)) {
    expect(Math.abs(analytic - numeric), name).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
  }
}

describe('the training-step graph', () => {
  it('reproduces the PyTorch TopK loss and every gradient of the train-step fixture', async () => {
    const refs = openSafetensors(FIXTURE);
    const r = (k: string) => refs.read(k).data as Float32Array;
    const [dIn, dSae] = refs.entries.get('W_enc')?.shape ?? [];
    const spec: StepGraphSpec = {
      dIn,
      dSae,
      activation: { kind: 'topk', k: 4, auxKCoefficient: 0 },
      adam: DEFAULT_ADAM,
      unitNormDecoder: true,
    };
    const params: Params = { wEncT: transpose(r('W_enc'), dIn, dSae), bEnc: r('b_enc'), wDec: r('W_dec'), bDec: r('b_dec') };
    const session = await createSession(buildStepGraph({ ...spec, mode: 'gradients' }).toBytes());
    const x = r('x');
    const feeds: Record<string, Feed> = {
      x: { type: 'float32', dims: [x.length / dIn, dIn], data: x },
      mse_scale: { type: 'float32', dims: [1], data: Float32Array.of(1) },
    };
    for (const p of PARAM_NAMES) feeds[p] = { type: 'float32', dims: paramShape(spec, p), data: params[p] };
    const out = await session.run(feeds);
    expect(relativeError(out.loss.float32(), r('loss'))).toBeLessThan(1e-4);
    expect(relativeError(transpose(out['grad.wEncT'].float32(), dSae, dIn), r('grad_W_enc'))).toBeLessThan(1e-4);
    expect(relativeError(out['grad.bEnc'].float32(), r('grad_b_enc'))).toBeLessThan(1e-4);
    expect(relativeError(out['grad.wDec'].float32(), r('grad_W_dec'))).toBeLessThan(1e-4);
    expect(relativeError(out['grad.bDec'].float32(), r('grad_b_dec'))).toBeLessThan(1e-4);
    refs.close();
  });

  it('TopK gradients with the AuxK term match finite differences', async () => {
    const spec: StepGraphSpec = {
      dIn: 8,
      dSae: 32,
      activation: { kind: 'topk', k: 3, auxKCoefficient: 0.25 },
      adam: DEFAULT_ADAM,
      unitNormDecoder: true,
      auxK: true,
    };
    const dead = new Uint8Array(32).map((_, j) => (j % 3 === 0 ? 1 : 0));
    const extra: Record<string, Feed> = {
      dead: { type: 'bool', dims: [32], data: dead },
      k_aux: { type: 'int64', dims: [1], data: BigInt64Array.of(4n) },
    };
    await expectFiniteDifferences(spec, extra);
  });

  it('ReLU gradients with the decoder-norm-weighted L1 match finite differences', async () => {
    const spec: StepGraphSpec = {
      dIn: 8,
      dSae: 24,
      activation: { kind: 'relu', l1Coefficient: 0.3 },
      adam: DEFAULT_ADAM,
      unitNormDecoder: false,
    };
    await expectFiniteDifferences(spec);
  });

  it('applies torch-style Adam, removes the gradient parallel to each decoder row and renormalises rows', async () => {
    const spec: StepGraphSpec = {
      dIn: 6,
      dSae: 10,
      activation: { kind: 'topk', k: 2, auxKCoefficient: 0 },
      adam: DEFAULT_ADAM,
      unitNormDecoder: true,
    };
    const params = randomParams(spec, 3);
    for (let j = 0; j < spec.dSae; j++) {
      const row = params.wDec.subarray(j * 6, j * 6 + 6);
      const norm = Math.hypot(...row);
      row.forEach((v, i) => (row[i] = v / norm));
    }
    const x = randomUniform(16 * spec.dIn, 8);
    const { grads } = await gradients(spec, params, x);
    const m = randomParams(spec, 40);
    const v = Object.fromEntries(PARAM_NAMES.map((p) => [p, m[p].map((a) => a * a)])) as Params;
    const state = { params: structuredClone(params), m: structuredClone(m), v: structuredClone(v), step: 4 };
    await new StepRunner(spec).step(state, { x, nTokens: 16, lr: 0.01, mseScale: 0.5 });
    const { lrBc1, invSqrtBc2 } = adamScalars(DEFAULT_ADAM, 0.01, 5);
    for (const p of PARAM_NAMES) {
      const g = grads[p].slice();
      if (p === 'wDec') {
        for (let j = 0; j < spec.dSae; j++) {
          let dot = 0;
          for (let i = 0; i < 6; i++) dot += g[j * 6 + i] * params.wDec[j * 6 + i];
          for (let i = 0; i < 6; i++) g[j * 6 + i] -= dot * params.wDec[j * 6 + i];
        }
      }
      const mNew = m[p].map((a, i) => 0.9 * a + 0.1 * g[i]);
      const vNew = v[p].map((a, i) => 0.999 * a + 0.001 * g[i] * g[i]);
      const expected = params[p].map((a, i) => a - (lrBc1 * mNew[i]) / (Math.sqrt(vNew[i]) * invSqrtBc2 + 1e-8));
      if (p === 'wDec') {
        for (let j = 0; j < spec.dSae; j++) {
          const row = expected.subarray(j * 6, j * 6 + 6);
          const norm = Math.hypot(...row);
          row.forEach((a, i) => (row[i] = a / norm));
        }
      }
      expect(relativeError(state.m[p], mNew), `m.${p}`).toBeLessThan(1e-5);
      expect(relativeError(state.v[p], vNew), `v.${p}`).toBeLessThan(1e-5);
      expect(relativeError(state.params[p], expected), p).toBeLessThan(1e-5);
    }
    expect(state.step).toBe(5);
  });

  it('leaves frozen latents and a held b_dec exactly as they were, not even renormalised, and trains the rest as without freezing', async () => {
    const base: StepGraphSpec = {
      dIn: 6,
      dSae: 10,
      activation: { kind: 'topk', k: 3, auxKCoefficient: 0 },
      adam: DEFAULT_ADAM,
      unitNormDecoder: true,
    };
    const params = randomParams(base, 21); // decoder rows deliberately not unit norm
    const x = randomUniform(16 * base.dIn, 9);
    const zero = (): Params => Object.fromEntries(PARAM_NAMES.map((p) => [p, new Float32Array(params[p].length)])) as Params;
    const start = () => ({ params: structuredClone(params), m: zero(), v: zero(), step: 2 });
    const trainable = Float32Array.from({ length: 10 }, (_, j) => (j >= 6 ? 1 : 0));
    const frozen = start();
    await new StepRunner({ ...base, freezing: true }).step(frozen, {
      x,
      nTokens: 16,
      lr: 0.01,
      mseScale: 0.5,
      trainable,
      trainDecoderBias: false,
    });
    const free = start();
    await new StepRunner(base).step(free, { x, nTokens: 16, lr: 0.01, mseScale: 0.5 });
    expect(Array.from(frozen.params.bDec)).toEqual(Array.from(params.bDec));
    for (let j = 0; j < 10; j++) {
      const row = (a: Float32Array) => Array.from(a.subarray(j * 6, (j + 1) * 6));
      if (j < 6) {
        expect(row(frozen.params.wDec), `wDec row ${j}`).toEqual(row(params.wDec));
        expect(row(frozen.params.wEncT), `wEncT row ${j}`).toEqual(row(params.wEncT));
        expect(frozen.params.bEnc[j]).toBe(params.bEnc[j]);
        expect(row(frozen.m.wDec).every((v) => v === 0)).toBe(true);
      } else {
        // The same gradient as without freezing (the loss does not depend on which rows train), so the same update.
        expect(
          relativeError(Float32Array.from(row(frozen.params.wEncT)), Float32Array.from(row(free.params.wEncT))),
          `row ${j}`,
        ).toBeLessThan(1e-6);
        expect(
          relativeError(Float32Array.from(row(frozen.params.wDec)), Float32Array.from(row(free.params.wDec))),
          `row ${j}`,
        ).toBeLessThan(1e-6);
        expect(Math.hypot(...row(frozen.params.wDec))).toBeCloseTo(1, 5);
      }
    }
  });
});
