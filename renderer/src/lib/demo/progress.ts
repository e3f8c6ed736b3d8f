import type { DemoStatus } from '../../../../native/api/demo.js';
import type { JobSummary } from '../../../../native/api/types.js';

export interface DemoProgress {
  /** each step's newest job as JobsState knows it now (live), null when none was started */
  stepJobs: (JobSummary | null)[];
  doneCount: number;
  ready: boolean;
  /** step jobs that ended without finishing */
  stuck: JobSummary[];
  working: boolean;
  /**
   * Every step the status lists is done, yet the demo is not ready: some of its SAEs are not registered here (the
   * model was added by hand, or a launch was killed between registering the model and its SAEs). No step covers that.
   */
  unregistered: boolean;
  /** nothing is running and something is left: the panel offers to finish the demo */
  halted: boolean;
}

const endedUnfinished = ['failed', 'cancelled', 'interrupted'];

/** Where the demo stands, from its stored status and the live jobs (a step's job may end before the status is re-read). */
export function demoProgress(status: DemoStatus, jobs: readonly JobSummary[]): DemoProgress {
  const stepJobs = status.steps.map((s) => (s.jobId ? (jobs.find((j) => j.id === s.jobId) ?? null) : null));
  const doneCount = status.steps.filter((s, i) => s.done || stepJobs[i]?.state === 'done').length;
  const unregistered = !status.ready && status.steps.every((s) => s.done);
  const ready = status.ready || (!unregistered && status.steps.length > 0 && doneCount === status.steps.length);
  const stuck = stepJobs.filter((j): j is JobSummary => j !== null && endedUnfinished.includes(j.state));
  const working = stepJobs.some((j) => j?.state === 'running' || j?.state === 'queued');
  return { stepJobs, doneCount, ready, stuck, working, unregistered, halted: (stuck.length > 0 || unregistered) && !working };
}
