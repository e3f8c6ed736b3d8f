import type { Workspace } from '../../../store/workspace.js';
import { crossProductTs, estimateConcept } from '../estimator.js';
import type { ConceptEstimate, CrossProduct } from '../estimator.js';
import { norm } from '../linalg.js';
import { gramOfColumns, productTransposed } from '../products.js';
import type { ConceptModel } from './model.js';
import { tokenSetKey } from './model.js';

/** Names the estimator: part of every cached vector's key. */
export const estimatorVersion = 'park2024-lda-ledoit-wolf/v1';

/** Above this many multiply-adds a cross product goes to ONNX Runtime; below, float64 TS is as fast. */
const onnxWork = 3e7;

/** Float64 TS for small sets (exact), ONNX Runtime's float32 MatMul for large ones. */
export const crossProduct: CrossProduct = async (xc, n, d, byRows) => {
  if (n * d * Math.min(n, d) < onnxWork) return crossProductTs(xc, n, d, byRows);
  const x = Float32Array.from(xc);
  if (!byRows) return gramOfColumns(x, n, d);
  const y = await productTransposed(x, n, x, n, d);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (y[i * n + j] + y[j * n + i]) / 2;
  return out;
};

/** [n, dModel] float64 rows of g for the tokens. */
export function gatherRows(cm: ConceptModel, tokenIds: readonly number[]): Float64Array {
  const d = cm.dModel;
  const rows = new Float64Array(tokenIds.length * d);
  tokenIds.forEach((id, r) => {
    for (let c = 0; c < d; c++) rows[r * d + c] = cm.g[id * d + c];
  });
  return rows;
}

/**
 * ℓ̄ for a set of tokens (ascending ids), from memory, the workspace's cache, or estimated and
 * cached. `persist: false` (the shuffled baseline's random sets) skips the workspace.
 */
export async function conceptVector(
  ws: Workspace,
  cm: ConceptModel,
  tokenIds: readonly number[],
  persist = true,
): Promise<ConceptEstimate> {
  const sorted = [...tokenIds].sort((a, b) => a - b);
  const key = tokenSetKey(sorted, estimatorVersion);
  const known = cm.vectors.get(key);
  if (known) return known;
  const table = ws.concepts;
  const stored = persist ? table.getVector(cm.fingerprint, key, cm.dModel) : undefined;
  let estimate: ConceptEstimate;
  if (stored) {
    estimate = {
      vector: stored.vector,
      norm: norm(stored.vector),
      nTokens: stored.nTokens,
      shrinkage: stored.shrinkage,
      spread: stored.spread,
    };
  } else {
    estimate = await estimateConcept(gatherRows(cm, sorted), sorted.length, cm.dModel, crossProduct);
    if (persist)
      table.putVector({
        fingerprint: cm.fingerprint,
        key,
        nTokens: estimate.nTokens,
        shrinkage: estimate.shrinkage,
        spread: estimate.spread,
        vector: estimate.vector,
        createdAt: new Date().toISOString(),
      });
  }
  if (persist) cm.vectors.set(key, estimate);
  return estimate;
}
