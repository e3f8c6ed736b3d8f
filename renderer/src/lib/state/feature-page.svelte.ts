import type { FeatureKey, FeaturePageData } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';

/**
 * The feature page's data: one `features.page` call per feature. Flipping through features quickly
 * starts a request per feature; each carries a rising id and only the newest one's reply is kept,
 * so a slow early reply can never overwrite a later feature. The previous page stays on screen
 * (dimmed by the view) until the new one arrives, so nothing jumps.
 */
export class FeaturePageState {
  #api: ApiClient;
  #requestId = 0;
  data = $state.raw<FeaturePageData | null>(null);
  /** The feature asked for last (may differ from data.key while loading). */
  key = $state.raw<FeatureKey | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** Milliseconds the last completed request took, call to render-ready data. */
  lastMs = $state<number | null>(null);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(key: FeatureKey): Promise<void> {
    const id = ++this.#requestId;
    this.key = key;
    this.loading = true;
    const started = performance.now();
    try {
      const data = await this.#api.call('features.page', { saeId: key.saeId, index: key.index });
      if (id !== this.#requestId) return;
      this.data = data;
      this.error = null;
      this.lastMs = performance.now() - started;
    } catch (error) {
      if (id !== this.#requestId) return;
      this.error = (error as Error).message;
    } finally {
      if (id === this.#requestId) this.loading = false;
    }
  }

  /** Re-reads the current feature (after a label change elsewhere, e.g. neighbours' labels). */
  reload(): Promise<void> {
    return this.key ? this.load(this.key) : Promise.resolve();
  }
}
