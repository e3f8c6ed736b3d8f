import { readFileSync, statSync } from 'node:fs';
import { jsonLimits, parseCheckedJson } from './strict-json.js';

/** Small JSON configs read during discovery: a broken one is reported on its item, never thrown. */

export type JsonRecord = Record<string, unknown>;

const MAX_CONFIG_BYTES = 4 << 20;

export function readJsonConfig(path: string): { value: JsonRecord } | { problem: string } {
  try {
    if (statSync(path).size > MAX_CONFIG_BYTES) return { problem: `${path}: over ${MAX_CONFIG_BYTES} bytes, too large for a config` };
    const value = parseCheckedJson(readFileSync(path, 'utf8'), jsonLimits.config);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem: `${path}: expected a JSON object` };
    return { value: value as JsonRecord };
  } catch (e) {
    return { problem: `${path}: not readable JSON (${(e as Error).message})` };
  }
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

export function obj(v: unknown): JsonRecord | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonRecord) : undefined;
}
