// SAE training-step speed (TopK, d_in 512, d_sae 4096, k 32), judged against the MatMul rate measured in the same run.
import { measureMatmulRate, randomUniform } from '../native/onnx/matmul-rate.js';
import { DEFAULT_ADAM } from '../native/sae/train/adam-graph.js';
import { initTrainState } from '../native/sae/train/init.js';
import { StepRunner } from '../native/sae/train/step-runner.js';
import type { StepGraphSpec } from '../native/sae/train/step-graph.js';
import type { BenchResult } from './types.js';

const D_IN = 512;
const D_SAE = 4096;
const K = 32;
const BATCHES = [2048, 4096, 8192];

/**
 * The limit is the encoder's MatMul alone, 2·d_in·d_sae FLOPs per token at the measured rate: the
 * sparse backward adds 8·k·d_in FLOPs per token (3% here), Adam and renormalisation touch every
 * parameter once per step. Reported for several batch sizes (Adam's cost is per step, not per token)
 * and for the AuxK variant with 64 dead latents.
 */
export async function benchTrain(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const batch of BATCHES) {
    const rate = await measureMatmulRate({ m: batch, k: D_IN, n: D_SAE, seconds: 2 });
    const limit = (rate.gflops * 1e9) / (2 * D_IN * D_SAE);
    const plain = await tokensPerSecond(batch, 0);
    const aux = batch === 4096 ? await tokensPerSecond(batch, 64) : null;
    const after = await measureMatmulRate({ m: batch, k: D_IN, n: D_SAE, seconds: 2 });
    const avgLimit = (limit + (after.gflops * 1e9) / (2 * D_IN * D_SAE)) / 2;
    results.push({
      name: `train TopK step, batch ${batch}`,
      value: plain,
      unit: 'tok/s',
      limit: avgLimit,
      ratio: plain / avgLimit,
      note: `d_in ${D_IN}, d_sae ${D_SAE}, k ${K}; sparse backward, Adam, renorm`,
    });
    if (aux !== null)
      results.push({
        name: `train TopK + AuxK (64 dead), batch ${batch}`,
        value: aux,
        unit: 'tok/s',
        limit: avgLimit,
        ratio: aux / avgLimit,
        note: 'AuxK gathers k_aux = 64 rows per token',
      });
  }
  return results;
}

async function tokensPerSecond(batch: number, dead: number): Promise<number> {
  const spec: StepGraphSpec = {
    dIn: D_IN,
    dSae: D_SAE,
    activation: { kind: 'topk', k: K, auxKCoefficient: 1 / 32 },
    adam: DEFAULT_ADAM,
    unitNormDecoder: true,
  };
  const runner = new StepRunner(spec);
  const state = initTrainState({ dIn: D_IN, dSae: D_SAE, seed: 1, bDec: new Float32Array(D_IN), decoderNorm: 1 });
  const x = randomUniform(batch * D_IN, 5);
  const deadMask = new Uint8Array(D_SAE).map((_, j) => (j < dead ? 1 : 0));
  const inputs = { x, nTokens: batch, lr: 1e-4, mseScale: 1, ...(dead > 0 ? { dead: deadMask, kAux: dead } : {}) };
  await runner.step(state, inputs);
  let steps = 0;
  const start = performance.now();
  while (steps < 3 || performance.now() - start < 6000) {
    await runner.step(state, inputs);
    steps++;
  }
  return (steps * batch) / ((performance.now() - start) / 1000);
}
