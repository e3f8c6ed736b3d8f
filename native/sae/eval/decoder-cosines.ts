import { mulberry32 } from '../../api/random.js';
import type { CosineSummary, DecoderCosineReport } from '../../api/eval-report.js';
import { unitRows } from '../../onnx/cosine-neighbours.js';
import { GraphBuilder } from '../../onnx/graph.js';
import type { SessionOptions } from '../../onnx/ort.js';
import { sessionCache } from '../../onnx/session-cache.js';

/**
 * Each decoder row's largest cosine similarity to any other row, next to the same for random unit
 * directions (the baseline a dictionary of unrelated directions gives in the same dimension). Signed
 * cosine, as Gao et al. 2024 plot it: a near-duplicate latent shows as a value near +1, and an
 * opposite pair is not counted as a duplicate. The [dSae, dSae] similarity matrix is never built:
 * ONNX Runtime multiplies a block of rows by all rows and reduces each row to its maximum in the graph.
 */

const INPUTS = { block: 'cos_block', all: 'cos_all', start: 'cos_start' } as const;
const OUTPUT = 'max_cos';
/** Floats in one [blockRows, n] similarity block (64 MB): caps the block for very wide SAEs. */
const MAX_BLOCK_ELEMENTS = 2 ** 24;

export interface CosineOptions extends SessionOptions {
  /** Rows per MatMul (default 1024, fewer when n is so large that a block would pass 64 MB). */
  blockRows?: number;
}

/** Inputs: a block of unit rows [B, d], all unit rows [n, d], and the block's first row index; output [B]. */
function maxCosineGraph(): GraphBuilder {
  const g = new GraphBuilder('max-cosine');
  const block = g.input(INPUTS.block, 'float32', ['block', 'd']);
  const all = g.input(INPUTS.all, 'float32', ['n', 'd']);
  const start = g.input(INPUTS.start, 'int64', []);
  const sims = g.op('Gemm', [block, all], { transB: 1 }); // [B, n]
  const scalarDim = (v: typeof block) => g.op('Squeeze', [g.op('Shape', [v], { start: 0, end: 1 }), g.constInt64([0])]);
  const one = g.constInt64(1, []);
  const rowIds = g.op('Range', [start, g.op('Add', [start, scalarDim(block)]), one]); // [B]
  const colIds = g.op('Range', [g.constInt64(0, []), scalarDim(all), one]); // [n]
  const self = g.op('Equal', [g.op('Unsqueeze', [rowIds, g.constInt64([1])]), g.op('Unsqueeze', [colIds, g.constInt64([0])])]);
  // −2 is below every cosine, so a row's similarity to itself never wins.
  const others = g.op('Where', [self, g.constFloat(-2), sims]);
  g.output(g.op('ReduceMax', [others, g.constInt64([1])], { keepdims: 0 }), OUTPUT, 'float32', ['block']);
  return g;
}

/** [n] each row of rows [n, d] (row-major): max over j ≠ i of cos(row_i, row_j). */
export async function maxCosineSimilarities(rows: Float32Array, n: number, d: number, options: CosineOptions = {}): Promise<Float32Array> {
  if (n < 2) throw new RangeError(`max cosine to another row needs at least 2 rows, got ${n}`);
  const { blockRows = 1024, ...session } = options;
  if (!Number.isInteger(blockRows) || blockRows < 1) throw new RangeError(`blockRows must be a positive integer, got ${blockRows}`);
  const unit = unitRows(rows, n, d);
  const all = { type: 'float32' as const, dims: [n, d], data: unit };
  const run = await sessionCache.get(maxCosineGraph(), session);
  const rowsPerBlock = Math.max(1, Math.min(blockRows, Math.floor(MAX_BLOCK_ELEMENTS / n)));
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += rowsPerBlock) {
    const count = Math.min(rowsPerBlock, n - start);
    const feeds = {
      [INPUTS.block]: { type: 'float32' as const, dims: [count, d], data: unit.subarray(start * d, (start + count) * d) },
      [INPUTS.all]: all,
      [INPUTS.start]: { type: 'int64' as const, dims: [], data: BigInt64Array.of(BigInt(start)) },
    };
    const result = await run.run(feeds, [OUTPUT]);
    out.set(result[OUTPUT].float32(), start);
    result[OUTPUT].dispose();
  }
  return out;
}

/** [n, d] directions uniform on the unit sphere (normalised Gaussians, Box–Muller), reproducible from `seed`. */
export function randomUnitRows(n: number, d: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
  return unitRows(out, n, d);
}

export interface Histogram {
  /** lower edge of the first bin */ min: number;
  /** upper edge of the last bin (a value equal to it falls in the last bin) */ max: number;
  /** [bins] values per bin of width (max − min) / bins; values outside [min, max] go to the end bins */
  counts: number[];
}

export function histogram(values: ArrayLike<number>, min: number, max: number, bins: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const bin = Math.floor((values[i] - min) / width);
    counts[Math.min(bins - 1, Math.max(0, bin))]++;
  }
  return { min, max, counts };
}

export function summarizeCosines(values: Float32Array): CosineSummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  let above = 0;
  for (const v of sorted) {
    sum += v;
    if (v > 0.9) above++;
  }
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { mean: sum / n, median, above09: above / n };
}

/** The decoder rows W_dec [dSae, dIn] against dSae random unit directions in R^dIn, histogrammed over [-1, 1]. */
export async function decoderCosineReport(wDec: Float32Array, dSae: number, dIn: number, options: CosineOptions & { seed?: number; bins?: number } = {}): Promise<DecoderCosineReport> {
  const { seed = 0, bins = 40, ...rest } = options;
  const decoder = await maxCosineSimilarities(wDec, dSae, dIn, rest);
  const random = await maxCosineSimilarities(randomUnitRows(dSae, dIn, seed), dSae, dIn, rest);
  return {
    measure: 'max cosine similarity to any other row (signed)',
    dSae,
    dIn,
    seed,
    histogram: { min: -1, max: 1, bins, decoder: histogram(decoder, -1, 1, bins).counts, random: histogram(random, -1, 1, bins).counts },
    decoder: summarizeCosines(decoder),
    random: summarizeCosines(random),
  };
}
