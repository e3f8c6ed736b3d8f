import type { ApiError, ApiResponse } from '../../../../native/api/errors.js';
import type { EventName, EventPayloads } from '../../../../native/api/events.js';
import type { LoupeBridge } from '../../../../native/api/bridge.js';
import type { MethodName, ParamsOf, ResultOf } from '../../../../native/api/methods.js';
import { webBridge } from './web-bridge.js';

declare global {
  interface Window {
    /** Set by Electron's preload; absent in a browser talking to `loupe serve`. */
    loupe?: LoupeBridge;
  }
}

export class LoupeApiError extends Error {
  constructor(readonly error: ApiError) {
    super(error.field ? `${error.reason} (${error.field})` : error.reason);
    this.name = 'LoupeApiError';
  }
}

/** The renderer's one way to reach the engine, typed by the contract, over whichever transport exists. */
export class ApiClient {
  constructor(readonly bridge: LoupeBridge) {}

  async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const response = (await this.bridge.invoke(method, params)) as ApiResponse<ResultOf<M>>;
    if (!response.ok) throw new LoupeApiError(response.error);
    return response.result;
  }

  on<E extends EventName>(event: E, handler: (payload: EventPayloads[E]) => void): () => void {
    return this.bridge.subscribe(event, handler);
  }
}

export function connect(): ApiClient {
  return new ApiClient(window.loupe ?? webBridge(window.location));
}
