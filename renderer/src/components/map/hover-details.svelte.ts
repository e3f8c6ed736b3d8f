import type { FeatureKey } from '../../../../native/api/types.js';
import type { ApiClient } from '../../lib/api/client.js';
import { featureKey } from '../../../../native/api/feature-key.js';

/** What the tooltip adds to a point's label and density: the tokens it fires on and pushes up. */
export interface HoverDetails {
  key: FeatureKey;
  fires: string[];
  boosts: string[];
  maxAct: number | null;
  candidate: string | null;
}

const cacheSize = 300;
/** Hover passes over many points on the way to one; ask only once the pointer rests. */
const restMs = 70;

/**
 * Lazily fetched tooltip details (features.page), cached, with the newest hover winning: a reply for
 * a point the pointer has already left is kept in the cache but not shown.
 */
export class HoverDetailsState {
  #api: ApiClient;
  #cache = new Map<string, HoverDetails>();
  #request = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  details = $state.raw<HoverDetails | null>(null);
  loading = $state(false);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  show(key: FeatureKey | null): void {
    clearTimeout(this.#timer);
    const id = ++this.#request;
    if (!key) {
      [this.details, this.loading] = [null, false];
      return;
    }
    const cached = this.#cache.get(featureKey(key));
    if (cached) {
      [this.details, this.loading] = [cached, false];
      return;
    }
    [this.details, this.loading] = [null, true];
    this.#timer = setTimeout(() => void this.#fetch(key, id), restMs);
  }

  async #fetch(key: FeatureKey, id: number): Promise<void> {
    try {
      const page = await this.#api.call('features.page', { saeId: key.saeId, index: key.index });
      const details: HoverDetails = {
        key,
        fires: page.frequent.slice(0, 8).map((t) => t.token),
        boosts: page.boosted.slice(0, 5).map((t) => t.token),
        maxAct: page.stats?.maxAct ?? null,
        candidate: page.candidates[0]?.tag ?? null,
      };
      if (this.#cache.size >= cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(featureKey(key), details);
      if (id === this.#request) [this.details, this.loading] = [details, false];
    } catch {
      if (id === this.#request) this.loading = false;
    }
  }
}
