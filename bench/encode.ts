// TopK SAE encoding speed, judged against the MatMul rate of the encoder's own [batch, d_in] x [d_in, d_sae]
// product measured in the same run: TopK, the bias and the copies out are what the ratio charges for.
import { measureMatmulRate, randomUniform } from '../native/onnx/matmul-rate.js';
import type { CanonicalSae } from '../native/sae/canonical.js';
import { prepareEncoder } from '../native/sae/encode.js';
import type { PreparedEncoder } from '../native/sae/encode.js';
import type { BenchResult } from './types.js';

const D_IN = 512;
const D_SAE = 4096;
const K = 32;
const BATCHES = [512, 1024, 2048, 4096];
/** Tokens per encode() call, fed in chunks of the batch size, so every batch size does the same work per call. */
const TOKENS_PER_CALL = 8192;
/** Seconds per measurement within a round. */
const SECONDS = 0.75;
const ROUNDS = 5;

/** The encoder's FLOPs per token: the [d_in] x [d_in, d_sae] product. TopK and decoding are charged, not counted. */
const FLOPS_PER_TOKEN = 2 * D_IN * D_SAE;

export function randomTopkSae(): CanonicalSae {
  return {
    source: { path: 'random', format: 'loupe' },
    dIn: D_IN,
    dSae: D_SAE,
    wEnc: randomUniform(D_IN * D_SAE, 1, 1 / Math.sqrt(D_IN)),
    bEnc: randomUniform(D_SAE, 2, 0.1),
    wDec: randomUniform(D_SAE * D_IN, 3, 1 / Math.sqrt(D_SAE)),
    bDec: randomUniform(D_IN, 4, 0.1),
    activation: { kind: 'topk', k: K },
    subtractDecoderBias: true,
    inputNorm: 'none',
    inputScale: 1,
    hookName: null,
    modelName: null,
    config: {},
  };
}

async function tokensPerSecond(encoder: PreparedEncoder, x: Float32Array, seconds: number): Promise<number> {
  let calls = 0;
  let elapsed = 0;
  const start = performance.now();
  while (calls < 1 || elapsed < seconds * 1000) {
    await encoder.encode(x, TOKENS_PER_CALL);
    calls++;
    elapsed = performance.now() - start;
  }
  return (calls * TOKENS_PER_CALL) / (elapsed / 1000);
}

interface Measured {
  batch: number;
  gflops: number;
  limit: number;
  encode: number;
  encodeDecode: number;
}

/**
 * Short rounds of (matmul rate, encode, encode+decode), each ratio taken within its round, and the
 * round with the median ratio kept: on a shared machine, other work then weighs on the limit as it
 * weighs on the encoder, and a burst of it spoils one round rather than the result.
 */
async function measureBatch(sae: CanonicalSae, batch: number, x: Float32Array): Promise<{ encode: Measured; encodeDecode: Measured }> {
  const encoder = await prepareEncoder(sae, { batchTokens: batch });
  const withDecode = await prepareEncoder(sae, { batchTokens: batch, reconstruction: true });
  await encoder.encode(x, TOKENS_PER_CALL);
  await withDecode.encode(x, TOKENS_PER_CALL);
  const rounds: Measured[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const { gflops } = await measureMatmulRate({ m: batch, k: D_IN, n: D_SAE, seconds: SECONDS });
    const encode = await tokensPerSecond(encoder, x, SECONDS);
    const encodeDecode = await tokensPerSecond(withDecode, x, SECONDS);
    rounds.push({ batch, gflops, limit: (gflops * 1e9) / FLOPS_PER_TOKEN, encode, encodeDecode });
  }
  const median = (key: 'encode' | 'encodeDecode') =>
    [...rounds].sort((a, b) => a[key] / a.limit - b[key] / b.limit)[Math.floor(ROUNDS / 2)];
  return { encode: median('encode'), encodeDecode: median('encodeDecode') };
}

export async function benchEncode(): Promise<BenchResult[]> {
  const sae = randomTopkSae();
  const x = randomUniform(TOKENS_PER_CALL * D_IN, 5);
  const runs: { encode: Measured; encodeDecode: Measured }[] = [];
  for (const batch of BATCHES) runs.push(await measureBatch(sae, batch, x));

  const shape = `d_in ${D_IN}, d_sae ${D_SAE}, k ${K}`;
  const row = (name: string, key: 'encode' | 'encodeDecode', what: string): BenchResult => {
    const all = runs.map((r) => r[key]);
    const best = all.reduce((a, b) => (b[key] / b.limit > a[key] / a.limit ? b : a));
    const byBatch = all.map((r) => `${r.batch}: ${(r[key] / r.limit).toFixed(2)}`).join(', ');
    return {
      name: `${name} (batch ${best.batch})`,
      value: best[key],
      unit: 'tokens/s',
      limit: best.limit,
      ratio: best[key] / best.limit,
      note: `${shape}, ${what}; limit = matmul rate ${best.gflops.toFixed(0)} GFLOP/s / ${(FLOPS_PER_TOKEN / 1e6).toFixed(1)} MFLOP; ratio by batch ${byBatch}`,
    };
  };
  const rates = runs.map((r) => `${r.encode.batch}: ${r.encode.gflops.toFixed(0)}`).join(', ');
  return [
    {
      name: 'matmul rate [batch,512]x[512,4096]',
      value: Math.max(...runs.map((r) => r.encode.gflops)),
      unit: 'GFLOP/s',
      limit: 0,
      ratio: 0,
      note: `GFLOP/s by batch ${rates}`,
    },
    row('encode topk sae', 'encode', 'sparse output (indices + values), no reconstruction'),
    row('encode+decode topk sae', 'encodeDecode', 'sparse output and reconstruction'),
  ];
}
