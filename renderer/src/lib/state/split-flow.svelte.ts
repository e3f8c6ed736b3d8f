import type { ParamsOf } from '../../../../native/api/methods.js';
import type { JobSummary, TrainJobResult } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';
import { waitForJob } from './wait-job.js';
import { featureKey } from '../../../../native/api/feature-key.js';

export type SplitStep = 'train' | 'index' | 'compare' | 'done' | 'failed';

/** The tokens the narrow SAE was indexed on, which the split SAE is indexed and compared on too. */
export interface TokenSlice {
  corpus: string;
  tokens: number;
  contextLength: number;
}

/**
 * "Split this feature" after its form: train (filtered, initialised from the narrow SAE), index the
 * new SAE on the narrow one's tokens, compare the two, then hand over to the splitting tree. Each
 * step is an engine job; this only chains them. Flows are kept per feature for the page's lifetime,
 * so leaving the view and coming back finds the run where it is.
 */
export class SplitFlow {
  step = $state<SplitStep>('train');
  trainJobId = $state<string | null>(null);
  indexJobId = $state<string | null>(null);
  compareJobId = $state<string | null>(null);
  newSaeId = $state<string | null>(null);
  /** what training reported (tokens kept by the filter, epochs, the new latents' dead count) */
  trained = $state.raw<TrainJobResult | null>(null);
  /** the stored comparison of the two SAEs, once the compare step is done */
  compareRunId = $state<number | null>(null);
  error = $state<string | null>(null);
  /** the job now running, for its progress bar */
  current = $state.raw<JobSummary | null>(null);

  constructor(
    readonly narrowId: string,
    readonly index: number,
  ) {}

  get running(): boolean {
    return this.trainJobId !== null && this.step !== 'done' && this.step !== 'failed';
  }

  async run(api: ApiClient, train: ParamsOf<'train.start'>, slice: TokenSlice): Promise<string | null> {
    this.error = null;
    try {
      this.step = 'train';
      const trainJob = await api.call('train.start', train);
      this.trainJobId = trainJob.id;
      const trained = await this.#wait(api, trainJob.id);
      this.trained = trained.result as TrainJobResult;
      const saeId = this.trained.saeId;
      this.newSaeId = saeId;
      this.step = 'index';
      const indexJob = await api.call('index.start', { saeId, ...slice });
      this.indexJobId = indexJob.id;
      await this.#wait(api, indexJob.id);
      this.step = 'compare';
      const compareJob = await api.call('compare.start', { saeIds: [this.narrowId, saeId], ...slice, evaluate: false });
      this.compareJobId = compareJob.id;
      const compared = await this.#wait(api, compareJob.id);
      this.compareRunId = (compared.result as { runId: number }).runId;
      this.step = 'done';
      return saeId;
    } catch (error) {
      this.error = (error as Error).message;
      this.step = 'failed';
      return null;
    }
  }

  #wait(api: ApiClient, jobId: string): Promise<JobSummary> {
    return waitForJob(api, jobId, (job) => (this.current = job));
  }
}

const flows = new Map<string, SplitFlow>();

/** The feature's flow started earlier in this page's life, or null. */
export function existingSplitFlow(narrowId: string, index: number): SplitFlow | null {
  return flows.get(featureKey({ saeId: narrowId, index })) ?? null;
}

/** A fresh flow for the feature, replacing a finished or failed one. */
export function newSplitFlow(narrowId: string, index: number): SplitFlow {
  const flow = new SplitFlow(narrowId, index);
  flows.set(featureKey({ saeId: narrowId, index }), flow);
  return flow;
}
