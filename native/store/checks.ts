/** Bad data handed to a store writer: a bug in the caller, named precisely so it is found fast. */
export class StoreValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreValueError';
  }
}

/** SQLite stores NaN as NULL and ±Infinity as a REAL that JSON cannot carry: neither is written. */
export function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new StoreValueError(`${what} must be a finite number, got ${value}`);
  return value;
}

export function count(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new StoreValueError(`${what} must be a non-negative integer, got ${value}`);
  return value;
}

/** `db.all` rows for one SQL `IN` list bound as a single JSON parameter (one cached statement for any length). */
export function jsonList(values: readonly (number | string)[]): string {
  return JSON.stringify(values);
}
