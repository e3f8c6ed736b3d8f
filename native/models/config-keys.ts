import { FormatError } from '../formats/tensor.js';

/** A parsed config.json object. */
export type Json = Record<string, unknown>;

export function positiveInt(cfg: Json, key: string, source: string): number {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new FormatError(source, `${key} must be a positive integer, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
  return v;
}

export function positiveNumber(cfg: Json, key: string, source: string, fallback: number): number {
  const v = cfg[key];
  if (v == null) return fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new FormatError(source, `${key} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

/** An optional positive integer: null and absent both mean "not set". */
export function optionalPositiveInt(cfg: Json, key: string, source: string): number | undefined {
  return cfg[key] == null ? undefined : positiveInt(cfg, key, source);
}

/** An optional positive number (a soft-cap, a scalar): null, absent and 0 mean "not set". */
export function optionalPositiveNumber(cfg: Json, key: string, source: string): number | undefined {
  if (cfg[key] == null || cfg[key] === 0) return undefined;
  return positiveNumber(cfg, key, source, 0);
}

export function optionalBool(cfg: Json, key: string, source: string, fallback: boolean): boolean {
  const v = cfg[key];
  if (v == null) return fallback;
  if (typeof v !== 'boolean') throw new FormatError(source, `${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** A token id: a non-negative integer, or the first of a list (several EOS ids). */
export function optionalTokenId(cfg: Json, key: string): number | undefined {
  const v = Array.isArray(cfg[key]) ? (cfg[key] as unknown[])[0] : cfg[key];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}
