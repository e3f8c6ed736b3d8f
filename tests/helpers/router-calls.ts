import { expect } from 'vitest';
import type { ApiResponse } from '../../native/api/errors.js';
import type { MethodName, ParamsOf, ResultOf } from '../../native/api/methods.js';
import type { Router } from '../../native/host/router.js';

/** Calls through `router` as the renderer's arrive (params validated at run time). */
export function routerCalls(router: Router) {
  /** Unwraps a success; a failure throws, naming the method and the error. */
  async function call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const response = await router.call(method, params);
    if (!response.ok) throw new Error(`${method} failed: ${JSON.stringify(response.error)}`);
    return response.result as ResultOf<M>;
  }
  /** Expects the call to fail and returns the failure. */
  async function refusal(method: MethodName, params: unknown): Promise<ApiResponse<unknown>> {
    const response = await router.call(method, params);
    expect(response.ok, `${method} should fail`).toBe(false);
    return response;
  }
  return { call, refusal };
}
