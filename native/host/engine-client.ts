import { Worker } from 'node:worker_threads';
import type { ApiResponse } from '../api/errors.js';
import { workerEntry } from '../jobs/worker-entry.js';
import { basename } from 'node:path';
import type { FromEngine } from './engine-protocol.js';

export type EngineEventListener = (name: string, payload: unknown) => void;

/**
 * The main thread's handle on the engine worker. It forwards calls unchanged (the worker's router
 * validates them) and fans events out to every transport. If the worker dies, pending calls fail with
 * a structured error and the next call starts a new worker on the same workspace.
 */
export class EngineClient {
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, { method: string; resolve: (r: ApiResponse<unknown>) => void }>();
  readonly #listeners = new Set<EngineEventListener>();
  #workspacePath: string | null = null;
  #closing: Promise<void> | null = null;

  async call(method: string, params: unknown): Promise<ApiResponse<unknown>> {
    if (this.#closing) return { ok: false, error: { code: 'unreachable', method, reason: 'the engine is shutting down' } };
    if (!this.#worker) await this.#start();
    const response = await this.#send(method, params);
    if (method === 'workspace.open' && response.ok) this.#workspacePath = (response.result as { path: string }).path;
    return response;
  }

  onEvent(listener: EngineEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const worker = this.#worker;
      if (!worker) return resolve();
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' });
      setTimeout(() => void worker.terminate(), 10_000).unref();
    });
    return this.#closing;
  }

  #send(method: string, params: unknown): Promise<ApiResponse<unknown>> {
    const worker = this.#worker!;
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { method, resolve });
      worker.postMessage({ type: 'call', id, method, params });
    });
  }

  async #start(): Promise<void> {
    const entry = workerEntry(import.meta.url, 'engine-worker');
    const worker = new Worker(entry.url, { argv: entry.argv, workerData: { holder: processDescription() } });
    this.#worker = worker;
    worker.on('message', (message: FromEngine) => this.#onMessage(message));
    worker.on('error', (error) => this.#failPending(`the engine crashed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = null;
      this.#failPending(`the engine stopped (exit code ${code})`);
    });
    if (this.#workspacePath) {
      const reopened = await this.#send('workspace.open', { path: this.#workspacePath });
      if (!reopened.ok) this.#workspacePath = null;
    }
  }

  #onMessage(message: FromEngine): void {
    if (message.type === 'reply') {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      pending?.resolve(message.response);
    } else if (message.type === 'event') {
      for (const listener of this.#listeners) listener(message.name, message.payload);
    }
  }

  #failPending(reason: string): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.resolve({ ok: false, error: { code: 'internal', method: pending.method, reason } });
    }
  }
}

/** This process as a person would recognise it in a workspace's lock: "node loupe.js serve --workspace …". */
function processDescription(): string {
  const [exe, script, ...args] = process.argv;
  return [basename(exe ?? 'node'), script ? basename(script) : '', ...args].filter(Boolean).join(' ').slice(0, 500);
}
