import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary, MatmulRate } from '../../../native/api/types.js';
import { JobRunner } from '../../../native/jobs/runner.js';
import { openWorkspace, type Workspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('jobs');
let ws: Workspace;
let runner: JobRunner;
const events: JobSummary[] = [];

function eventsOf(id: string): JobSummary[] {
  return events.filter((e) => e.id === id);
}

function until(predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (predicate() ? resolve() : setTimeout(check, 20));
    check();
  });
}

beforeAll(() => {
  ws = openWorkspace(join(dir.path, 'ws'));
  runner = new JobRunner(ws.jobs, ws.path, (job) => events.push(job));
});
afterAll(async () => {
  await runner.close();
  ws.close();
  dir.cleanup();
});

describe('the job runner', () => {
  it('runs a job in a worker thread, reports rising progress, and stores the result', async () => {
    const job = await runner.start('engine.measureMatmul', { seconds: 1 });
    expect(['queued', 'running']).toContain(job.state);
    await runner.whenIdle();
    const seen = eventsOf(job.id);
    expect(seen.map((e) => e.state)).toContain('running');
    const fractions = seen.filter((e) => e.state === 'running').map((e) => e.progress);
    expect(fractions.length).toBeGreaterThan(2);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    const stored = ws.jobs.get(job.id)!;
    expect(stored.state).toBe('done');
    expect(stored.progress).toBe(1);
    expect((stored.result as MatmulRate).gflops).toBeGreaterThan(0);
    expect(ws.jobs.lastDone('engine.measureMatmul')?.id).toBe(job.id);
  });

  it('runs one job at a time: the second waits queued and can be cancelled before it starts', async () => {
    const first = await runner.start('engine.measureMatmul', { seconds: 2 });
    const second = await runner.start('engine.measureMatmul', { seconds: 2 });
    await until(() => eventsOf(first.id).some((e) => e.state === 'running'));
    expect(ws.jobs.get(second.id)?.state).toBe('queued');
    expect(runner.cancel(second.id).state).toBe('cancelled');
    expect(runner.cancel(first.id).message).toBe('cancelling…');
    await runner.whenIdle();
    expect(ws.jobs.get(first.id)?.state).toBe('cancelled');
    expect(ws.jobs.get(second.id)?.state).toBe('cancelled');
    expect(eventsOf(second.id).some((e) => e.state === 'running')).toBe(false);
  });

  it('says which job kinds exist when asked for another (a caller the types do not reach)', async () => {
    const untyped = runner.start as (kind: string, params: unknown) => Promise<JobSummary>;
    await expect(untyped.call(runner, 'engine.nope', {})).rejects.toThrow(/unknown job kind "engine.nope"/);
  });
});
