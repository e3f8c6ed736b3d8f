import type { MatmulRate, ModelSummary, SaeSummary, WorkspaceInfo } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';

/** The open workspace as Home shows it: info, models, SAEs, the engine's measured speed. */
export class WorkspaceState {
  #api: ApiClient;
  info = $state.raw<WorkspaceInfo | null>(null);
  models = $state.raw<ModelSummary[]>([]);
  saes = $state.raw<SaeSummary[]>([]);
  matmul = $state.raw<MatmulRate | null>(null);
  loading = $state(true);
  error = $state<string | null>(null);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async refresh(): Promise<void> {
    try {
      const [info, models, saes, matmul] = await Promise.all([
        this.#api.call('workspace.info', {}),
        this.#api.call('models.list', {}),
        this.#api.call('saes.list', {}),
        this.#api.call('engine.matmulRate', {}),
      ]);
      this.info = info;
      this.models = models;
      this.saes = saes;
      this.matmul = matmul;
      this.error = null;
    } catch (error) {
      this.error = String((error as Error).message);
    } finally {
      this.loading = false;
    }
  }

  async measureMatmul(seconds: number): Promise<void> {
    await this.#api.call('engine.measureMatmul', { seconds });
  }
}
