// Child of bench/maps.ts, run with --trace-gc so the parent can read this process's peak heap:
// the exact kNN of N random unit vectors in 256-d, then the UMAP layout, timed by phase.
import { cosineKnn } from '../native/maps/knn.js';
import { umapLayout } from '../native/maps/umap.js';
import { randomUniform } from '../native/onnx/matmul-rate.js';

const n = Number(process.env.LOUPE_BENCH_MAP_POINTS ?? 32_768);
const d = 256;
const knn = await cosineKnn(randomUniform(n * d, 5), n, d, 14);
const start = performance.now();
let firstEpoch = 0;
let epochs = 0;
await umapLayout(knn, {
  seed: 1,
  onEpoch: (epoch, total) => {
    if (epoch === 1) firstEpoch = performance.now();
    epochs = total;
  },
});
const end = performance.now();
process.stdout.write(
  `${JSON.stringify({ n, epochs, graphSeconds: (firstEpoch - start) / 1000, umapSeconds: (end - start) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
