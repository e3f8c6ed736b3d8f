import { UMAP } from 'umap-js';
import { mulberry32 } from '../api/random.js';
import type { Knn } from './knn.js';

export interface UmapOptions {
  /** How tightly UMAP packs neighbours (umap-learn's min_dist); default 0.1. */
  minDist?: number;
  /** Seeds every random draw umap-js makes (initial layout and negative samples); default 42. */
  seed?: number;
  /** Default: by size, see `defaultEpochs`. */
  nEpochs?: number;
  /** After each optimisation epoch, 1-based. */
  onEpoch?: (epoch: number, nEpochs: number) => void;
  signal?: AbortSignal;
}

/**
 * 500 epochs up to 2,500 points, 200 above (umap-js's own rule; umap-learn steps down only at
 * 10,000). Each epoch samples every edge in proportion to its weight, so a larger graph gets more
 * updates per epoch; 200 epochs keeps a 4,096-point map within its 6 s budget on 2 cores, where 500
 * took about 10 s, at the cost of slightly rougher mid-sized maps.
 */
export function defaultEpochs(n: number): number {
  return n <= 2_500 ? 500 : 200;
}

/**
 * The kNN in the form umap-js's `setPrecomputedKNN` expects, read from its source (umap.ts 1.4):
 * `nNeighbors` columns per point (`use` neighbours + 1) with the point itself first at distance exactly 0.
 * `smoothKNNDistance` sums memberships from column 1 on (column 0 is taken to be the point) and takes
 * rho as the first distance > 0, so a self distance of 6e-8 from float32 rounding would become every
 * point's rho; `computeMembershipStrengths` gives the `index === i` entry weight 0.
 */
export function umapKnnInput(knn: Knn, use = knn.k): { indices: number[][]; distances: number[][] } {
  const { n, k } = knn;
  const indices = new Array<number[]>(n);
  const distances = new Array<number[]>(n);
  for (let i = 0; i < n; i++) {
    const ids = [i];
    const ds = [0];
    for (let j = i * k; j < i * k + use; j++) {
      ids.push(knn.indices[j]);
      ds.push(knn.distances[j]);
    }
    indices[i] = ids;
    distances[i] = ds;
  }
  return { indices, distances };
}

/**
 * A 2-D UMAP layout of the points of `knn` ([n, 2], row-major, in [0, 1]²), reproducible for a seed.
 * umap-js needs its data only for its length once it has a kNN, so it gets n empty rows, not the
 * vectors. The epochs run one at a time with a turn of the event loop between them, so a worker sees
 * a cancel message and the caller sees progress.
 */
export async function umapLayout(knn: Knn, options: UmapOptions = {}): Promise<Float32Array> {
  const { n } = knn;
  // umap-js refuses data with no more points than nNeighbors (self included): tiny maps use fewer.
  const use = Math.min(knn.k, n - 2);
  if (use < 1) {
    if (n > 2) throw new RangeError(`umapLayout: ${n} points need at least one neighbour each`);
    return trivialLayout(n);
  }
  const nNeighbors = use + 1;
  const nEpochs = options.nEpochs ?? defaultEpochs(n);
  const umap = new UMAP({ nComponents: 2, nNeighbors, minDist: options.minDist ?? 0.1, nEpochs, random: mulberry32(options.seed ?? 42) });
  const { indices, distances } = umapKnnInput(knn, use);
  umap.setPrecomputedKNN(indices, distances);
  skipSearchGraph(umap);
  options.signal?.throwIfAborted();
  const epochs = umap.initializeFit(Array.from({ length: n }, () => []));
  for (let epoch = 1; epoch <= epochs; epoch++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
    umap.step();
    options.onEpoch?.(epoch, epochs);
  }
  return normalizeLayout(umap.getEmbedding());
}

/**
 * umap-js also builds a search graph (the kNN graph, its transpose and their maximum, as string-keyed
 * Maps) that only `transform()` of new points reads, which maps never call: at 32,768 points it costs
 * ~5 s and ~250 MB of heap. It is a private method, so if a umap-js release renames it this skips nothing.
 */
function skipSearchGraph(umap: UMAP): void {
  const inner = umap as unknown as { makeSearchGraph?: unknown };
  if (typeof inner.makeSearchGraph === 'function') inner.makeSearchGraph = () => undefined;
}

/**
 * Scales a layout into [0, 1]² with one factor for both axes (UMAP distances mean the same in x and
 * y, so the map keeps its aspect ratio) and centres the shorter axis.
 */
export function normalizeLayout(embedding: readonly (readonly number[])[]): Float32Array {
  const n = embedding.length;
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of embedding) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error('UMAP produced a non-finite coordinate');
    [minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, y), Math.max(maxY, y)];
  }
  const range = Math.max(maxX - minX, maxY - minY);
  const scale = range > 0 ? 1 / range : 0;
  const offX = (1 - (maxX - minX) * scale) / 2;
  const offY = (1 - (maxY - minY) * scale) / 2;
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = (embedding[i][0] - minX) * scale + offX;
    out[2 * i + 1] = (embedding[i][1] - minY) * scale + offY;
  }
  return out;
}

/** [n, 2] for maps of one or two points, which have no neighbourhoods to lay out. */
function trivialLayout(n: number): Float32Array {
  return n === 1 ? Float32Array.of(0.5, 0.5) : Float32Array.of(0, 0.5, 1, 0.5);
}
