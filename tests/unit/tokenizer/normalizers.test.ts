import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import type { Tokenizer } from '../../../native/formats/tokenizer.js';

/**
 * Offsets through normalizers the family fixtures do not use, on the Llama 3 tokenizer with its
 * normalizer swapped: each normalized character keeps the span of the character it came from, as
 * Hugging Face's alignments do (an expanded character's pieces all span it).
 */
const LLAMA = fileURLToPath(new URL('../../../../shared/fixtures/families/llama-tiny', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'loupe-normalizers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function withNormalizer(name: string, normalizer: unknown): Promise<Tokenizer> {
  const json = JSON.parse(readFileSync(join(LLAMA, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
  json.normalizer = normalizer;
  const file = join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify(json));
  return loadTokenizer(file);
}

function spans(tokenizer: Tokenizer, text: string): [string, number, number][] {
  const { ids, offsets } = tokenizer.encode(text);
  return Array.from(ids, (id, k) => [tokenizer.idToToken(id), offsets[2 * k], offsets[2 * k + 1]]);
}

describe('offsets through a normalizer', () => {
  it('Lowercase: the same spans as the lowercased text under no normalizer', async () => {
    const lower = await withNormalizer('lowercase', { type: 'Lowercase' });
    const plain = await loadTokenizer(LLAMA);
    const refs = JSON.parse(readFileSync(join(LLAMA, 'tokenizer_refs.json'), 'utf8')) as { cases: { text: string }[] };
    const texts = refs.cases.map((c) => c.text).filter((t) => t.toLowerCase().length === t.length && t !== t.toLowerCase());
    expect(texts.length).toBeGreaterThan(3);
    for (const text of texts) expect(spans(lower, text)).toEqual(spans(plain, text.toLowerCase()));
  });
  it('NFKC: both letters of a ligature span it, and a superscript two spans itself', async () => {
    const nfkc = await withNormalizer('nfkc', { type: 'NFKC' });
    expect(spans(nfkc, 'ﬁne ﬁsh')).toEqual([
      ['f', 0, 1],
      ['ine', 0, 3],
      ['Ġf', 3, 5],
      ['is', 4, 6],
      ['h', 6, 7],
    ]);
    expect(spans(nfkc, 'x²')).toEqual([
      ['x', 0, 1],
      ['2', 1, 2],
    ]);
  });
  it('refuses a Split pre-tokenizer that removes what it matches', async () => {
    const json = JSON.parse(readFileSync(join(LLAMA, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
    json.pre_tokenizer = {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { String: ' ' }, behavior: 'Removed', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    };
    const file = join(root, 'removed.json');
    writeFileSync(file, JSON.stringify(json));
    await expect(loadTokenizer(file)).rejects.toThrow(/Split with behavior "Removed" drops text/);
  });
});
