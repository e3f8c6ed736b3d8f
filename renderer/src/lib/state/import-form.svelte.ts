import type { JobSummary } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';
import { waitForJob } from './wait-job.js';
import type { WorkspaceState } from './workspace.svelte.js';

/** Home's "Import a dashboard" form: imports.start as a job, its progress, the SAE it made. */
export class ImportForm {
  #api: ApiClient;
  #workspace: WorkspaceState;
  path = $state('');
  modelId = $state('');
  /** '' : the export gets an SAE row of its own */
  saeId = $state('');
  job = $state.raw<JobSummary | null>(null);
  error = $state<string | null>(null);
  /** the SAE the finished import indexed */
  doneSaeId = $state<string | null>(null);
  running = $derived(this.job !== null && (this.job.state === 'queued' || this.job.state === 'running'));

  constructor(api: ApiClient, workspace: WorkspaceState) {
    this.#api = api;
    this.#workspace = workspace;
  }

  async start(): Promise<void> {
    this.error = null;
    this.doneSaeId = null;
    const modelId = this.modelId || this.#workspace.models[0]?.id || '';
    try {
      const job = await this.#api.call('imports.start', { path: this.path.trim(), modelId, ...(this.saeId ? { saeId: this.saeId } : {}) });
      this.job = job;
      const done = await waitForJob(this.#api, job.id, (j) => (this.job = j));
      this.job = done;
      const result = done.result as { saeId?: unknown } | null | undefined;
      this.doneSaeId = typeof result?.saeId === 'string' ? result.saeId : null;
      await this.#workspace.refresh();
    } catch (error) {
      this.error = (error as Error).message;
    }
  }
}
