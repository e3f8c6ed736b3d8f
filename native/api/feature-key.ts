import { ApiFailure } from './errors.js';
import type { FeatureKey } from './features.js';

// THE feature key serialiser, plain TypeScript so the engine and the renderer share it: `saeId#index`.
// SAE ids may contain anything, but the part after the last `#` is always the index, so parsing splits
// there and round trips for every id.

/** Whether `index` can be a feature index: an integer from 0 to 2³¹ − 1 (int32, as the store keeps it). */
export function isFeatureIndex(index: number): boolean {
  return Number.isInteger(index) && index >= 0 && index <= 0x7fffffff;
}

/** `{ saeId: 'my-sae', index: 12 }` → `"my-sae#12"`: one string per feature, for maps, keyed lists and caches. */
export function featureKey(key: FeatureKey): string {
  return `${key.saeId}#${key.index}`;
}

export function parseFeatureKey(text: string): FeatureKey {
  const at = text.lastIndexOf('#');
  const digits = at < 0 ? '' : text.slice(at + 1);
  if (at <= 0 || !/^(0|[1-9][0-9]{0,9})$/.test(digits)) {
    throw new ApiFailure('failed', `"${text}" is not a feature key: expected SAE_ID#INDEX, e.g. "my-sae#12"`);
  }
  const key = { saeId: text.slice(0, at), index: Number(digits) };
  assertFeatureIndex(key.index);
  return key;
}

export function assertFeatureIndex(index: number, field = 'index'): void {
  if (!isFeatureIndex(index)) throw new ApiFailure('failed', `feature index must be an integer from 0 to 2147483647, got ${index}`, field);
}
