// Forward-pass speed for a GPT-2-small-shaped model, judged against the MatMul rate measured in the same run.
import { buildForwardGraph } from '../native/models/forward-graph.js';
import { GPT2_SMALL, randomTransformer } from '../native/models/random.js';
import { measureMatmulRate } from '../native/onnx/matmul-rate.js';
import { createSession } from '../native/onnx/ort.js';
import type { BenchResult } from './types.js';

const BATCH = 8;
const SEQ = 128;
const HOOK_LAYER = 8;
const MATMUL: [number, number, number] = [2048, 768, 3072];

/**
 * FLOPs per token of `layers` blocks: 2 per weight in the QKV, output and MLP matrices, plus the
 * attention scores and the weighted sum of values over the full seq x seq grid (ONNX Runtime
 * computes it all and masks, so the causal half is not subtracted).
 */
export function blockFlopsPerToken(layers: number, seq: number, cfg = GPT2_SMALL): number {
  const width = cfg.nHeads * cfg.dHead;
  const weights = cfg.dModel * 3 * width + width * cfg.dModel + 2 * cfg.dModel * cfg.dMlp;
  return layers * (2 * weights + 2 * 2 * seq * width);
}

export async function benchForward(): Promise<BenchResult[]> {
  const [m, k, n] = MATMUL;
  // Measured before and after the forward pass and averaged: other work on a shared machine then
  // weighs on the limit as it weighs on the thing judged against it.
  const before = await measureMatmulRate({ m, k, n, seconds: 2 });

  const model = randomTransformer(GPT2_SMALL, 1, HOOK_LAYER);
  const hook = `blocks.${HOOK_LAYER}.hook_resid_pre`;
  const buildStart = performance.now();
  const session = await createSession(buildForwardGraph(model, { hooks: [hook] }).toBytes());
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const ids = new BigInt64Array(BATCH * SEQ).map((_, i) => BigInt((i * 7919) % GPT2_SMALL.dVocab));
  const feeds = { input_ids: { type: 'int64' as const, dims: [BATCH, SEQ], data: ids } };
  const once = async () => Object.values(await session.run(feeds)).forEach((t) => t.dispose());
  let runs = 0;
  let elapsed = 0;
  try {
    await once();
    const start = performance.now();
    while (runs < 3 || elapsed < 8000) {
      await once();
      runs++;
      elapsed = performance.now() - start;
      if (runs >= 20) break;
    }
  } finally {
    await session.release();
  }

  const after = await measureMatmulRate({ m, k, n, seconds: 2 });
  const gflops = (before.gflops + after.gflops) / 2;
  const tokensPerSecond = (runs * BATCH * SEQ) / (elapsed / 1000);
  const flops = blockFlopsPerToken(HOOK_LAYER, SEQ);
  const limit = (gflops * 1e9) / flops;
  return [
    {
      name: 'matmul rate',
      value: gflops,
      unit: 'GFLOP/s',
      limit: 0,
      ratio: 0,
      note: `[${m},${k}]x[${k},${n}] float32 on ${before.provider}; ${before.gflops.toFixed(0)} before, ${after.gflops.toFixed(0)} after the forward pass`,
    },
    {
      name: `forward gpt2-small -> ${hook}`,
      value: tokensPerSecond,
      unit: 'tokens/s',
      limit,
      ratio: tokensPerSecond / limit,
      note: `batch ${BATCH} x seq ${SEQ}, ${HOOK_LAYER} blocks, ${(flops / 1e6).toFixed(1)} MFLOP/token; session built in ${buildSeconds.toFixed(1)} s`,
    },
  ];
}
