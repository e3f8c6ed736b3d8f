import type { DemoStatus } from '../../../../native/api/demo.js';
import type { ApiClient } from '../api/client.js';
import type { WorkspaceState } from './workspace.svelte.js';

/**
 * The demo workspace as Home shows it: whether this workspace is (becoming) the demo, and its steps.
 * Step progress comes live from JobsState (by job id); this status is re-read when a job ends.
 */
export class DemoState {
  #api: ApiClient;
  #workspace: WorkspaceState;
  #request = 0;
  status = $state.raw<DemoStatus | null>(null);
  creating = $state(false);
  error = $state<string | null>(null);

  constructor(api: ApiClient, workspace: WorkspaceState) {
    this.#api = api;
    this.#workspace = workspace;
  }

  async refresh(): Promise<void> {
    // A newer refresh supersedes an older one still in flight (a burst of job events).
    const request = ++this.#request;
    try {
      const status = await this.#api.call('demo.status', {});
      if (request === this.#request) this.status = status;
    } catch (error) {
      if (request === this.#request) this.error = (error as Error).message;
    }
  }

  /** Registers the demo's model and SAEs and queues what is not done (also a retry after a failed step). */
  async create(): Promise<void> {
    this.creating = true;
    this.error = null;
    try {
      await this.#api.call('demo.create', {});
      // The demo's model and SAEs are registered now: Home's lists show them at once.
      await Promise.all([this.refresh(), this.#workspace.refresh()]);
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.creating = false;
    }
  }
}
