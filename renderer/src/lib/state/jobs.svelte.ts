import { isActiveJobState, type JobSummary } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';

/** Every job the renderer knows of, kept current by `job.progress` events. */
export class JobsState {
  #api: ApiClient;
  #byId = $state.raw<ReadonlyMap<string, JobSummary>>(new Map());
  error = $state<string | null>(null);

  /** Newest first. */
  all = $derived([...this.#byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
  active = $derived(this.all.filter((job) => isActiveJobState(job.state)));

  constructor(api: ApiClient) {
    this.#api = api;
  }

  /** Subscribes to progress events; returns the unsubscribe function (call it from an effect's cleanup). */
  listen(): () => void {
    return this.#api.on('job.progress', (job) => this.#upsert([job]));
  }

  async refresh(): Promise<void> {
    try {
      const jobs = await this.#api.call('jobs.list', { limit: 200 });
      this.#byId = new Map(jobs.map((job) => [job.id, job]));
      this.error = null;
    } catch (error) {
      this.error = String((error as Error).message);
    }
  }

  async cancel(jobId: string): Promise<void> {
    this.#upsert([await this.#api.call('jobs.cancel', { jobId })]);
  }

  #upsert(jobs: JobSummary[]): void {
    const next = new Map(this.#byId);
    for (const job of jobs) next.set(job.id, job);
    this.#byId = next;
  }
}
