import { readFileSync, statSync } from 'node:fs';
import { jsonLimits, parseCheckedJson } from '../../formats/strict-json.js';
import { SaeError } from '../canonical.js';

/** Reading the small JSON configs next to SAE weights; every error names the file and the key. */

export type JsonRecord = Record<string, unknown>;

const MAX_CONFIG_BYTES = 4 << 20;

export function readJsonObject(path: string): JsonRecord {
  let text: string;
  try {
    if (statSync(path).size > MAX_CONFIG_BYTES) throw new SaeError(path, `is over ${MAX_CONFIG_BYTES} bytes, too large for a config`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof SaeError) throw e;
    throw new SaeError(path, `cannot be read (${(e as Error).message})`);
  }
  let value: unknown;
  try {
    value = parseCheckedJson(text, jsonLimits.config);
  } catch (e) {
    throw new SaeError(path, `is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(value)) throw new SaeError(path, 'must hold a JSON object');
  return value;
}

export function isRecord(v: unknown): v is JsonRecord {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
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
