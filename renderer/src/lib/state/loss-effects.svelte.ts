import type { FeatureKey, LossEffect } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';
import { featureKey } from '../../../../native/api/feature-key.js';

/** What the tooltip shows for a hovered token's loss effect. */
export type LossAt = { state: 'loading' } | { state: 'ready'; value: number | null } | { state: 'error'; message: string };

const capacity = 64;

/**
 * Loss effects of a feature's example windows (features.lossEffect), asked for when a token of a
 * window is first hovered (one clean and one ablated forward pass each) and kept, so moving along
 * the example costs nothing more.
 */
export class LossEffects {
  #api: ApiClient;
  #asked = new Set<string>();
  /** replaced wholesale on each reply */
  results = $state.raw<ReadonlyMap<string, LossEffect | string>>(new Map());

  constructor(api: ApiClient) {
    this.#api = api;
  }

  request(key: FeatureKey, window: number): void {
    const id = idOf(key, window);
    if (this.#asked.has(id)) return;
    this.#asked.add(id);
    this.#api.call('features.lossEffect', { saeId: key.saeId, index: key.index, window }).then(
      (effect) => this.#store(id, effect),
      (error: unknown) => {
        this.#asked.delete(id);
        this.#store(id, (error as Error).message);
      },
    );
  }

  at(key: FeatureKey, window: number, pos: number): LossAt {
    const found = this.results.get(idOf(key, window));
    if (found === undefined) return { state: 'loading' };
    if (typeof found === 'string') return { state: 'error', message: found };
    return { state: 'ready', value: found.effect[pos] ?? null };
  }

  #store(id: string, value: LossEffect | string): void {
    const next = new Map(this.results);
    next.set(id, value);
    while (next.size > capacity) next.delete(next.keys().next().value as string);
    this.results = next;
  }
}

function idOf(key: FeatureKey, window: number): string {
  return `${featureKey(key)}/${window}`;
}
