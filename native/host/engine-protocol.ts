import type { ApiResponse } from '../api/errors.js';

/** Messages between the main thread (which only routes) and the engine worker (which does the work). */
export type ToEngine = { type: 'call'; id: number; method: unknown; params: unknown } | { type: 'close' };

export type FromEngine =
  { type: 'reply'; id: number; response: ApiResponse<unknown> } | { type: 'event'; name: string; payload: unknown } | { type: 'closed' };
