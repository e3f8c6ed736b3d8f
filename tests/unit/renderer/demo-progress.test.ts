import { describe, expect, it } from 'vitest';
import type { DemoStatus, DemoStep } from '../../../native/api/demo.js';
import type { JobState, JobSummary } from '../../../native/api/types.js';
import { demoProgress } from '../../../renderer/src/lib/demo/progress.js';

const step = (jobId: string | null, done: boolean): DemoStep => ({ kind: 'index', saeIds: ['s'], title: 'Index', done, jobId });
const status = (steps: DemoStep[], ready: boolean): DemoStatus => ({
  fresh: false,
  demo: true,
  ready,
  modelId: 'model',
  saes: [],
  steps,
  tokens: 16_384,
  corpus: 'brown',
  firstFeature: null,
  firstFeatureTokens: [],
});
const job = (id: string, state: JobState): JobSummary => ({
  id,
  kind: 'index.start',
  title: id,
  state,
  progress: 0,
  message: '',
  error: null,
  createdAt: '2026-12-07T00:00:00Z',
  startedAt: '2026-12-07T00:00:01Z',
  finishedAt: null,
  result: null,
});

describe('demoProgress (the Home panel)', () => {
  it('a finished demo is ready; steps whose jobs ended since the status was read count as done', () => {
    expect(demoProgress(status([step('a', true), step('b', true)], true), [])).toMatchObject({ ready: true, doneCount: 2, halted: false });
    const live = demoProgress(status([step('a', true), step('b', false)], false), [job('b', 'done')]);
    expect(live).toMatchObject({ ready: true, doneCount: 2, working: false, halted: false, unregistered: false });
  });

  it('the demo model registered without its SAEs: no step to show, so it offers to finish instead of "0 of 0 steps"', () => {
    expect(demoProgress(status([], false), [])).toMatchObject({ ready: false, doneCount: 0, unregistered: true, halted: true });
    // One SAE registered and done, the other missing: not ready either.
    expect(demoProgress(status([step('a', true)], false), [])).toMatchObject({ ready: false, unregistered: true, halted: true });
  });

  it('a failed step halts the demo unless another is still running', () => {
    const steps = [step('a', false), step('b', false)];
    const failed = demoProgress(status(steps, false), [job('a', 'failed'), job('b', 'done')]);
    expect(failed).toMatchObject({ ready: false, halted: true, unregistered: false });
    expect(failed.stuck.map((j) => j.id)).toEqual(['a']);
    expect(demoProgress(status(steps, false), [job('a', 'failed'), job('b', 'running')])).toMatchObject({ working: true, halted: false });
  });
});
