// A Llama-shaped forward pass (d_model 2,048, 4 blocks, 16 query / 4 key-value heads, SwiGLU d_mlp
// 5,632) against the MatMul rate, with its weights as initializers (prepacked) and bound as inputs
// (the path of every model over 1 GiB), and the tokens/s of indexing a TopK SAE on it.
import { join } from 'node:path';
import { loadTokenizer } from '../native/formats/tokenizer.js';
import { registerSae } from '../native/registry/catalog.js';
import { indexLoaded } from '../native/index/indexer.js';
import { INLINE_WEIGHT_BYTES, buildForwardGraph } from '../native/models/forward-graph.js';
import { llamaConfig, randomLlama } from '../native/models/random.js';
import { weightBytes } from '../native/models/weights.js';
import type { TransformerWeights } from '../native/models/weights.js';
import { measureMatmulRate, randomUniform } from '../native/onnx/matmul-rate.js';
import { createSession } from '../native/onnx/ort.js';
import { openWorkspace } from '../native/store/workspace.js';
import { DEMO_MODEL } from '../tests/helpers/shared.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { writeRandomSae } from './index.js';
import type { BenchResult } from './types.js';

const SHAPE = { nLayers: 4, dModel: 2048, nHeads: 16, nKvHeads: 4, dMlp: 5632, nCtx: 2048 };
/** Llama 3's vocabulary: with it the model holds 2.9 GB of float32 weights, so they are bound as inputs. */
const LLAMA3_VOCAB = 128_256;
const BATCH = 4;
const SEQ = 256;
/** The MLP's up projection for one batch: the MatMul this model spends most of its time in. */
const MATMUL: [number, number, number] = [BATCH * SEQ, SHAPE.dModel, SHAPE.dMlp];
const ROUNDS = 3;
const INDEX_TOKENS = 4096;
const INDEX_CONTEXT = 128;
const INDEX_BATCH = 1024;
const HOOK = `blocks.${SHAPE.nLayers - 1}.hook_resid_post`;

/** FLOPs per token: 2 per weight of the blocks' projections, plus q·k and pattern·v over the full seq × seq grid. */
export function llamaFlopsPerToken(seq: number): number {
  const { dModel: d, nHeads, nKvHeads, dMlp, nLayers } = SHAPE;
  const dHead = d / nHeads;
  const weights = d * (nHeads + 2 * nKvHeads) * dHead + nHeads * dHead * d + 3 * d * dMlp;
  return nLayers * (2 * weights + 2 * 2 * seq * nHeads * dHead);
}

/**
 * Forward tokens/s and the MatMul rate, measured in alternating slices (one forward run, then as long
 * multiplying): on a shared machine both then see the same load, and the ratio stays meaningful.
 */
async function forwardAgainstMatmul(
  model: TransformerWeights,
): Promise<{ tokensPerSecond: number; gflops: number; bound: number; buildSeconds: number }> {
  const graph = buildForwardGraph(model, { hooks: [HOOK] });
  const buildStart = performance.now();
  const session = await createSession(graph);
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const ids = new BigInt64Array(BATCH * SEQ).map((_, i) => BigInt((i * 7919) % 4096));
  const feeds = { input_ids: { type: 'int64' as const, dims: [BATCH, SEQ], data: ids } };
  const once = async () => Object.values(await session.run(feeds)).forEach((t) => t.dispose());
  const [m, k, n] = MATMUL;
  let forwardSeconds = 0;
  let matmulFlops = 0;
  let matmulSeconds = 0;
  try {
    await once();
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now();
      await once();
      const seconds = (performance.now() - start) / 1000;
      forwardSeconds += seconds;
      const rate = await measureMatmulRate({ m, k, n, seconds });
      matmulFlops += rate.gflops * seconds;
      matmulSeconds += seconds;
    }
  } finally {
    await session.release();
  }
  return {
    tokensPerSecond: (ROUNDS * BATCH * SEQ) / forwardSeconds,
    gflops: matmulFlops / matmulSeconds,
    bound: graph.boundFeeds().size,
    buildSeconds,
  };
}

export async function benchLlama(): Promise<BenchResult[]> {
  const tokenizer = await loadTokenizer(DEMO_MODEL);
  const model = randomLlama(llamaConfig({ ...SHAPE, dVocab: tokenizer.vocabSize }), 5);
  const flops = llamaFlopsPerToken(SEQ);
  const results: BenchResult[] = [];
  const forwardEntry = (name: string, r: Awaited<ReturnType<typeof forwardAgainstMatmul>>, weights: TransformerWeights): BenchResult => {
    const limit = (r.gflops * 1e9) / flops;
    return {
      name,
      value: r.tokensPerSecond,
      unit: 'tokens/s',
      limit,
      ratio: r.tokensPerSecond / limit,
      note: `batch ${BATCH} x seq ${SEQ}, ${(flops / 1e6).toFixed(0)} MFLOP/token; ${(weightBytes(weights) / 1e9).toFixed(2)} GB weights, ${r.bound} bound as inputs; MatMul [${MATMUL.join('x')}] ${r.gflops.toFixed(1)} GFLOP/s interleaved; session ${r.buildSeconds.toFixed(1)} s`,
    };
  };

  const inline = await forwardAgainstMatmul(model);
  results.push(forwardEntry('forward llama d2048 4 blocks GQA 16/4, initializers', inline, model));

  // The same blocks with Llama 3's vocabulary: over INLINE_WEIGHT_BYTES, so the weights are bound.
  const big: TransformerWeights = {
    ...model,
    config: { ...model.config, dVocab: LLAMA3_VOCAB },
    wE: { shape: [LLAMA3_VOCAB, SHAPE.dModel], data: randomUniform(LLAMA3_VOCAB * SHAPE.dModel, 91, 0.035) },
    unembed: {
      w: { shape: [LLAMA3_VOCAB, SHAPE.dModel], data: randomUniform(LLAMA3_VOCAB * SHAPE.dModel, 92, 0.035) },
      layout: 'vocabByDModel',
    },
  };
  if (weightBytes(big) <= INLINE_WEIGHT_BYTES) throw new Error('the bound-weights model must exceed INLINE_WEIGHT_BYTES');
  results.push(forwardEntry('forward llama d2048 4 blocks GQA 16/4, bound inputs', await forwardAgainstMatmul(big), big));

  results.push(await shortPrompt(model, big));
  results.push(await indexOnLlama(model, tokenizer));
  return results;
}

