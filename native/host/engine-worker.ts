import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from './engine.js';
import type { FromEngine, ToEngine } from './engine-protocol.js';
import { createHandlers } from './handlers/table.js';
import { Router } from './router.js';

if (!parentPort) throw new Error('engine-worker must run in a worker thread');
const port = parentPort;
const send = (message: FromEngine) => port.postMessage(message);

const holder =
  typeof (workerData as { holder?: unknown } | null)?.holder === 'string' ? (workerData as { holder: string }).holder : 'Loupe';
const engine = new Engine((name, payload) => send({ type: 'event', name, payload }), holder);
const router = new Router(createHandlers(engine));

port.on('message', (message: ToEngine) => {
  if (message.type === 'call') {
    void router.call(message.method, message.params).then((response) => send({ type: 'reply', id: message.id, response }));
  } else if (message.type === 'close') {
    void engine.close().finally(() => {
      send({ type: 'closed' });
      port.close();
    });
  }
});
