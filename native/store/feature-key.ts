import { ApiFailure } from '../api/errors.js';
import type { FeatureKey } from '../api/types.js';

export type { FeatureKey };

/**
 * THE key serialiser: `saeId#index`. SAE ids may contain anything but the part after the last `#`
 * is always the index, so parsing splits there and round trips for every id.
 */
export function featureKeyString(key: FeatureKey): string {
  assertFeatureIndex(key.index);
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
  if (!Number.isInteger(index) || index < 0 || index > 0x7fffffff) {
    throw new ApiFailure('failed', `feature index must be an integer from 0 to 2147483647, got ${index}`, field);
  }
}
