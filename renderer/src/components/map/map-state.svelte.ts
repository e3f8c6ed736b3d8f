import type { MapData } from '../../../../native/api/types.js';
import type { ApiClient } from '../../lib/api/client.js';
import { buildLayout, type MapLayout } from '../../lib/map/layout.js';
import { loadSummaries, searchPoints, type PointSummaries } from './summaries.js';

export type MapStatus = 'idle' | 'loading' | 'missing' | 'ready' | 'error';

/**
 * One map as the Map view shows it: the stored layout, every feature's label and density, search
 * hits and the lasso selection. Loads and searches carry rising ids: switching maps or typing
 * faster than the engine answers never lets an older reply overwrite a newer one.
 */
export class MapState {
  #api: ApiClient;
  #load = 0;
  #search = 0;
  saeIds = $state.raw<string[]>([]);
  status = $state<MapStatus>('idle');
  error = $state<string | null>(null);
  map = $state.raw<MapData | null>(null);
  layout = $state.raw<MapLayout | null>(null);
  summaries = $state.raw<PointSummaries | null>(null);
  /** The maps.compute job this view started, if any. */
  jobId = $state<string | null>(null);
  searchText = $state('');
  /** [n] 1 = matches the search; null without a search */
  hits = $state.raw<Uint8Array | null>(null);
  hitCount = $state(0);
  searching = $state(false);
  /** Point ids picked with the lasso, ascending. */
  selection = $state.raw<number[]>([]);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(saeIds: string[]): Promise<void> {
    const id = ++this.#load;
    const same = saeIds.join('+') === this.saeIds.join('+');
    this.saeIds = saeIds;
    if (!same) {
      this.layout = null;
      this.summaries = null;
      this.map = null;
      this.selection = [];
      this.hits = null;
      this.hitCount = 0;
    }
    this.status = 'loading';
    try {
      const map = await this.#api.call('maps.get', { saeIds });
      if (id !== this.#load) return;
      if (!map) {
        this.status = 'missing';
        return;
      }
      const layout = buildLayout(map);
      const summaries = await loadSummaries(this.#api, layout);
      if (id !== this.#load) return;
      [this.map, this.layout, this.summaries, this.status, this.error] = [map, layout, summaries, 'ready', null];
      if (this.searchText.trim() !== '') void this.search(this.searchText);
    } catch (error) {
      if (id !== this.#load) return;
      this.status = 'error';
      this.error = (error as Error).message;
    }
  }

  /** Re-reads labels (after labelling elsewhere) without touching the layout or the view. */
  async refreshLabels(): Promise<void> {
    const layout = this.layout;
    if (!layout) return;
    const id = this.#load;
    const summaries = await loadSummaries(this.#api, layout);
    if (id === this.#load && layout === this.layout) this.summaries = summaries;
  }

  async compute(): Promise<void> {
    try {
      const job = await this.#api.call('maps.compute', { saeIds: this.saeIds });
      this.jobId = job.id;
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  async search(text: string): Promise<void> {
    const id = ++this.#search;
    this.searchText = text;
    const layout = this.layout;
    if (text.trim() === '' || !layout) {
      [this.hits, this.hitCount, this.searching] = [null, 0, false];
      return;
    }
    this.searching = true;
    try {
      const { mask, count } = await searchPoints(this.#api, layout, text);
      if (id !== this.#search || layout !== this.layout) return;
      [this.hits, this.hitCount] = [mask, count];
    } catch (error) {
      if (id === this.#search) this.error = (error as Error).message;
    } finally {
      if (id === this.#search) this.searching = false;
    }
  }

  select(points: number[]): void {
    this.selection = points;
  }
}
