import type { z } from 'zod';
import type { ApiError } from './errors.js';
import { isMethodName, methods, type MethodName, type ValidParamsOf } from './methods.js';

export type Validation<M extends MethodName> = { ok: true; method: M; params: ValidParamsOf<M> } | { ok: false; error: ApiError };

function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return path ? `${path}.${keys}` : keys;
  }
  return path || '(params)';
}

/** Checks a call from an untrusted caller: known method, params matching its schema. Never throws. */
export function validateCall(method: unknown, params: unknown): Validation<MethodName> {
  if (!isMethodName(method)) {
    const name = typeof method === 'string' ? method.slice(0, 100) : typeof method;
    return { ok: false, error: { code: 'unknown_method', method: name, reason: `unknown method "${name}"` } };
  }
  const parsed = methods[method].params.safeParse(params ?? {});
  if (parsed.success) return { ok: true, method, params: parsed.data as ValidParamsOf<MethodName> };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    error: { code: 'invalid_params', method, field: fieldOf(issue), reason: issue.message },
  };
}
