import type { ApiResponse } from '../../../../native/api/errors.js';
import type { EventName, EventPayloads } from '../../../../native/api/events.js';
import type { LoupeBridge } from '../../../../native/api/bridge.js';

const tokenKey = 'loupe.token';

/** The token from `?token=` (then hidden from the address bar), or the one this tab already had. */
function takeToken(location: Location): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(tokenKey, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(tokenKey) ?? '';
}

/** `loupe serve`'s transport: POST /api/call for calls, one WebSocket for events (reconnecting). */
export function webBridge(location: Location): LoupeBridge {
  const token = takeToken(location);
  const handlers = new Map<string, Set<(payload: never) => void>>();
  let socket: WebSocket | null = null;
  let retryMs = 250;

  function open(): void {
    const wsUrl = `ws://${location.host}/api/events?token=${encodeURIComponent(token)}`;
    socket = new WebSocket(wsUrl);
    socket.onopen = () => (retryMs = 250);
    socket.onmessage = (message) => {
      const { event, payload } = JSON.parse(String(message.data)) as { event: string; payload: never };
      for (const handler of handlers.get(event) ?? []) handler(payload);
    };
    socket.onclose = () => {
      socket = null;
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }

  return {
    async invoke(method, params): Promise<ApiResponse<unknown>> {
      try {
        const response = await fetch('/api/call', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Loupe-Token': token },
          body: JSON.stringify({ method, params }),
        });
        if (response.headers.get('content-type')?.startsWith('application/json')) return (await response.json()) as ApiResponse<unknown>;
        return { ok: false, error: { code: 'unreachable', method, reason: `${response.status}: ${(await response.text()).trim()}` } };
      } catch (error) {
        return { ok: false, error: { code: 'unreachable', method, reason: `the engine is unreachable: ${String(error)}` } };
      }
    },
    subscribe<E extends EventName>(event: E, handler: (payload: EventPayloads[E]) => void) {
      if (!socket) open();
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler as (payload: never) => void);
      return () => set.delete(handler as (payload: never) => void);
    },
  };
}
