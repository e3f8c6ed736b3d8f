import { jsonLimits, readCappedJsonObjectSync } from './strict-json.js';
import { FormatError } from './tensor.js';

/** Small JSON configs read during discovery: a broken one is reported on its item, never thrown. */

export type JsonRecord = Record<string, unknown>;

export function readJsonConfig(path: string): { value: JsonRecord } | { problem: string } {
  try {
    return { value: readCappedJsonObjectSync(path, jsonLimits.config) };
  } catch (e) {
    return { problem: `${path}: not readable JSON (${e instanceof FormatError ? e.reason : (e as Error).message})` };
  }
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}
