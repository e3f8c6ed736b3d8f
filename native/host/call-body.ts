/** Deeper bodies are refused before JSON.parse: no method's params nest anywhere near this. */
export const maxCallDepth = 32;

export type CallBody = { ok: true; method: string; params: unknown } | { ok: false; reason: string };

/**
 * The deepest nesting of arrays and objects in a JSON text, scanning only the characters outside
 * strings. JSON.parse itself copes with deep input, but what is parsed is then cloned to the engine
 * worker and walked by the schema, each recursively: 200,000 "[" ended as a stack overflow.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** A `/api/call` body: `{"method": "<name>", "params": {...}}`, checked before anything else sees it. */
export function parseCallBody(body: string): CallBody {
  const depth = jsonDepth(body);
  if (depth > maxCallDepth) return { ok: false, reason: `request body nests ${depth} levels deep, more than the ${maxCallDepth} allowed` };
  let call: unknown;
  try {
    call = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'request body is not JSON' };
  }
  if (call === null || typeof call !== 'object' || Array.isArray(call)) return { ok: false, reason: 'request body must be {method, params}' };
  const { method, params } = call as { method?: unknown; params?: unknown };
  if (typeof method !== 'string') return { ok: false, reason: `"method" must be a string (the method's name), not ${method === null ? 'null' : Array.isArray(method) ? 'an array' : typeof method}` };
  return { ok: true, method, params };
}
