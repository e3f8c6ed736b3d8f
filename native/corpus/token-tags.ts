import type { Annotation } from './types.js';

/** Tag strings ↔ small integer ids, shared by every window of a pass (ids in order of first sight). */
export class TagVocab {
  #ids = new Map<string, number>();
  #tags: string[] = [];

  constructor(tags: readonly string[] = []) {
    for (const tag of tags) this.idOf(tag);
  }

  /** The tag's id, adding it if new. */
  idOf(tag: string): number {
    let id = this.#ids.get(tag);
    if (id === undefined) {
      id = this.#tags.length;
      this.#ids.set(tag, id);
      this.#tags.push(tag);
    }
    return id;
  }

  tagOf(id: number): string {
    const tag = this.#tags[id];
    if (tag === undefined) throw new RangeError(`tag id ${id} is not in the vocabulary (size ${this.#tags.length})`);
    return tag;
  }

  get tags(): readonly string[] {
    return this.#tags;
  }

  get size(): number {
    return this.#tags.length;
  }
}

/**
 * [nTokens] the tag id of the annotation covering most of each token's characters, or -1 where no
 * annotation touches the token (whitespace, separators). Uncovered characters do not compete, so
 * ' the' takes the tag of 'the'; ties go to the annotation met first; where annotations overlap,
 * the later one owns the shared characters.
 */
export function tokenTags(
  /** [nTokens, 2] [start, end) of each token in the text, UTF-16 units */ offsets: Int32Array,
  annotations: readonly Annotation[],
  textLength: number,
  vocab: TagVocab,
  tagMap: (tag: string) => string = (tag) => tag,
): Int32Array {
  /** [textLength] tag id owning each character, -1 for none */
  const owner = new Int32Array(textLength).fill(-1);
  for (const a of annotations) owner.fill(vocab.idOf(tagMap(a.tag)), Math.max(0, a.start), Math.min(textLength, a.end));
  const nTokens = offsets.length / 2;
  const tags = new Int32Array(nTokens).fill(-1);
  const counts = new Map<number, number>();
  for (let t = 0; t < nTokens; t++) {
    counts.clear();
    let best = -1;
    let bestCount = 0;
    for (let c = offsets[2 * t]; c < offsets[2 * t + 1]; c++) {
      const id = owner[c];
      if (id < 0) continue;
      const n = (counts.get(id) ?? 0) + 1;
      counts.set(id, n);
      if (n > bestCount) [best, bestCount] = [id, n];
    }
    tags[t] = best;
  }
  return tags;
}
