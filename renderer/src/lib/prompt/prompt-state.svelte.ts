import type { PromptResult } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';
import { colouringFeature } from './acts.js';
import { RequestGate } from './request-gate.js';

const TEXT_KEY = 'loupe.prompt.text';
/** Typing pauses this long before a run: a run per keystroke would only be superseded. */
export const DEBOUNCE_MS = 350;

/**
 * The Prompt view's state: the text (kept across visits), the newest result, and what the researcher
 * picked in it (the feature that colours the tokens, the selected token). Runs carry a rising id;
 * a reply to a superseded run is dropped.
 */
export class PromptState {
  #api: ApiClient;
  #gate = new RequestGate();
  #timer: ReturnType<typeof setTimeout> | null = null;

  saeId = $state<string | null>(null);
  text = $state('');
  result = $state.raw<PromptResult | null>(null);
  running = $state(false);
  error = $state<string | null>(null);
  /** the feature chosen to colour the tokens; null: the prompt's strongest */
  chosen = $state<number | null>(null);
  selected = $state<number | null>(null);
  /** read a BOS before the text, as at a document start (the index and training windows do) */
  prependBos = $state(true);
  /** how long the newest run took, ms */
  elapsed = $state<number | null>(null);

  feature = $derived(colouringFeature(this.result, this.chosen));

  readonly #textKey: string;

  /** textKey: where the text is kept across visits (the Prompt view's, or another view's own). */
  constructor(api: ApiClient, textKey = TEXT_KEY) {
    this.#api = api;
    this.#textKey = textKey;
    this.text = localStorage.getItem(textKey) ?? '';
  }

  /** Text edited: remember it and run once typing pauses. */
  edit(text: string): void {
    this.text = text;
    localStorage.setItem(this.#textKey, text);
    this.#clearTimer();
    this.#timer = setTimeout(() => void this.run(), DEBOUNCE_MS);
  }

  /** Reading with or without a BOS changes every activation: run again. */
  setBos(prependBos: boolean): void {
    if (prependBos === this.prependBos) return;
    this.prependBos = prependBos;
    void this.run();
  }

  /** A second SAE's state following the first one's text and BOS choice (Prompt's side-by-side view). */
  follow(text: string, prependBos: boolean): void {
    if (text === this.text && prependBos === this.prependBos && (this.result !== null || this.running)) return;
    this.text = text;
    this.prependBos = prependBos;
    this.#clearTimer();
    this.#timer = setTimeout(() => void this.run(), DEBOUNCE_MS);
  }

  /** Switches SAE: the old result does not describe the new SAE's features. */
  useSae(saeId: string | null): void {
    if (saeId === this.saeId) return;
    this.saeId = saeId;
    this.result = null;
    this.chosen = null;
    this.selected = null;
    void this.run();
  }

  async run(): Promise<void> {
    this.#clearTimer();
    const id = this.#gate.next();
    const { saeId, text, prependBos } = this;
    if (saeId === null || text.trim() === '') {
      this.running = false;
      if (text.trim() === '') Object.assign(this, { result: null, error: null, selected: null });
      return;
    }
    this.running = true;
    const started = performance.now();
    try {
      const result = await this.#api.call('prompt.run', { saeId, text, prependBos });
      if (!this.#gate.isCurrent(id)) return;
      this.#accept(result, performance.now() - started);
    } catch (error) {
      if (this.#gate.isCurrent(id)) this.error = (error as Error).message;
    } finally {
      if (this.#gate.isCurrent(id)) this.running = false;
    }
  }

  colourBy(feature: number | null): void {
    this.chosen = feature;
  }

  select(token: number | null): void {
    this.selected = token;
  }

  dispose(): void {
    this.#clearTimer();
    this.#gate.cancel();
  }

  #accept(result: PromptResult, elapsed: number): void {
    this.result = result;
    this.error = null;
    this.elapsed = elapsed;
    if (this.selected !== null && this.selected >= result.tokens.length) this.selected = null;
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
