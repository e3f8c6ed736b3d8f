import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import type { Tokenizer } from '../../../native/formats/tokenizer.js';

/** Added tokens that strip the whitespace beside them, and added tokens matched in the normalized text. */
const FAMILIES = fileURLToPath(new URL('../../../../shared/fixtures/families', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'loupe-added-tokens-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type AddedToken = { content: string; lstrip?: boolean; rstrip?: boolean; normalized?: boolean };

async function withAddedToken(family: string, content: string, change: Partial<AddedToken>): Promise<Tokenizer> {
  const json = JSON.parse(readFileSync(join(FAMILIES, family, 'tokenizer.json'), 'utf8')) as { added_tokens: AddedToken[] };
  Object.assign(
    json.added_tokens.find((t) => t.content === content)!,
    change,
  );
  const file = join(root, `${family}-${Object.keys(change).join('-')}.json`);
  writeFileSync(file, JSON.stringify(json));
  return loadTokenizer(file);
}

function spans(tokenizer: Tokenizer, text: string): [string, number, number][] {
  const { ids, offsets } = tokenizer.encode(text);
  return Array.from(ids, (id, k) => [tokenizer.idToToken(id), offsets[2 * k], offsets[2 * k + 1]]);
}

describe('added tokens', () => {
  it('an lstrip / rstrip token takes the whitespace beside it into its span', async () => {
    const llama = await withAddedToken('llama-tiny', '<|end_of_text|>', { lstrip: true, rstrip: true });
    expect(spans(llama, 'the <|end_of_text|> cat')).toEqual([
      ['t', 0, 1],
      ['he', 1, 3],
      ['<|end_of_text|>', 3, 20],
      ['c', 20, 21],
      ['at', 21, 23],
    ]);
  });
  it('a normalized token is found in the normalized text, "▁" and all (Mistral\'s <s> with normalized: true)', async () => {
    const mistral = await withAddedToken('mistral-tiny', '<s>', { normalized: true });
    const { ids } = mistral.encode('a <s> b');
    expect(Array.from(ids, (id) => mistral.idToToken(id))).toEqual(['▁a', '<s>', '▁b']);
    expect(spans(mistral, 'a <s> b').map(([, s, e]) => [s, e])).toEqual([
      [0, 1],
      [1, 5],
      [5, 7],
    ]);
  });
});