/**
 * A short prompt (1 x 16 tokens), where ONNX Runtime's prepacked initializers should matter most:
 * bound weights are packed again by every MatMul. Both sessions run the same blocks, interleaved.
 */
async function shortPrompt(inline: TransformerWeights, bound: TransformerWeights): Promise<BenchResult> {
  const seq = 16;
  const sessions = [
    await createSession(buildForwardGraph(inline, { hooks: [HOOK] })),
    await createSession(buildForwardGraph(bound, { hooks: [HOOK] })),
  ];
  const feeds = {
    input_ids: { type: 'int64' as const, dims: [1, seq], data: new BigInt64Array(seq).map((_, i) => BigInt((i * 7919) % 4096)) },
  };
  const seconds = [0, 0];
  try {
    for (let run = -1; run < 8; run++) {
      for (const [i, session] of sessions.entries()) {
        const start = performance.now();
        Object.values(await session.run(feeds)).forEach((t) => t.dispose());
        if (run >= 0) seconds[i] += (performance.now() - start) / 1000;
      }
    }
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
  const [inlineRate, boundRate] = seconds.map((s) => (8 * seq) / s);
  return {
    name: `forward llama 1 x ${seq} tokens, bound inputs`,
    value: boundRate,
    unit: 'tokens/s',
    limit: inlineRate,
    ratio: boundRate / inlineRate,
    note: 'limit: the same blocks with prepacked initializers, runs interleaved; the cost of binding weights over 1 GiB on short prompts',
  };
}

/**
 * Tokens/s of the real indexer (forward, TopK encode, statistics, examples, store) over Brown: in
 * steady state (from the first batch's progress event to the last's), and for the whole run, whose
 * fixed costs (session, decoder neighbours and output effects, final store) a long run amortises.
 */
async function indexOnLlama(model: TransformerWeights, tokenizer: Awaited<ReturnType<typeof loadTokenizer>>): Promise<BenchResult> {
  const [m, k, n] = MATMUL;
  const tmp = tempDir('bench-llama-index');
  try {
    const dSae = 4096;
    const sae = writeRandomSae(join(tmp.path, 'sae'), SHAPE.dModel, dSae, 32, HOOK);
    const ws = openWorkspace(join(tmp.path, 'ws'));
    const { id } = registerSae(ws, join(tmp.path, 'sae'));
    const batches: { at: number; tokens: number }[] = [];
    const onProgress = (_: number, message: string) => {
      const done = /^([\d,]+) of /.exec(message);
      if (done) batches.push({ at: performance.now(), tokens: Number(done[1].replace(/,/g, '')) });
    };
    // The limit is measured just before and after the run and averaged: the load on a shared machine
    // moves within minutes, so a rate from earlier in the bench would judge it against other weather.
    const before = await measureMatmulRate({ m, k, n, seconds: 3 });
    const start = performance.now();
    const config = { saeId: id, corpus: 'brown', tokens: INDEX_TOKENS, contextLength: INDEX_CONTEXT, batchTokens: INDEX_BATCH };
    const summary = await indexLoaded(ws, { sae, model, tokenizer, hook: HOOK }, config, { onProgress });
    const seconds = (performance.now() - start) / 1000;
    ws.close();
    const gflops = (before.gflops + (await measureMatmulRate({ m, k, n, seconds: 3 })).gflops) / 2;
    const [first, last] = [batches[0], batches.at(-1)!];
    const steady = ((last.tokens - first.tokens) * 1000) / (last.at - first.at);
    const flops = llamaFlopsPerToken(INDEX_CONTEXT) + 2 * SHAPE.dModel * dSae;
    const limit = (gflops * 1e9) / flops;
    return {
      name: `index llama d2048, ${dSae}-feature TopK SAE`,
      value: steady,
      unit: 'tok/s',
      limit,
      ratio: steady / limit,
      note: `Brown, context ${INDEX_CONTEXT}, batches of ${INDEX_BATCH} tokens, after the first; whole run ${summary.tokens} tokens in ${seconds.toFixed(1)} s = ${(summary.tokens / seconds).toFixed(1)} tok/s (session, neighbours, output effects, store); limit: forward + encode FLOPs at the MatMul rate measured before and after (${gflops.toFixed(1)} GFLOP/s)`,
    };
  } finally {
    tmp.cleanup();
  }
}
