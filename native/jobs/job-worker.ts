import { parentPort, workerData } from 'node:worker_threads';
import { JobCancelled } from './job.js';
import { loadJobKind } from './kinds.js';
import type { FromJobWorker, JobStart, ToJobWorker } from './protocol.js';

if (!parentPort) throw new Error('job-worker must run in a worker thread');
const port = parentPort;

const start = workerData as JobStart;
const controller = new AbortController();
const send = (message: FromJobWorker) => port.postMessage(message);

port.on('message', (message: ToJobWorker) => {
  if (message.type === 'cancel') controller.abort();
});

async function runJob(): Promise<void> {
  try {
    const kind = await loadJobKind(start.kind);
    const result = await kind.run({
      jobId: start.jobId,
      params: start.params,
      workspacePath: start.workspacePath,
      signal: controller.signal,
      progress: (fraction, message = '') => send({ type: 'progress', fraction, message }),
      data: (data) => send({ type: 'data', data }),
    });
    send(controller.signal.aborted ? { type: 'cancelled' } : { type: 'done', result: result ?? null });
  } catch (error) {
    if (error instanceof JobCancelled || controller.signal.aborted) send({ type: 'cancelled' });
    else send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  } finally {
    port.close();
  }
}

void runJob();
