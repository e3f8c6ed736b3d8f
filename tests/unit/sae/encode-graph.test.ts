import { describe, expect, it } from 'vitest';
import type { CanonicalSae, SaeActivation, SaeInputNorm } from '../../../native/sae/index.js';
import { decodeReference, encodeReference } from '../../../native/sae/index.js';
import { buildEncodeGraph, prepareEncoder } from '../../../native/sae/encode.js';
import type { EncodeResult } from '../../../native/sae/encode.js';
import { randn } from './helpers.js';
import { relativeError } from '../../helpers/numeric.js';

const D_IN = 16;
const D_SAE = 48;
const K = 5;
const N = 23;
const rnd = randn(11);

/** Inputs with an offset and varied norms, so layer-norm's mean and constant-norm's rescale both matter. */
const X = rnd(N * D_IN, 1.5).map((v, i) => v + 0.8 + 0.3 * Math.floor(i / D_IN));

function syntheticSae(activation: SaeActivation, inputNorm: SaeInputNorm, inputScale: number, subtractDecoderBias: boolean): CanonicalSae {
  return {
    source: { path: `synthetic ${activation.kind}/${inputNorm}/${inputScale}/${subtractDecoderBias}`, format: 'loupe' },
    dIn: D_IN,
    dSae: D_SAE,
    wEnc: rnd(D_IN * D_SAE, 0.4),
    bEnc: rnd(D_SAE, 0.2),
    wDec: rnd(D_SAE * D_IN, 0.4),
    bDec: rnd(D_IN, 0.5),
    activation,
    subtractDecoderBias,
    inputNorm,
    inputScale,
    hookName: null,
    modelName: null,
    config: {},
  };
}

const ACTIVATIONS: SaeActivation[] = [
  { kind: 'relu' },
  // Thresholds spread over the pre-activations' range: some positive pre-activations are still gated off.
  { kind: 'jumprelu', threshold: rnd(D_SAE, 0.5).map(Math.abs) },
  { kind: 'topk', k: K },
];
const NORMS: SaeInputNorm[] = ['none', 'layer-norm', 'constant-norm-rescale'];

/** The dense [n, dSae] array a TopK result's sparse pair stands for. */
function scatter(result: EncodeResult, k: number): Float32Array {
  const dense = new Float32Array(result.nTokens * D_SAE);
  for (let t = 0; t < result.nTokens; t++) {
    for (let j = 0; j < k; j++) dense[t * D_SAE + Number(result.indices![t * k + j])] = result.values![t * k + j];
  }
  return dense;
}

describe('the encode graph matches the reference encoder and decoder', () => {
  for (const activation of ACTIVATIONS) {
    for (const inputNorm of NORMS) {
      for (const [inputScale, subtract] of [
        [1, true],
        [2.5, false],
        [0.3, true],
      ] as const) {
        it(`${activation.kind}, ${inputNorm}, inputScale ${inputScale}, subtractDecoderBias ${subtract}`, async () => {
          const sae = syntheticSae(activation, inputNorm, inputScale, subtract);
          const refActs = encodeReference(sae, X, N);
          expect(refActs.some((v) => v > 0) && refActs.some((v) => v === 0)).toBe(true);
          if (activation.kind === 'jumprelu') {
            // Some positive pre-activations fall below their threshold, so the threshold is exercised.
            const relu = encodeReference({ ...sae, activation: { kind: 'relu' } }, X, N);
            expect(relu.some((v, i) => v > 0 && refActs[i] === 0)).toBe(true);
          }
          const refOut = decodeReference(sae, refActs, N, X);
          const result = await (await prepareEncoder(sae, { dense: true, reconstruction: true })).encode(X, N);
          expect(relativeError(result.featureActs!, refActs)).toBeLessThan(1e-5);
          expect(relativeError(result.saeOut!, refOut)).toBeLessThan(1e-5);
          if (activation.kind === 'topk') expect(scatter(result, K)).toEqual(result.featureActs);
        });
      }
    }
  }
});

