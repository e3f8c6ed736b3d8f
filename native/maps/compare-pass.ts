import type { CanonicalSae } from '../sae/canonical.js';

/** Tokens per run: dense SAEs return [n, dSae] floats, so a wide one gets smaller batches (≤ 64 MB of output). */
export function compareBatchTokens(saes: readonly CanonicalSae[], asked: number): number {
  const widestDense = Math.max(0, ...saes.filter((s) => s.activation.kind !== 'topk').map((s) => s.dSae));
  return widestDense === 0 ? asked : Math.max(1, Math.min(asked, Math.floor(2 ** 24 / widestDense)));
}
