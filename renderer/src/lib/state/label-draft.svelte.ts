import type { FeatureKey, FeatureLabel, LabelEvent } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';

/** Fields to change (the contract's LabelEdit with a mutable tag list, as labels.set takes it). */
export interface LabelEdit {
  label?: string;
  notes?: string;
  tags?: string[];
}

export type SaveStatus = 'clean' | 'pending' | 'saving' | 'saved' | 'undone' | 'error';

/** How long typing may pause before the edit is saved. Short: a reload right after typing keeps it. */
export const SAVE_DELAY_MS = 350;

function sameKey(a: FeatureKey | null, b: FeatureKey | null): boolean {
  return a !== null && b !== null && a.saeId === b.saeId && a.index === b.index;
}

/**
 * The label, notes and tags of the open feature as the person edits them. Edits apply locally at
 * once (the fields never wait for the engine) and are saved after a short pause, in order, one
 * `labels.set` at a time; replies never overwrite what is being typed. Opening another feature
 * saves pending edits of the previous one first, under the previous feature's key.
 */
export class LabelDraft {
  #api: ApiClient;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending: { key: FeatureKey; patch: LabelEdit } | null = null;
  #chain: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #historyRequest = 0;
  key = $state.raw<FeatureKey | null>(null);
  label = $state('');
  notes = $state('');
  tags = $state.raw<string[]>([]);
  updatedAt = $state<string | null>(null);
  status = $state<SaveStatus>('clean');
  error = $state<string | null>(null);
  history = $state.raw<LabelEvent[]>([]);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  /** Shows a feature's stored label. Local edits of the same feature that are not saved yet win. */
  open(stored: FeatureLabel): void {
    const same = sameKey(this.key, stored.key);
    if (same && (this.#pending !== null || this.#inFlight > 0)) return;
    if (!same) void this.flush();
    this.key = stored.key;
    this.label = stored.label;
    this.notes = stored.notes;
    this.tags = stored.tags;
    this.updatedAt = stored.updatedAt;
    if (!same) {
      this.status = 'clean';
      this.error = null;
      this.history = [];
      void this.refreshHistory();
    }
  }

  /** Applies an edit locally and saves it after SAVE_DELAY_MS without further edits. */
  edit(patch: LabelEdit): void {
    if (!this.key) return;
    if (patch.label !== undefined) this.label = patch.label;
    if (patch.notes !== undefined) this.notes = patch.notes;
    if (patch.tags !== undefined) this.tags = [...patch.tags];
    this.#pending = { key: this.key, patch: { ...this.#pending?.patch, ...patch } };
    this.status = 'pending';
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }

  /** Saves now what is pending (tags, an accepted candidate, leaving the page). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    const pending = this.#pending;
    if (!pending) return this.#chain;
    this.#pending = null;
    this.#inFlight++;
    if (sameKey(pending.key, this.key)) this.status = 'saving';
    this.#chain = this.#chain.then(() => this.#save(pending.key, pending.patch));
    return this.#chain;
  }

  async #save(key: FeatureKey, patch: LabelEdit): Promise<void> {
    try {
      const saved = await this.#api.call('labels.set', { saeId: key.saeId, index: key.index, ...patch });
      if (!sameKey(key, this.key)) return;
      this.updatedAt = saved.updatedAt;
      if (this.#pending === null && this.#inFlight === 1) this.status = 'saved';
      void this.refreshHistory();
    } catch (error) {
      if (!sameKey(key, this.key)) return;
      this.status = 'error';
      this.error = (error as Error).message;
    } finally {
      this.#inFlight--;
    }
  }

  /** Undoes the newest change of this feature (after saving pending edits); false when there was none. */
  async undo(): Promise<boolean> {
    const key = this.key;
    if (!key) return false;
    await this.flush();
    const restored = await this.#api.call('labels.undo', { saeId: key.saeId, index: key.index });
    if (!restored || !sameKey(key, this.key)) return false;
    this.label = restored.label;
    this.notes = restored.notes;
    this.tags = restored.tags;
    this.updatedAt = restored.updatedAt;
    this.status = 'undone';
    await this.refreshHistory();
    return true;
  }

  async refreshHistory(): Promise<void> {
    const key = this.key;
    if (!key) return;
    const id = ++this.#historyRequest;
    try {
      const events = await this.#api.call('labels.history', { saeId: key.saeId, index: key.index, limit: 50 });
      if (id === this.#historyRequest) this.history = events;
    } catch {
      // History is a convenience: the label itself reports its own errors.
    }
  }
}
