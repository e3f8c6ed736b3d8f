import type { SteeringDecomposition } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';
import { LatestRequest } from '../state/latest-request.svelte.js';

const KEY = 'loupe.steer.contrast';

/** One prompt per non-empty line. */
export function promptLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The contrastive prompt lists (kept across visits) and the newest decomposition of their CAA vector. */
export class DecomposeState {
  #api: ApiClient;
  positive = $state('');
  negative = $state('');
  k = $state(8);
  readonly request = new LatestRequest<SteeringDecomposition>();

  constructor(api: ApiClient) {
    this.#api = api;
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as { positive?: unknown; negative?: unknown } | null;
    if (typeof saved?.positive === 'string') this.positive = saved.positive;
    if (typeof saved?.negative === 'string') this.negative = saved.negative;
  }

  get ready(): boolean {
    return promptLines(this.positive).length > 0 && promptLines(this.negative).length > 0;
  }

  run(saeId: string): Promise<void> {
    localStorage.setItem(KEY, JSON.stringify({ positive: this.positive, negative: this.negative }));
    const params = { saeId, positive: promptLines(this.positive), negative: promptLines(this.negative), k: this.k };
    return this.request.run(() => this.#api.call('steer.decompose', params));
  }
}
