import type { FeatureQueue } from '../../../../native/api/types.js';
import type { FeaturePageData } from '../../../../native/api/types.js';
import type { ApiClient } from '../../lib/api/client.js';
import { seededSample } from '../../lib/queue/sample.js';

export interface QueueFilters {
  unlabelledOnly: boolean;
  /** firing density bounds, fractions; null = open */
  minDensity: number | null;
  maxDensity: number | null;
  text: string;
  /** null = index order; a number = a seeded random order */
  seed: number | null;
  /** with a seed: how many features to take (null = all) */
  sampleSize: number | null;
  /** only these features (a lasso selection from the map), in this order; null = all */
  only: number[] | null;
}

export const defaultFilters: QueueFilters = {
  unlabelledOnly: true,
  minDensity: null,
  maxDensity: null,
  text: '',
  seed: null,
  sampleSize: null,
  only: null,
};

const prefetch = 2;

/**
 * The label queue of one SAE: which features, in what order, where we are, and the current
 * feature's page (the next ones prefetched so n feels instant). A newer build or move supersedes
 * an older one's reply.
 */
export class QueueState {
  #api: ApiClient;
  #build = 0;
  #move = 0;
  #pages = new Map<number, Promise<FeaturePageData>>();
  saeId = $state<string | null>(null);
  order = $state.raw<number[]>([]);
  position = $state(0);
  building = $state(false);
  page = $state.raw<FeaturePageData | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** labelled (or marked uninterpretable) / all features of the SAE */
  /** features with a label and not marked uninterpretable */
  labelled = $state(0);
  /** features marked uninterpretable (reviewed, but not labelled) */
  uninterpretable = $state(0);
  total = $state(0);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  get current(): number | null {
    return this.order[this.position] ?? null;
  }

  async build(saeId: string, filters: QueueFilters): Promise<void> {
    const id = ++this.#build;
    // Labels may have changed since pages were cached (here or on the feature page): start afresh.
    this.#pages.clear();
    [this.saeId, this.building, this.error] = [saeId, true, null];
    try {
      const order = await this.#select(saeId, filters);
      if (id !== this.#build) return;
      [this.order, this.position] = [order, 0];
      await this.go(0);
    } catch (error) {
      if (id === this.#build) this.error = (error as Error).message;
    } finally {
      if (id === this.#build) this.building = false;
    }
  }

  /** One engine call (features.queue) whatever the SAE's width; the lasso's order and the seeded sample are applied here. */
  async #select(saeId: string, f: QueueFilters): Promise<number[]> {
    const text = f.text.trim();
    const queue = await this.#api.call('features.queue', {
      saeId,
      unlabelledOnly: f.unlabelledOnly,
      ...(text ? { text } : {}),
      ...(f.minDensity !== null ? { minDensity: f.minDensity } : {}),
      ...(f.maxDensity !== null ? { maxDensity: f.maxDensity } : {}),
    });
    if (saeId === this.saeId) this.#progress(queue);
    const found = new Set(queue.indices);
    const base = f.only ? f.only.filter((i) => found.has(i)) : queue.indices;
    return f.seed === null ? base : seededSample(base, f.seed, f.sampleSize ?? base.length);
  }

  #progress(queue: FeatureQueue): void {
    [this.labelled, this.uninterpretable, this.total] = [queue.labelled, queue.uninterpretable, queue.total];
  }

  async go(position: number): Promise<void> {
    if (this.order.length === 0) {
      [this.page, this.position] = [null, 0];
      return;
    }
    const id = ++this.#move;
    this.position = Math.max(0, Math.min(this.order.length - 1, position));
    const index = this.order[this.position];
    this.loading = true;
    try {
      const page = await this.#pageOf(index);
      if (id !== this.#move) return;
      [this.page, this.error] = [page, null];
      for (let k = 1; k <= prefetch; k++)
        if (this.order[this.position + k] !== undefined) void this.#pageOf(this.order[this.position + k]).catch(() => {});
    } catch (error) {
      if (id === this.#move) this.error = (error as Error).message;
    } finally {
      if (id === this.#move) this.loading = false;
    }
  }

  /** A feature's page, asked for once; a label written here since makes the cached copy stale, so it is dropped on save. */
  #pageOf(index: number): Promise<FeaturePageData> {
    let page = this.#pages.get(index);
    if (!page) {
      page = this.#api.call('features.page', { saeId: this.saeId!, index });
      page.catch(() => this.#pages.delete(index));
      this.#pages.set(index, page);
    }
    return page;
  }

  /** Opens a feature of the SAE: where it is in the queue, else inserted at the current position (an undone label's feature that the filters had dropped). */
  async reveal(index: number): Promise<void> {
    this.#pages.delete(index);
    let at = this.order.indexOf(index);
    if (at < 0) {
      at = Math.min(this.position, this.order.length);
      this.order = [...this.order.slice(0, at), index, ...this.order.slice(at)];
    }
    await this.go(at);
  }

  forget(index: number): void {
    this.#pages.delete(index);
  }

  async refreshProgress(): Promise<void> {
    const saeId = this.saeId;
    if (!saeId) return;
    // As the map counts them: a feature marked uninterpretable is that, not labelled, whatever its label field says.
    const queue = await this.#api.call('features.queue', { saeId, unlabelledOnly: false });
    if (saeId === this.saeId) this.#progress(queue);
  }
}
