import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { JobSummary, SaeSummary } from '../../native/api/types.js';
import type { Served } from './serve.js';

const repoRoot = join(import.meta.dirname, '..', '..');
export const DEMO_MODEL_DIR = join(repoRoot, 'resources', 'demo', 'model');
export const DEMO_SAE_DIRS = [512, 4096].map((width) => join(repoRoot, 'resources', 'demo', 'saes', `brown-mlp0-topk${width}`));

/** Resolves with each job's final summary once every one of `ids` is done; rejects when one fails. */
export function waitForJobs(served: Served, ids: readonly string[], timeoutMs = 900_000): Promise<JobSummary[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${served.port}/api/events?token=${served.token}`, {
      headers: { Origin: `http://127.0.0.1:${served.port}` },
    });
    const finished = new Map<string, JobSummary>();
    const timer = setTimeout(
      () => fail(new Error(`jobs not done after ${timeoutMs} ms: ${ids.filter((id) => !finished.has(id)).join(', ')}`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    };
    const note = (job: JobSummary) => {
      if (!ids.includes(job.id)) return;
      if (job.state === 'failed' || job.state === 'cancelled' || job.state === 'interrupted')
        return fail(new Error(`job ${job.title} ${job.state}: ${job.error ?? ''}`));
      if (job.state === 'done') finished.set(job.id, job);
      if (finished.size === ids.length) {
        clearTimeout(timer);
        socket.close();
        resolve(ids.map((id) => finished.get(id) as JobSummary));
      }
    };
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { event: string; payload: JobSummary };
      if (message.event === 'job.progress') note(message.payload);
    });
    socket.on('open', async () => {
      // Jobs that finished before the socket opened are read once from the list.
      for (const job of await served.call<JobSummary[]>('jobs.list', {})) note(job);
    });
    socket.on('error', fail);
  });
}

/**
 * The demo's model and two SAEs (512 and 4,096 latents, resources/demo) registered, indexed over a
 * slice of Brown and mapped (each SAE, and both jointly), through the contract as the app does it:
 * a small stand-in for the demo workspace that end-to-end tests can build in well under a minute.
 */
export async function indexedDemoWorkspace(
  served: Served,
  { tokens = 16_384, maps = true } = {},
): Promise<{ modelId: string; saes: SaeSummary[] }> {
  const model = await served.call<{ id: string }>('models.add', { path: DEMO_MODEL_DIR });
  const saes: SaeSummary[] = [];
  for (const path of DEMO_SAE_DIRS) saes.push(await served.call<SaeSummary>('saes.add', { path, modelId: model.id }));
  const jobs: JobSummary[] = [];
  for (const sae of saes) jobs.push(await served.call<JobSummary>('index.start', { saeId: sae.id, corpus: 'brown', tokens }));
  if (maps) {
    for (const sae of saes) jobs.push(await served.call<JobSummary>('maps.compute', { saeIds: [sae.id] }));
    jobs.push(await served.call<JobSummary>('maps.compute', { saeIds: saes.map((s) => s.id) }));
  }
  await waitForJobs(
    served,
    jobs.map((j) => j.id),
  );
  return { modelId: model.id, saes };
}
