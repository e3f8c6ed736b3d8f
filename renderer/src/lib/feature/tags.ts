/**
 * Tag editing rules, as the store applies them (store/label-values.ts): a tag is trimmed, 1–64
 * characters, without ";" (the CSV export's separator) or control characters; tags are a sorted set.
 * Applying them here too keeps what the chips show equal to what gets saved.
 */

export const maxTagLength = 64;

/** The tag a typed string becomes, or null when nothing valid is left. */
export function normalizeTag(raw: string): string | null {
  const tag = raw
    .replace(/[;\u0000-\u001f\u007f]/gu, ' ')
    .trim()
    .replace(/\s+/gu, ' ')
    .slice(0, maxTagLength)
    .trim();
  return tag.length > 0 ? tag : null;
}

/** `tags` with `raw` added (normalised; sorted, no duplicates). Unchanged when `raw` is not a valid tag. */
export function withTag(tags: readonly string[], raw: string): string[] {
  const tag = normalizeTag(raw);
  if (tag === null || tags.includes(tag)) return [...tags];
  return [...tags, tag].sort();
}

export function withoutTag(tags: readonly string[], tag: string): string[] {
  return tags.filter((t) => t !== tag);
}
