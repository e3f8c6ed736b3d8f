import { ApiFailure } from '../api/errors.js';
import type { EventName, EventPayloads } from '../api/events.js';
import type { WorkspaceInfo } from '../api/types.js';
import { JobRunner } from '../jobs/runner.js';
import { openWorkspace, type Workspace } from '../store/workspace.js';

export type EventSink = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

/** The engine's state: the open workspace and its job runner. Lives in the engine worker. */
export class Engine {
  #workspace: Workspace | null = null;
  #runner: JobRunner | null = null;

  /** `holder` names this process in the workspace's lock (what a second process is told). */
  constructor(
    readonly emit: EventSink,
    readonly holder = 'Loupe',
  ) {}

  async open(path: string): Promise<WorkspaceInfo> {
    const next = openWorkspace(path, { lockAs: this.holder });
    await this.close();
    this.#workspace = next;
    this.#runner = new JobRunner(
      next.jobs,
      next.path,
      (job) => this.emit('job.progress', job),
      (data) => this.emit('job.data', data),
    );
    return this.info();
  }

  get workspace(): Workspace {
    if (!this.#workspace) throw new ApiFailure('no_workspace', 'no workspace is open: call workspace.open first');
    return this.#workspace;
  }

  get runner(): JobRunner {
    if (!this.#runner) throw new ApiFailure('no_workspace', 'no workspace is open: call workspace.open first');
    return this.#runner;
  }

  info(): WorkspaceInfo {
    const ws = this.workspace;
    const jobs = ws.jobs.count();
    return {
      path: ws.path,
      name: ws.name,
      schemaVersion: ws.schemaVersion,
      counts: { models: ws.models.count(), saes: ws.saes.count(), jobs: jobs.total, activeJobs: jobs.active },
      interruptedJobs: ws.interruptedJobs,
    };
  }

  async close(): Promise<void> {
    await this.#runner?.close();
    this.#workspace?.close();
    this.#runner = null;
    this.#workspace = null;
  }
}
