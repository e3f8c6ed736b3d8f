import type { MatmulRate } from '../../api/types.js';
import { measureMatmulRate } from '../../onnx/matmul-rate.js';
import type { JobKind } from '../job.js';

const shape: [number, number, number] = [1024, 1024, 1024];

/** The machine's matrix-multiply limit, measured the way the benchmarks measure it. */
export const measureMatmulJob: JobKind<{ seconds: number }> = {
  title: () => 'Measure matrix-multiply rate',
  async run({ params, signal, progress }): Promise<MatmulRate> {
    const [m, k, n] = shape;
    const measured = await measureMatmulRate({
      m,
      k,
      n,
      seconds: params.seconds,
      signal,
      onProgress: (fraction) => progress(fraction, `${Math.round(fraction * params.seconds)} of ${params.seconds} s`),
    });
    return { gflops: measured.gflops, provider: measured.provider, shape, measuredAt: new Date().toISOString() };
  },
};
