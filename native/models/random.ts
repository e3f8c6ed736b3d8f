import { randomUniform } from '../onnx/matmul-rate.js';
import type { TransformerConfig } from './config.js';
import type { NormWeights, Tensor32, TransformerWeights } from './weights.js';

/** GPT-2 small's shape (12 layers, d_model 768, 12 heads, vocab 50257, n_ctx 1024). */
export const GPT2_SMALL: TransformerConfig = {
  family: 'gpt2',
  nLayers: 12,
  dModel: 768,
  nHeads: 12,
  dHead: 64,
  dMlp: 3072,
  dVocab: 50257,
  nCtx: 1024,
  actFn: 'gelu_new',
  normalization: 'LN',
  lnEps: 1e-5,
  attnOnly: false,
};

/**
 * A transformer of the given shape with seeded random weights (uniform, std 0.02 as GPT-2 initialises),
 * built in memory for benchmarks and tests: no file has to hold hundreds of megabytes of noise.
 * Only the first `layers` blocks get weights when given (a graph that stops early needs no more).
 */
export function randomTransformer(config: TransformerConfig, seed = 1, layers = config.nLayers): TransformerWeights {
  let next = seed;
  const scale = 0.02 * Math.sqrt(3);
  const rand = (shape: number[]): Tensor32 => ({
    shape,
    data: randomUniform(
      shape.reduce((a, b) => a * b, 1),
      next++,
      scale,
    ),
  });
  const ln = (d: number): NormWeights => ({ w: { shape: [d], data: new Float32Array(d).fill(1) }, b: rand([d]) });
  const { dModel, dMlp, dVocab, nCtx, nHeads, dHead } = config;
  const width = nHeads * dHead;
  const wE = rand([dVocab, dModel]);
  return {
    config,
    wE,
    wPos: rand([nCtx, dModel]),
    layers: Array.from({ length: layers }, () => ({
      ln1: ln(dModel),
      attn: {
        qkv: { w: rand([dModel, 3 * width]), b: rand([3 * width]), layout: 'inOut' as const },
        o: { w: rand([width, dModel]), b: rand([dModel]), layout: 'inOut' as const },
      },
      ln2: ln(dModel),
      mlp: {
        in: { w: rand([dModel, dMlp]), b: rand([dMlp]), layout: 'inOut' as const },
        out: { w: rand([dMlp, dModel]), b: rand([dModel]), layout: 'inOut' as const },
      },
    })),
    lnFinal: ln(dModel),
    unembed: { w: wE, layout: 'vocabByDModel' },
  };
}

/** A Llama shape: RMSNorm, rotary, grouped-query attention, SwiGLU, untied unembedding. */
export interface LlamaShapeOptions {
  nLayers: number;
  dModel: number;
  nHeads: number;
  nKvHeads: number;
  dMlp: number;
  dVocab: number;
  nCtx: number;
}

export function llamaConfig(shape: LlamaShapeOptions): TransformerConfig {
  return {
    family: 'llama',
    ...shape,
    dHead: shape.dModel / shape.nHeads,
    actFn: 'silu',
    normalization: 'RMS',
    lnEps: 1e-5,
    attnOnly: false,
    gatedMlp: true,
    rotary: { dim: shape.dModel / shape.nHeads, global: { theta: 500_000 } },
    tiedEmbeddings: false,
  };
}

/**
 * A Llama-shaped transformer with seeded random weights, [out, in] as Hugging Face stores them (the
 * layout its loader keeps), built in memory for benchmarks. Only the first `layers` blocks get weights.
 */
export function randomLlama(config: TransformerConfig, seed = 1, layers = config.nLayers): TransformerWeights {
  let next = seed;
  const rand = (shape: number[]): Tensor32 => ({
    shape,
    data: randomUniform(
      shape.reduce((a, b) => a * b, 1),
      next++,
      1 / Math.sqrt(shape[1] ?? 1),
    ),
  });
  const rms = (d: number): NormWeights => ({ w: { shape: [d], data: randomUniform(d, next++, 0.1).map((v) => 1 + v) } });
  const { dModel: d, dMlp, dVocab, nHeads, dHead } = config;
  const nKv = config.nKvHeads ?? nHeads;
  return {
    config,
    wE: { shape: [dVocab, d], data: randomUniform(dVocab * d, next++, 0.035) },
    layers: Array.from({ length: layers }, () => ({
      ln1: rms(d),
      attn: {
        qkv: { w: rand([(nHeads + 2 * nKv) * dHead, d]), layout: 'outIn' as const },
        o: { w: rand([d, nHeads * dHead]), layout: 'outIn' as const },
      },
      ln2: rms(d),
      mlp: {
        gate: { w: rand([dMlp, d]), layout: 'outIn' as const },
        in: { w: rand([dMlp, d]), layout: 'outIn' as const },
        out: { w: rand([d, dMlp]), layout: 'outIn' as const },
      },
    })),
    lnFinal: rms(d),
    unembed: { w: { shape: [dVocab, d], data: randomUniform(dVocab * d, next++, 0.035) }, layout: 'vocabByDModel' },
  };
}
