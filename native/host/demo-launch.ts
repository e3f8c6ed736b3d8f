import type { DemoStatus } from '../api/demo.js';
import { formatApiError } from '../api/errors.js';
import type { JobSummary } from '../api/types.js';
import type { EngineClient } from './engine-client.js';

export interface DemoLaunch {
  status: DemoStatus;
  /** The demo's unfinished steps' jobs (queued now or already queued): empty when it is ready. */
  jobs: JobSummary[];
}

/**
 * What a launch without a named workspace does (loupe serve, the desktop app): a fresh default
 * workspace becomes the demo, and a demo workspace whose preparation was interrupted (the app was
 * closed or killed) carries on. Any other workspace, and a finished demo, are left alone: a later
 * launch reads the store once and queues nothing. Throws with the engine's message on failure.
 */
export async function prepareDemoOnLaunch(engine: Pick<EngineClient, 'call'>): Promise<DemoLaunch | null> {
  const status = await callOrThrow<DemoStatus>(engine, 'demo.status', {});
  if (!status.fresh && !(status.demo && !status.ready)) return null;
  const { jobs } = await callOrThrow<{ jobs: JobSummary[] }>(engine, 'demo.create', {});
  return { status, jobs };
}

/** The line a launcher prints (or logs) about the demo; null when there is nothing to say. */
export function demoLaunchMessage(launch: DemoLaunch | null): string | null {
  if (!launch || launch.jobs.length === 0) return null;
  const verb = launch.status.fresh ? 'Preparing the demo workspace' : 'Finishing the demo workspace';
  return `${verb}: ${launch.jobs.length} job(s) queued (indexing the 512- and 4,096-feature SAEs over ${launch.status.tokens.toLocaleString('en-US')} Brown tokens, then their maps); a few minutes at most, with progress on the Home page.`;
}

async function callOrThrow<T>(engine: Pick<EngineClient, 'call'>, method: string, params: unknown): Promise<T> {
  const response = await engine.call(method, params);
  if (!response.ok) throw new Error(formatApiError(response.error));
  return response.result as T;
}
