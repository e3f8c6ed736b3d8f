import { parseArgs } from 'node:util';
import { CliError } from './command.js';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;

/** Parses `--flag value` options strictly: unknown flags and stray positionals are usage errors. */
export function parseFlags<T extends FlagSpec>(argv: string[], spec: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: spec, allowPositionals, strict: true });
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
}

export function requireFlag(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) throw new CliError(`missing required flag --${name}`, 2);
  return value;
}

export function integerFlag(values: Record<string, unknown>, name: string, fallback?: number): number {
  const raw = values[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new CliError(`missing required flag --${name}`, 2);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new CliError(`--${name} must be a non-negative integer, got "${String(raw)}"`, 2);
  return value;
}

/** A finite number flag (learning rates, thresholds); `fallback` when absent. */
export function numberFlag(values: Record<string, unknown>, name: string, fallback?: number): number {
  const raw = values[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new CliError(`missing required flag --${name}`, 2);
    return fallback;
  }
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value))
    throw new CliError(`--${name} must be a number, got "${String(raw)}"`, 2);
  return value;
}

/** A non-negative integer flag that may be absent. */
export function optionalIntegerFlag(values: Record<string, unknown>, name: string): number | undefined {
  return values[name] === undefined ? undefined : integerFlag(values, name);
}
