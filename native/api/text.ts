import { z } from 'zod';

/**
 * A lone UTF-16 surrogate (half of a pair, or a stray one) has no UTF-8 form: SQLite and every file
 * we write would store it as invalid bytes that read back as U+FFFD.
 */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
  return loneSurrogate.test(text);
}

/** Text a person writes and Loupe stores (labels, notes, tags): well-formed Unicode, no NUL. */
export function storedText(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !hasLoneSurrogate(s), 'contains a lone UTF-16 surrogate (half of a character): not valid Unicode')
    .refine((s) => !s.includes('\u0000'), 'contains a NUL character');
}

/** Search text goes to FTS5 and SQL LIKE, where NUL ends the string: refused with the same message. */
export function searchText(max: number) {
  return storedText(max);
}
