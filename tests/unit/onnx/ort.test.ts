import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../native/onnx/graph.js';
import { measureMatmulRate } from '../../../native/onnx/matmul-rate.js';
import { createSession, parseProvider } from '../../../native/onnx/ort.js';
import type { Provider } from '../../../native/onnx/ort.js';

function reluGraph(): Uint8Array {
  const g = new GraphBuilder('relu');
  g.output(g.op('Relu', [g.input('x', 'float32', ['n'])]), 'y');
  return g.toBytes();
}

describe('ONNX Runtime adapter', () => {
  it('lists the allowed providers when given an unknown one', () => {
    expect(parseProvider('webgpu')).toBe('webgpu');
    expect(() => parseProvider('tpu')).toThrow('Unsupported provider "tpu": expected one of cpu, webgpu, cuda, dml, coreml');
  });

  it('runs on the CPU by default and wraps outputs in disposable tensors', async () => {
    const session = await createSession(reluGraph(), { intraOpNumThreads: 1 });
    expect(session.provider).toBe('cpu');
    expect(session.fallbackMessage).toBeUndefined();
    expect(session.inputNames).toEqual(['x']);
    const { y } = await session.run({ x: { type: 'float32', dims: [3], data: Float32Array.of(-1, 0, 2) } });
    expect([...y.float32()]).toEqual([0, 0, 2]);
    expect(y.type).toBe('float32');
    y.dispose();
    await session.release();
  });

  it('says when a feed does not match its dims', async () => {
    const session = await createSession(reluGraph());
    await expect(session.run({ x: { type: 'float32', dims: [4], data: Float32Array.of(1) } })).rejects.toThrow(
      'input "x": dims [4] need 4 elements, the data has 1',
    );
    await session.release();
  });

  it.skipIf(process.platform === 'win32')('falls back to the CPU with a message when the requested provider cannot start', async () => {
    // DirectML is Windows-only, so elsewhere it never starts.
    const provider: Provider = 'dml';
    const session = await createSession(reluGraph(), { provider });
    expect(session.provider).toBe('cpu');
    expect(session.fallbackMessage).toMatch(/^Execution provider "dml" failed: .+; running on CPU$/);
    const { y } = await session.run({ x: { type: 'float32', dims: [2], data: Float32Array.of(-3, 3) } });
    expect([...y.float32()]).toEqual([0, 3]);
    await session.release();
  });

  it('measures a MatMul rate and reports progress up to completion', async () => {
    const fractions: number[] = [];
    const rate = await measureMatmulRate({ m: 64, k: 32, n: 48, seconds: 0.05, onProgress: (f) => fractions.push(f) });
    expect(rate.provider).toBe('cpu');
    expect(rate.gflops).toBeGreaterThan(0);
    expect(fractions.at(-1)).toBe(1);
    const aborted = new AbortController();
    aborted.abort();
    await expect(measureMatmulRate({ m: 8, k: 8, n: 8, seconds: 1, signal: aborted.signal })).rejects.toThrow();
  });
});
