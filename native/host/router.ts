import { ApiFailure, type ApiResponse } from '../api/errors.js';
import { validateCall } from '../api/validate.js';
import type { MethodName, ResultOf, ValidParamsOf } from '../api/methods.js';

/** One service function per contract method: the compiler refuses a table that misses one. */
export type Handlers = {
  [M in MethodName]: (params: ValidParamsOf<M>) => Promise<ResultOf<M>> | ResultOf<M>;
};

/**
 * Routes a call by method name to its handler. Params are validated against the contract before any
 * handler runs; every failure comes back as a structured error, never as an exception.
 */
export class Router {
  constructor(readonly handlers: Handlers) {}

  async call(method: unknown, params: unknown): Promise<ApiResponse<unknown>> {
    const checked = validateCall(method, params);
    if (!checked.ok) return { ok: false, error: checked.error };
    const handler = this.handlers[checked.method] as (p: unknown) => unknown;
    try {
      return { ok: true, result: await handler(checked.params) };
    } catch (error) {
      if (error instanceof ApiFailure) {
        return { ok: false, error: { code: error.code, method: checked.method, field: error.field, reason: error.message } };
      }
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code: 'internal', method: checked.method, reason } };
    }
  }
}