describe('a TopK SAE encodes to a sparse pair', () => {
  const sae = syntheticSae({ kind: 'topk', k: K }, 'none', 1, true);

  it('outputs only indices and values by default: no [n, dSae] array leaves the graph', () => {
    expect(buildEncodeGraph(sae).outputNames).toEqual(['indices', 'values']);
    expect(buildEncodeGraph(sae, { reconstruction: true }).outputNames).toEqual(['indices', 'values', 'sae_out']);
    expect(buildEncodeGraph(sae, { dense: true }).outputNames).toEqual(['indices', 'values', 'feature_acts']);
  });

  it('keeps the k largest activations of each token, largest first, and reconstructs from them alone', async () => {
    const result = await (await prepareEncoder(sae, { reconstruction: true })).encode(X, N);
    expect(result.featureActs).toBeUndefined();
    expect(result.indices).toBeInstanceOf(BigInt64Array);
    expect(result.indices!.length).toBe(N * K);
    const refActs = encodeReference(sae, X, N);
    expect(relativeError(scatter(result, K), refActs)).toBeLessThan(1e-5);
    for (let t = 0; t < N; t++) {
      const row = result.values!.subarray(t * K, (t + 1) * K);
      for (let j = 1; j < K; j++) expect(row[j]).toBeLessThanOrEqual(row[j - 1]);
    }
    expect(relativeError(result.saeOut!, decodeReference(sae, refActs, N, X))).toBeLessThan(1e-5);
  });

  it('relu and jumprelu SAEs always output feature_acts', () => {
    for (const activation of ACTIVATIONS.slice(0, 2)) {
      expect(buildEncodeGraph(syntheticSae(activation, 'none', 1, true)).outputNames).toEqual(['feature_acts']);
    }
  });
});

describe('prepareEncoder', () => {
  it('gives the same result when the input is fed in chunks of batchTokens', async () => {
    for (const activation of ACTIVATIONS) {
      const sae = syntheticSae(activation, 'layer-norm', 1.7, true);
      const whole = await (await prepareEncoder(sae, { dense: true, reconstruction: true })).encode(X, N);
      for (const batchTokens of [1, 7, N]) {
        const chunked = await (await prepareEncoder(sae, { dense: true, reconstruction: true, batchTokens })).encode(X, N);
        expect(relativeError(chunked.featureActs!, whole.featureActs!)).toBeLessThan(1e-6);
        expect(relativeError(chunked.saeOut!, whole.saeOut!)).toBeLessThan(1e-6);
        if (activation.kind === 'topk') expect(chunked.indices).toEqual(whole.indices);
      }
    }
  });

  it('refuses an x whose length is not nTokens × dIn, naming both', async () => {
    const encoder = await prepareEncoder(syntheticSae({ kind: 'relu' }, 'none', 1, true));
    await expect(encoder.encode(X.subarray(1), N)).rejects.toThrow(
      `x is ${N * D_IN - 1} values, expected [nTokens, dIn] = [${N}, ${D_IN}] (${N * D_IN} values)`,
    );
    await expect(encoder.encode(X, 2.5)).rejects.toThrow(/nTokens is 2\.5, expected an integer ≥ 0/);
  });

  it('refuses a batchTokens below 1', async () => {
    await expect(prepareEncoder(syntheticSae({ kind: 'relu' }, 'none', 1, true), { batchTokens: 0 })).rejects.toThrow(/batchTokens is 0/);
  });

  it('encodes zero tokens to empty arrays', async () => {
    const sae = syntheticSae({ kind: 'topk', k: K }, 'none', 1, true);
    const result = await (await prepareEncoder(sae, { dense: true, reconstruction: true })).encode(new Float32Array(0), 0);
    expect([result.indices!.length, result.values!.length, result.featureActs!.length, result.saeOut!.length]).toEqual([0, 0, 0, 0]);
  });
});
