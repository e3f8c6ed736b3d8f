import type { GraphBuilder } from './graph.js';
import { createSession } from './ort.js';
import type { OrtSession, SessionOptions } from './ort.js';

/**
 * Sessions by graph fingerprint and options, least recently used evicted first. Building a session
 * (graph optimisation, weight prepacking) costs far more than hashing the graph, so a repeated
 * forward pass with the same hooks reuses its session. A graph's bound weights are not part of its
 * fingerprint: each caller gets the cached session bound to its own graph's weights.
 */
export class SessionCache {
  readonly #entries = new Map<string, Promise<OrtSession>>();

  constructor(readonly capacity = 4) {}

  get size(): number {
    return this.#entries.size;
  }

  async get(graph: GraphBuilder, options: SessionOptions = {}): Promise<OrtSession> {
    const key = `${graph.fingerprint()}|${options.provider ?? 'cpu'}|${options.intraOpNumThreads ?? 0}`;
    const bound = graph.boundFeeds();
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return (await entry).bind(bound);
    }
    entry = createSession(graph.toBytes(), options);
    this.#entries.set(key, entry);
    entry.catch(() => this.#entries.delete(key));
    while (this.#entries.size > this.capacity) {
      // Not released here: a caller may still be running it; the binding frees it when collected.
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
    return (await entry).bind(bound);
  }

  async clear(): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.allSettled(all.map(async (s) => (await s).release()));
  }
}

/** The process-wide cache the engine's forward passes share. */
export const sessionCache = new SessionCache();
