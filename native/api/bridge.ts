import type { ApiResponse } from './errors.js';
import type { EventName, EventPayloads } from './events.js';

/**
 * What Electron's preload exposes to the renderer as `window.loupe`: exactly one call and one subscribe.
 * The web host offers the same two verbs over HTTP and WebSocket.
 */
export interface LoupeBridge {
  invoke(method: string, params: unknown): Promise<ApiResponse<unknown>>;
  subscribe<E extends EventName>(event: E, handler: (payload: EventPayloads[E]) => void): () => void;
}

/** Electron IPC channel names, derived here once so preload and main cannot drift. */
export const ipcChannels = { invoke: 'loupe:invoke', event: 'loupe:event' } as const;
