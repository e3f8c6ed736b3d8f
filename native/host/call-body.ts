import { checkJsonShape, jsonLimits } from '../formats/strict-json.js';

export type CallBody = { ok: true; method: string; params: unknown } | { ok: false; reason: string };

/**
 * A `/api/call` body: `{"method": "<name>", "params": {...}}`, checked before anything else sees it.
 * Its shape is capped before JSON.parse (jsonLimits.requestBody): what is parsed is then cloned to
 * the engine worker and walked by the schema, each recursively, and 200,000 "[" ended as a stack
 * overflow (a plain-text 500).
 */
export function parseCallBody(body: string): CallBody {
  try {
    checkJsonShape(body, jsonLimits.requestBody);
  } catch (error) {
    return { ok: false, reason: `request body refused: ${(error as Error).message}` };
  }
  let call: unknown;
  try {
    call = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'request body is not JSON' };
  }
  if (call === null || typeof call !== 'object' || Array.isArray(call))
    return { ok: false, reason: 'request body must be {method, params}' };
  const { method, params } = call as { method?: unknown; params?: unknown };
  if (typeof method !== 'string') {
    const kind = method === null ? 'null' : Array.isArray(method) ? 'an array' : typeof method;
    return { ok: false, reason: `"method" must be a string (the method's name), not ${kind}` };
  }
  return { ok: true, method, params };
}
