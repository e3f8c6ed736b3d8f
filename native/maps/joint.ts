import type { Provider } from '../onnx/index.js';
import { cosineKnn } from './knn.js';
import { layoutQuality } from './layout-quality.js';
import type { LayoutQuality } from './layout-quality.js';
import { umapLayout } from './umap.js';

/** One SAE's decoder, as a map needs it. */
export interface DecoderRows {
  saeId: string;
  dSae: number;
  dIn: number;
  /** [dSae, dIn], row-major: one direction per feature */
  wDec: Float32Array;
  hookName: string | null;
}

export interface LayoutParams {
  /** UMAP's n_neighbors, the point itself included: the kNN finds nNeighbors − 1 others. */
  nNeighbors: number;
  minDist: number;
  seed: number;
  nEpochs: number;
}

export interface JointMapOptions {
  provider?: Provider;
  /** fraction of the whole map in 0..1, with what is being done */
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
}

/** Names the code that draws maps; part of each map's cache key (bump it when the output changes). */
export const mapAlgorithm = 'cosine-knn-onnx/umap-js-1.4/v1';

export const maxSaesPerMap = 3;

/** Where the time goes at 32,768 points: kNN ~6 %, umap-js's graph building ~25 %, epochs the rest. */
const knnShare = 0.1;
const graphShare = 0.25;

/**
 * One map of the decoder directions of 1–3 SAEs on the same hook: their rows stacked into one
 * [Σ dSae, dIn] matrix, one cosine kNN and one UMAP over all of them, so a feature of one SAE sits
 * next to the features of the others that point the same way. Returns each SAE's [dSae, 2]
 * coordinates in [0, 1]², in the order given.
 */
export async function jointMap(
  saes: readonly DecoderRows[],
  params: LayoutParams,
  options: JointMapOptions = {},
): Promise<{ points: Map<string, Float32Array>; quality: LayoutQuality | null }> {
  checkJoinable(saes);
  checkLayoutParams(params);
  const { dIn } = saes[0];
  const total = saes.reduce((sum, s) => sum + s.dSae, 0);
  const stacked = new Float32Array(total * dIn);
  let offset = 0;
  for (const s of saes) {
    stacked.set(s.wDec, offset * dIn);
    offset += s.dSae;
  }
  const progress = options.onProgress ?? (() => {});
  const k = Math.max(0, Math.min(params.nNeighbors - 1, total - 1));
  const knn =
    k === 0
      ? { n: total, k: 0, indices: new Int32Array(0), distances: new Float32Array(0) }
      : await cosineKnn(stacked, total, dIn, k, {
          provider: options.provider,
          signal: options.signal,
          onProgress: (f) =>
            progress(
              f * knnShare,
              `nearest neighbours: ${Math.round(f * total).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} directions`,
            ),
        });
  progress(knnShare, 'building the UMAP graph');
  const xy = await umapLayout(knn, {
    minDist: params.minDist,
    seed: params.seed,
    nEpochs: params.nEpochs,
    signal: options.signal,
    onEpoch: (epoch, epochs) =>
      progress(knnShare + graphShare + (1 - knnShare - graphShare) * (epoch / epochs), `UMAP epoch ${epoch} of ${epochs}`),
  });
  const out = new Map<string, Float32Array>();
  offset = 0;
  for (const s of saes) {
    out.set(s.saeId, xy.slice(2 * offset, 2 * (offset + s.dSae)));
    offset += s.dSae;
  }
  return { points: out, quality: knn.k > 0 ? layoutQuality(knn, xy, dIn, { seed: params.seed }) : null };
}

/** 1–3 distinct SAEs with one width and one hook, each decoder [dSae, dIn]. */
export function checkJoinable(saes: readonly DecoderRows[]): void {
  if (saes.length < 1 || saes.length > maxSaesPerMap) throw new RangeError(`a map shows 1 to ${maxSaesPerMap} SAEs, got ${saes.length}`);
  const [first] = saes;
  const seen = new Set<string>();
  for (const s of saes) {
    if (seen.has(s.saeId)) throw new RangeError(`SAE ${s.saeId} is listed twice`);
    seen.add(s.saeId);
    if (s.wDec.length !== s.dSae * s.dIn)
      throw new RangeError(`SAE ${s.saeId}: W_dec has ${s.wDec.length} values, expected [${s.dSae}, ${s.dIn}]`);
    if (s.dIn !== first.dIn)
      throw new RangeError(
        `SAE ${s.saeId} reads ${s.dIn}-wide activations and SAE ${first.saeId} ${first.dIn}-wide: a joint map needs one width`,
      );
    if (s.hookName !== first.hookName) {
      throw new RangeError(
        `SAE ${s.saeId} reads ${s.hookName ?? 'an unknown hook'} and SAE ${first.saeId} ${first.hookName ?? 'an unknown hook'}: a joint map needs one hook`,
      );
    }
  }
}

export function checkLayoutParams(p: LayoutParams): void {
  if (!Number.isInteger(p.nNeighbors) || p.nNeighbors < 2)
    throw new RangeError(`nNeighbors must be an integer ≥ 2 (the point and a neighbour), got ${p.nNeighbors}`);
  // umap-learn refuses min_dist above spread (1 here): the curve UMAP fits would have no decay left.
  if (!(p.minDist >= 0 && p.minDist <= 1)) throw new RangeError(`minDist must be a number from 0 to 1, got ${p.minDist}`);
  if (!Number.isInteger(p.nEpochs) || p.nEpochs < 1) throw new RangeError(`nEpochs must be a positive integer, got ${p.nEpochs}`);
  if (!Number.isSafeInteger(p.seed) || p.seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${p.seed}`);
}
