import { mulberry32 } from '../api/random.js';
import { GraphBuilder } from './graph.js';
import { createSession } from './ort.js';
import type { Provider } from './ort.js';
import { float32Tensor } from './tensor-proto.js';

export interface MatmulRateOptions {
  m?: number;
  k?: number;
  n?: number;
  /** How long to keep multiplying after one warm-up run. */
  seconds?: number;
  provider?: Provider;
  intraOpNumThreads?: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * The float32 matrix-multiply rate ONNX Runtime reaches here: [m, k] input times a [k, n] weight held
 * as an initializer (prepacked, as model weights are), the ceiling every benchmark is judged against.
 */
export async function measureMatmulRate(opts: MatmulRateOptions = {}): Promise<{ gflops: number; provider: string }> {
  const { m = 2048, k = 768, n = 3072, seconds = 2 } = opts;
  const g = new GraphBuilder('matmul-rate');
  const a = g.input('a', 'float32', [m, k]);
  const b = g.initializer('b', float32Tensor([k, n], randomUniform(k * n, 1)));
  // Only one row leaves the graph: copying a [m, n] result out of ONNX Runtime each run would be
  // timed as well, and a model's forward pass does not pay it for its inner MatMuls.
  const c = g.op('MatMul', [a, b]);
  g.output(g.op('Slice', [c, g.constInt64([0]), g.constInt64([1])]), 'row', 'float32', [1, n]);
  const session = await createSession(g.toBytes(), { provider: opts.provider, intraOpNumThreads: opts.intraOpNumThreads });
  try {
    const feeds = { a: { type: 'float32' as const, dims: [m, k], data: randomUniform(m * k, 2) } };
    const once = async () => {
      const out = await session.run(feeds);
      for (const t of Object.values(out)) t.dispose();
    };
    await once();
    let runs = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < seconds * 1000 || runs === 0) {
      opts.signal?.throwIfAborted();
      await once();
      runs++;
      elapsed = performance.now() - start;
      opts.onProgress?.(Math.min(1, elapsed / (seconds * 1000)));
    }
    return { gflops: (2 * m * k * n * runs) / (elapsed / 1000) / 1e9, provider: session.provider };
  } finally {
    await session.release();
  }
}

/** Uniform in [-1, 1) from a small fixed-seed generator (mulberry32): reproducible, and fast for big arrays. */
export function randomUniform(count: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(count);
  const random = mulberry32(seed);
  for (let i = 0; i < count; i++) out[i] = (random() * 2 - 1) * scale;
  return out;
}
