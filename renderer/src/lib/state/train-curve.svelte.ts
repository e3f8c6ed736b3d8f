import type { JobData, TrainPoint } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';

/**
 * A training job's loss curve: the points so far from `jobs.data`, then each `job.data` event as it
 * arrives (points carry a sequence number, so one fetched and also received is kept once).
 */
export class TrainCurveState {
  #api: ApiClient;
  #seen = new Set<number>();
  points = $state.raw<TrainPoint[]>([]);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  /** Follows one job; returns the unsubscribe function (call it from an effect's cleanup). */
  follow(jobId: string): () => void {
    this.#seen = new Set();
    this.points = [];
    let live = true;
    const take = (items: readonly JobData[]) => {
      const fresh = items.filter((d) => d.jobId === jobId && !this.#seen.has(d.seq));
      if (!live || fresh.length === 0) return;
      for (const d of fresh) this.#seen.add(d.seq);
      // Points arrive in order, but the fetched history and the first events may interleave.
      this.points = [...this.points, ...fresh.map((d) => d.data as TrainPoint)].sort((a, b) => a.step - b.step);
    };
    const stop = this.#api.on('job.data', (d) => take([d]));
    void this.#api.call('jobs.data', { jobId }).then(take, () => {});
    return () => {
      live = false;
      stop();
    };
  }
}
