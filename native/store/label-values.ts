import { ApiFailure } from '../api/errors.js';
import { hasLoneSurrogate } from '../api/text.js';

/** Limits on what a person writes about a feature; generous, but a runaway paste is refused. */
export const maxLabelLength = 1000;
export const maxNotesLength = 100_000;
export const maxTagLength = 64;
export const maxTags = 64;

/** NUL ends strings in too many tools that read exports (and in FTS5's tokenizer). */
function assertText(value: string, field: string, max: number): string {
  if (typeof value !== 'string') throw new ApiFailure('failed', `${field} must be a string`, field);
  if (value.length > max) throw new ApiFailure('failed', `${field} is ${value.length} characters, more than the ${max} allowed`, field);
  if (value.includes('\u0000')) throw new ApiFailure('failed', `${field} contains a NUL character`, field);
  if (hasLoneSurrogate(value)) throw new ApiFailure('failed', `${field} contains a lone UTF-16 surrogate: not valid Unicode`, field);
  return value;
}

export function checkLabel(label: string): string {
  return assertText(label, 'label', maxLabelLength);
}

export function checkNotes(notes: string): string {
  return assertText(notes, 'notes', maxNotesLength);
}

/**
 * A tag is trimmed, 1–64 characters, with no `;` (the CSV export's tag separator) and no control
 * characters. Tags are a set: duplicates collapse and the stored order is sorted.
 */
export function checkTags(tags: readonly string[]): string[] {
  if (!Array.isArray(tags)) throw new ApiFailure('failed', 'tags must be a list of strings', 'tags');
  const out = new Set<string>();
  for (const raw of tags) {
    const tag = assertText(raw, 'tags', maxTagLength).trim();
    if (tag.length === 0 || tag.includes(';') || /[\u0000-\u001f\u007f]/u.test(tag)) {
      throw new ApiFailure(
        'failed',
        `tag "${raw}" is not allowed: 1 to ${maxTagLength} characters, no ";" and no control characters`,
        'tags',
      );
    }
    out.add(tag);
  }
  if (out.size > maxTags) throw new ApiFailure('failed', `${out.size} tags, more than the ${maxTags} allowed`, 'tags');
  return [...out].sort();
}

export function checkAuthor(author: string): string {
  const value = assertText(author, 'author', 200).trim();
  if (value.length === 0) throw new ApiFailure('failed', 'author must not be empty', 'author');
  return value;
}
