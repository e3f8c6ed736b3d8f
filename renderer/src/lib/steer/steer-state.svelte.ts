import type { ParamsOf } from '../../../../native/api/methods.js';
import type { JobData, SteerResult, SteerStepData } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';
import { waitForJob } from '../state/wait-job.js';

const TEXT_KEY = 'loupe.steer.text';

export type EditMode = 'clamp' | 'clampMax' | 'add' | 'ablate';

/** One row of the edit list as the form holds it (amount is the value, multiple or α by mode). */
export interface EditDraft {
  saeId: string;
  feature: number;
  mode: EditMode;
  amount: number;
}

/** Where the edits apply: every position, the generated tokens only, or from a prompt token on. */
export type ApplyFrom = { kind: 'all' } | { kind: 'generated' } | { kind: 'token'; token: number };

type StartParams = ParamsOf<'steer.start'>;

export function editParams(e: EditDraft): StartParams['edits'][number] {
  const { saeId, feature } = e;
  if (e.mode === 'clamp') return { saeId, feature, mode: 'clamp', value: e.amount };
  if (e.mode === 'clampMax') return { saeId, feature, mode: 'clampMax', multiple: e.amount };
  if (e.mode === 'add') return { saeId, feature, mode: 'add', coefficient: e.amount };
  return { saeId, feature, mode: 'ablate' };
}

/**
 * The Steer view's state: the prompt and edits being drafted, and the newest run, whose steps arrive
 * one `job.data` event at a time. A new run cancels the one before it and drops its late events.
 */
export class SteerState {
  #api: ApiClient;
  #run = 0;
  #jobId: string | null = null;
  #stop: (() => void) | null = null;
  text = $state('');
  edits = $state<EditDraft[]>([]);
  /** a raw direction to add (a decomposed CAA vector), with the model it belongs to */
  vector = $state.raw<{ modelId: string; hookName: string; values: number[]; coefficient: number } | null>(null);
  keepError = $state(true);
  from = $state<ApplyFrom>({ kind: 'all' });
  maxTokens = $state(24);
  temperature = $state(0);
  topK = $state(0);
  topP = $state(1);
  seed = $state(0);
  steps = $state.raw<SteerStepData[]>([]);
  result = $state.raw<SteerResult | null>(null);
  running = $state(false);
  error = $state<string | null>(null);
  /** the prompt and edits of the run on screen (the form may have moved on) */
  shown = $state.raw<{ text: string; edits: EditDraft[] } | null>(null);

  constructor(api: ApiClient) {
    this.#api = api;
    this.text = localStorage.getItem(TEXT_KEY) ?? '';
  }

  editText(text: string): void {
    this.text = text;
    localStorage.setItem(TEXT_KEY, text);
  }

  get ready(): boolean {
    return this.text.trim() !== '' && (this.edits.length > 0 || this.vector !== null);
  }

  /** Starts from one feature (the route's), unless the list already holds exactly it. */
  focus(saeId: string, feature: number): void {
    if (this.edits.length === 1 && this.edits[0].saeId === saeId && this.edits[0].feature === feature) return;
    this.edits = [{ saeId, feature, mode: 'clamp', amount: 10 }];
  }

  params(): StartParams {
    const fromToken = this.from.kind === 'all' ? 0 : this.from.kind === 'generated' ? 65_536 : this.from.token;
    const vector = this.vector;
    return {
      prompt: this.text,
      edits: this.edits.map(editParams),
      ...(vector
        ? { vector: { hookName: vector.hookName, values: vector.values, coefficient: vector.coefficient }, modelId: vector.modelId }
        : {}),
      keepError: this.keepError,
      fromToken,
      maxTokens: this.maxTokens,
      temperature: this.temperature,
      ...(this.topK > 0 ? { topK: this.topK } : {}),
      ...(this.topP < 1 ? { topP: this.topP } : {}),
      seed: this.seed,
    };
  }

  async run(): Promise<void> {
    const id = ++this.#run;
    this.#detach();
    if (this.#jobId) void this.#api.call('jobs.cancel', { jobId: this.#jobId }).catch(() => {});
    this.steps = [];
    this.result = null;
    this.error = null;
    this.running = true;
    this.shown = { text: this.text, edits: this.edits.map((e) => ({ ...e })) };
    const seen = new Set<number>();
    const take = (items: readonly JobData[]) => {
      if (id !== this.#run) return;
      const fresh = items.filter((d) => d.jobId === this.#jobId && !seen.has(d.seq));
      for (const d of fresh) seen.add(d.seq);
      if (fresh.length > 0) this.steps = [...this.steps, ...fresh.map((d) => d.data as SteerStepData)].sort((a, b) => a.step - b.step);
    };
    try {
      this.#stop = this.#api.on('job.data', (d) => take([d]));
      const job = await this.#api.call('steer.start', this.params());
      if (id !== this.#run) return;
      this.#jobId = job.id;
      void this.#api.call('jobs.data', { jobId: job.id }).then(take, () => {});
      const done = await waitForJob(this.#api, job.id);
      if (id !== this.#run) return;
      this.result = done.result as SteerResult;
      this.steps = this.result.steps;
    } catch (e) {
      if (id === this.#run) this.error = (e as Error).message;
    } finally {
      if (id === this.#run) {
        this.running = false;
        this.#detach();
      }
    }
  }

  #detach(): void {
    this.#stop?.();
    this.#stop = null;
  }

  dispose(): void {
    this.#run++;
    this.#detach();
  }
}
