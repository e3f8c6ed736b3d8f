import { GraphBuilder, sessionCache } from '../../onnx/index.js';
import type { OrtSession, Provider } from '../../onnx/index.js';

/**
 * The heavy products of the concept geometry, as small ONNX graphs with symbolic sizes (one cached
 * session each, whatever the vocabulary): a vocabulary's mean and covariance ([d, V] × [V, d]),
 * whitening it ([V, d] × [d, d]), and plain matrix products. Everything else is d-sized float64 TS.
 */
export interface ProductOptions {
  provider?: Provider;
}

/** [V, d] unembedding → mean [1, d] and the centred scatter (γ − mean)ᵀ(γ − mean) [d, d]. */
function momentsGraph(): GraphBuilder {
  const g = new GraphBuilder('concepts-moments');
  const x = g.input('x', 'float32', ['n', 'd']);
  const mean = g.op('ReduceMean', [x, g.constInt64([0])], { keepdims: 1 });
  const centred = g.op('Sub', [x, mean]);
  const scatter = g.op('Gemm', [centred, centred], { transA: 1 });
  g.output(mean, 'mean', 'float32', [1, 'd']);
  g.output(scatter, 'scatter', 'float32', ['d', 'd']);
  return g;
}

/** (x − mean) · a: [n, d] rows, [1, d] mean, [d, k] matrix → [n, k]. */
function centredProductGraph(): GraphBuilder {
  const g = new GraphBuilder('concepts-centred-product');
  const x = g.input('x', 'float32', ['n', 'd']);
  const mean = g.input('mean', 'float32', [1, 'd']);
  const a = g.input('a', 'float32', ['d', 'k']);
  g.output(g.op('MatMul', [g.op('Sub', [x, mean]), a]), 'y', 'float32', ['n', 'k']);
  return g;
}

/** a [n, k] · bᵀ where b is [m, k] → [n, m] (Gemm reads b as stored: no transposed copy). */
function productTransposedGraph(): GraphBuilder {
  const g = new GraphBuilder('concepts-product-bt');
  const a = g.input('a', 'float32', ['n', 'k']);
  const b = g.input('b', 'float32', ['m', 'k']);
  g.output(g.op('Gemm', [a, b], { transB: 1 }), 'y', 'float32', ['n', 'm']);
  return g;
}

/** aᵀ a for a [n, k] → [k, k]. */
function gramColumnsGraph(): GraphBuilder {
  const g = new GraphBuilder('concepts-gram-columns');
  const a = g.input('a', 'float32', ['n', 'k']);
  g.output(g.op('Gemm', [a, a], { transA: 1 }), 'y', 'float32', ['k', 'k']);
  return g;
}

const graphs = new Map<string, GraphBuilder>();
function session(name: string, build: () => GraphBuilder, options: ProductOptions): Promise<OrtSession> {
  let graph = graphs.get(name);
  if (!graph) {
    graph = build();
    graphs.set(name, graph);
  }
  return sessionCache.get(graph, { provider: options.provider });
}

function checkRows(data: Float32Array, n: number, d: number, what: string): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1)
    throw new RangeError(`${what}: sizes must be positive integers, got [${n}, ${d}]`);
  if (data.length !== n * d) throw new RangeError(`${what}: [${n}, ${d}] needs ${n * d} values, got ${data.length}`);
}

/** Mean [d] and covariance [d, d] (float64, divided by n as the paper does) of the rows of x [n, d]. */
export async function rowMoments(
  x: Float32Array,
  n: number,
  d: number,
  options: ProductOptions = {},
): Promise<{ mean: Float64Array; cov: Float64Array }> {
  checkRows(x, n, d, 'rowMoments');
  const s = await session('moments', momentsGraph, options);
  const out = await s.run({ x: { type: 'float32', dims: [n, d], data: x } });
  const mean = Float64Array.from(out.mean.float32());
  const scatter = out.scatter.float32();
  const cov = new Float64Array(d * d);
  // Symmetrised: float32 accumulation order can differ between (i, j) and (j, i).
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j] = (scatter[i * d + j] + scatter[j * d + i]) / (2 * n);
  for (const t of Object.values(out)) t.dispose();
  return { mean, cov };
}

/** (x − mean) · a as float32 [n, k]: x [n, d], mean [d], a [d, k]. */
export async function centredProduct(
  x: Float32Array,
  n: number,
  d: number,
  mean: ArrayLike<number>,
  a: ArrayLike<number>,
  k: number,
  options: ProductOptions = {},
): Promise<Float32Array> {
  checkRows(x, n, d, 'centredProduct x');
  if (mean.length !== d) throw new RangeError(`centredProduct: mean has ${mean.length} values, expected ${d}`);
  if (a.length !== d * k) throw new RangeError(`centredProduct: a [${d}, ${k}] needs ${d * k} values, got ${a.length}`);
  const s = await session('centred-product', centredProductGraph, options);
  const out = await s.run({
    x: { type: 'float32', dims: [n, d], data: x },
    mean: { type: 'float32', dims: [1, d], data: Float32Array.from(mean) },
    a: { type: 'float32', dims: [d, k], data: Float32Array.from(a) },
  });
  const y = out.y.float32().slice();
  out.y.dispose();
  return y;
}

/** a · bᵀ as float32 [n, m]: a [n, k], b [m, k]. */
export async function productTransposed(
  a: Float32Array,
  n: number,
  b: Float32Array,
  m: number,
  k: number,
  options: ProductOptions = {},
): Promise<Float32Array> {
  checkRows(a, n, k, 'productTransposed a');
  checkRows(b, m, k, 'productTransposed b');
  const s = await session('product-bt', productTransposedGraph, options);
  const out = await s.run({ a: { type: 'float32', dims: [n, k], data: a }, b: { type: 'float32', dims: [m, k], data: b } });
  const y = out.y.float32().slice();
  out.y.dispose();
  return y;
}

/** aᵀ a as float64 [k, k] for a [n, k] (symmetrised). */
export async function gramOfColumns(a: Float32Array, n: number, k: number, options: ProductOptions = {}): Promise<Float64Array> {
  checkRows(a, n, k, 'gramOfColumns');
  const s = await session('gram-columns', gramColumnsGraph, options);
  const out = await s.run({ a: { type: 'float32', dims: [n, k], data: a } });
  const y = out.y.float32();
  const gram = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) gram[i * k + j] = (y[i * k + j] + y[j * k + i]) / 2;
  out.y.dispose();
  return gram;
}
