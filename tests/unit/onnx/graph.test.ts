import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { float, floats } from '../../../native/onnx/attributes.js';
import { GraphBuilder } from '../../../native/onnx/graph.js';
import { createSession } from '../../../native/onnx/ort.js';
import { SessionCache } from '../../../native/onnx/session-cache.js';
import { float32Tensor, int64Tensor } from '../../../native/onnx/tensor-proto.js';

const { onnx } = onnxProto;

async function runOnce(g: GraphBuilder, feeds: Record<string, { dims: number[]; data: Float32Array }>) {
  const session = await createSession(g.toBytes());
  const typed = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { type: 'float32' as const, ...v }]));
  const out = await session.run(typed);
  await session.release();
  return out;
}

describe('GraphBuilder', () => {
  it('builds a graph ONNX Runtime runs: initializers, int and float attributes, several outputs of one value', async () => {
    const g = new GraphBuilder('gemm');
    const x = g.input('x', 'float32', ['batch', 2]);
    const w = g.initializer('w', float32Tensor([3, 2], [1, 2, 3, 4, 5, 6]));
    const b = g.initializer('b', float32Tensor([3], [0.5, 0, -1]));
    const y = g.op('Gemm', [x, w, b], { transB: 1, alpha: float(2) });
    g.output(y, 'y');
    g.output(y, 'y_again');
    const out = await runOnce(g, { x: { dims: [1, 2], data: Float32Array.of(1, 1) } });
    // 2·(x·wᵀ) + b
    expect([...out.y.float32()]).toEqual([6.5, 14, 21]);
    expect([...out.y_again.float32()]).toEqual([6.5, 14, 21]);
    expect(out.y.dims).toEqual([1, 3]);
  });

  it('encodes ints, string, tensor and floats attributes and int64 initializers', async () => {
    const g = new GraphBuilder('attrs');
    const x = g.input('x', 'float32', [2, 3]);
    const t = g.op('Transpose', [x], { perm: [1, 0] });
    const flat = g.op('Reshape', [t, g.initializer('shape', int64Tensor([1], [-1]))]);
    const gelu = g.op('Gelu', [flat], { approximate: 'tanh' });
    const c = g.op('Constant', [], { value: float32Tensor([6], [1, 1, 1, 1, 1, 1]) });
    const scale = g.op('Constant', [], { value_floats: floats([2, 2, 2, 2, 2, 2]) });
    g.output(g.op('Mul', [g.op('Add', [gelu, c]), scale]), 'y');
    const out = await runOnce(g, { x: { dims: [2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) } });
    const tanhGelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    const expected = [0, 3, 1, 4, 2, 5].map((v) => 2 * (tanhGelu(v) + 1));
    out.y.float32().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it('refuses values from elsewhere, duplicate names and duplicate outputs', () => {
    const g = new GraphBuilder('checks');
    const x = g.input('x', 'float32', [2]);
    expect(() => g.op('Relu', [{ name: 'y' }])).toThrow('Relu input 0: "y" is not a value of graph "checks"');
    expect(() => g.initializer('x', float32Tensor([1], [0]))).toThrow('graph "checks" already has a value named "x"');
    expect(() => g.initializer('w', float32Tensor([2, 2], [1, 2, 3]))).toThrow('tensor "w": dims [2, 2] need 4 elements, the data has 3');
    g.output(x, 'out');
    expect(() => g.output(x, 'out')).toThrow('graph "checks" already has an output "out"');
  });

  it('drops nodes and initializers that no output needs', () => {
    const g = new GraphBuilder('prune');
    const x = g.input('x', 'float32', [2]);
    g.op('Mul', [x, g.initializer('unused', float32Tensor([2], [1, 2]))]);
    g.output(g.op('Relu', [x]), 'y');
    const model = onnx.ModelProto.decode(g.toBytes());
    const graph = model.graph as onnxProto.onnx.GraphProto;
    expect(graph.node.map((n) => n.opType)).toEqual(['Relu', 'Identity']);
    expect(graph.initializer).toEqual([]);
    expect(model.opsetImport[0].version).toBe(23);
  });

  it('fingerprints by structure and weights, so equal graphs share a cached session', async () => {
    const make = (w: number) => {
      const g = new GraphBuilder('fp');
      g.output(g.op('Mul', [g.input('x', 'float32', [1]), g.constFloat([w])]), 'y');
      return g;
    };
    expect(make(2).fingerprint()).toBe(make(2).fingerprint());
    expect(make(2).fingerprint()).not.toBe(make(3).fingerprint());
    const cache = new SessionCache(1);
    const first = await cache.get(make(2));
    expect(await cache.get(make(2))).toBe(first);
    const other = await cache.get(make(3));
    expect(other).not.toBe(first);
    expect(cache.size).toBe(1);
    const out = await other.run({ x: { type: 'float32', dims: [1], data: Float32Array.of(5) } });
    expect(out.y.float32()[0]).toBe(15);
    await cache.clear();
  });
});
