import { jsonLimits, readCappedJsonObjectSync } from '../../formats/strict-json.js';
import { FormatError } from '../../formats/tensor.js';
import { SaeError } from '../canonical.js';

/** Reading the small JSON configs next to SAE weights; every error names the file and the key. */

export type JsonRecord = Record<string, unknown>;

/** The capped reader of formats/strict-json, its errors re-thrown as SaeError naming the same file. */
export function readJsonObject(path: string): JsonRecord {
  try {
    return readCappedJsonObjectSync(path, jsonLimits.config);
  } catch (e) {
    if (e instanceof FormatError) throw new SaeError(e.file, e.reason);
    throw new SaeError(path, `cannot be read (${(e as Error).message})`);
  }
}

function show(v: unknown): string {
  return v === undefined ? 'missing' : `${JSON.stringify(v)} (${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v})`;
}

/** `"d_in" is missing; expected a positive integer` and the like. */
export function badKey(file: string, key: string, v: unknown, expected: string): SaeError {
  return new SaeError(file, `"${key}" is ${show(v)}; expected ${expected}`);
}

export function positiveInt(file: string, key: string, v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  throw badKey(file, key, v, 'a positive integer');
}

export function optionalPositiveInt(file: string, key: string, v: unknown): number | undefined {
  return v === undefined || v === null ? undefined : positiveInt(file, key, v);
}

export function optionalBool(file: string, key: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  throw badKey(file, key, v, 'true or false');
}

export function optionalString(file: string, key: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw badKey(file, key, v, 'a string');
}

/** A copy of a JSON object for CanonicalSae.config (readers never mutate what they parsed). */
export function verbatim(cfg: JsonRecord): JsonRecord {
  return structuredClone(cfg);
}
