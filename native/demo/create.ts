import type { DemoCreated } from '../api/demo.js';
import type { JobSummary } from '../api/types.js';
import type { Workspace } from '../store/workspace.js';
import { demoSteps, type DemoJob, type DemoOptions } from './plan.js';
import type { DemoResources } from './resources.js';
import { seedDemo } from './seed.js';

/** Starts a job (the engine's JobRunner.start). */
export type StartJob = (kind: DemoJob['kind'], params: DemoJob['params']) => Promise<JobSummary>;

/**
 * demo.create: registers the demo's model and SAEs (idempotent) and queues the job of every step not
 * done yet, in order. A step whose job is already queued or running is not queued twice, so a second
 * call (a second window, a relaunch after a crash) is harmless; on a finished demo it queues nothing.
 */
export async function createDemo(
  ws: Workspace,
  resources: DemoResources,
  start: StartJob,
  options: DemoOptions = {},
): Promise<DemoCreated> {
  const parts = await seedDemo(ws, resources);
  const jobs: JobSummary[] = [];
  for (const step of demoSteps(ws, parts, options)) {
    if (step.done) continue;
    jobs.push(step.active ?? (await start(step.job.kind, step.job.params)));
  }
  return { jobs };
}
