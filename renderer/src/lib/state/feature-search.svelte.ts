import type { FeatureResults } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';
import { parseSearch, type SearchRequest } from '../feature/search-text.js';

/** Results shown at once; the list says how many more matched. */
export const SEARCH_LIMIT = 12;

/**
 * The global search box: every keystroke asks `features.search` (the store answers in a few ms, so
 * there is no debounce to wait through) and only the newest request's reply is shown. Until it
 * arrives the previous reply stays on screen, marked `pending`; `settled()` waits for the newest.
 */
export class FeatureSearchState {
  #api: ApiClient;
  #requestId = 0;
  #latest: Promise<void> = Promise.resolve();
  /** The shown results are an earlier request's: the newest one's reply has not arrived. */
  pending = $state(false);
  request = $state.raw<SearchRequest>({ kind: 'none' });
  results = $state.raw<FeatureResults | null>(null);
  /** The highlighted result (Enter opens it). */
  selected = $state(0);
  error = $state<string | null>(null);
  /** Milliseconds from keystroke to results on screen for the last reply. */
  lastMs = $state<number | null>(null);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  /** Searches `saeId` (the SAE in view), or with `allSaes` every SAE of the workspace. */
  run(input: string, saeId: string | null, allSaes = false): Promise<void> {
    this.#latest = this.#run(input, saeId, allSaes);
    return this.#latest;
  }

  /** Resolves once the newest request's reply (or error) is shown. */
  async settled(): Promise<void> {
    let latest: Promise<void>;
    do {
      latest = this.#latest;
      await latest;
    } while (latest !== this.#latest);
  }

  async #run(input: string, saeId: string | null, allSaes: boolean): Promise<void> {
    const id = ++this.#requestId;
    const request = parseSearch(input);
    this.request = request;
    this.selected = 0;
    if (!saeId || request.kind === 'none' || request.kind === 'index') {
      this.results = null;
      this.error = null;
      this.pending = false;
      return;
    }
    this.pending = true;
    const started = performance.now();
    try {
      const query = request.kind === 'text' ? { text: request.text } : { token: request.token };
      const results = await this.#api.call('features.search', { saeId, ...query, limit: SEARCH_LIMIT, ...(allSaes ? { allSaes } : {}) });
      if (id !== this.#requestId) return;
      this.results = results;
      this.error = null;
      this.pending = false;
      this.lastMs = performance.now() - started;
    } catch (error) {
      if (id !== this.#requestId) return;
      this.error = (error as Error).message;
      this.pending = false;
    }
  }

  /** How many rows the list shows (the "open #N" row counts as one). */
  get count(): number {
    return this.request.kind === 'index' ? 1 : (this.results?.items.length ?? 0);
  }

  move(delta: number): void {
    const n = this.count;
    if (n > 0) this.selected = (this.selected + delta + n) % n;
  }
}
