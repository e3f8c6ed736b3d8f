// Maps: the exact cosine kNN of 32,768 directions against the MatMul limit of its 2·n²·d FLOPs, and
// UMAP (umap-js with that kNN) time and peak heap at 4,096 and 32,768 points, each in a child process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cosineKnn } from '../native/maps/knn.js';
import { measureMatmulRate, randomUniform } from '../native/onnx/matmul-rate.js';
import type { BenchResult } from './types.js';

const N = 32_768;
const D = 256;
const K = 14;

export async function benchMaps(): Promise<BenchResult[]> {
  const before = await measureMatmulRate({ seconds: 2 });
  const rows = randomUniform(N * D, 3);
  const start = performance.now();
  await cosineKnn(rows, N, D, K);
  const seconds = (performance.now() - start) / 1000;
  const after = await measureMatmulRate({ seconds: 2 });
  const gflops = (before.gflops + after.gflops) / 2;
  const limit = (2 * N * N * D) / (gflops * 1e9);
  return [
    {
      name: `map kNN ${N.toLocaleString('en-US')} x ${D}, k ${K}`,
      value: seconds,
      unit: 's',
      limit,
      ratio: limit / seconds,
      note: `limit: 2·n²·d FLOPs at ${gflops.toFixed(0)} GFLOP/s (MatMul rate before/after); includes normalising and session creation; ratio = limit / time`,
    },
    umapInChild(4_096),
    umapInChild(N),
  ];
}

/** Runs bench/maps-umap.ts with --trace-gc: the largest heap any GC found is the peak, to within one burst of allocation. */
function umapInChild(points: number): BenchResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--trace-gc', join(import.meta.dirname, 'maps-umap.ts')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOUPE_BENCH_MAP_POINTS: String(points) },
    maxBuffer: 256 * 2 ** 20,
  });
  const lines = child.stdout.trim().split('\n');
  const { n, epochs, graphSeconds, umapSeconds, maxRssMb } = JSON.parse(lines.at(-1) ?? '') as Record<string, number>;
  let peakHeapMb = 0;
  for (const line of lines) {
    const m = / ms: [A-Za-z() -]+? ([\d.]+) \([\d.]+\) -> /.exec(line);
    if (m) peakHeapMb = Math.max(peakHeapMb, Number(m[1]));
  }
  return {
    name: `map UMAP ${n.toLocaleString('en-US')} points`,
    value: umapSeconds,
    unit: 's',
    limit: 0,
    ratio: 0,
    note: `${epochs} epochs; umap-js graph ${graphSeconds.toFixed(1)} s; peak heap ${peakHeapMb.toFixed(0)} MB, peak RSS ${maxRssMb.toFixed(0)} MB (kNN included)`,
  };
}
