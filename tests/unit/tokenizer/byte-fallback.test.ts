import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import type { Tokenizer } from '../../../native/formats/tokenizer.js';

/** SentencePiece-style BPE with byte fallback, as Gemma and Mistral ship it: token text, added tokens in the text, Metaspace. */
const FAMILIES = fileURLToPath(new URL('../../../../shared/fixtures/families', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'loupe-byte-fallback-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function pairs(offsets: Int32Array): [number, number][] {
  return Array.from({ length: offsets.length / 2 }, (_, k) => [offsets[2 * k], offsets[2 * k + 1]] as [number, number]);
}

function tokensOf(tokenizer: Tokenizer, ids: Int32Array): string[] {
  return Array.from(ids, (id) => tokenizer.idToToken(id));
}

describe('tokenText on a byte-fallback vocabulary', () => {
  it('reads "▁the" as " the", a byte token of a whole character as that character, and keeps one byte of a longer one as it is', async () => {
    const gemma = await loadTokenizer(join(FAMILIES, 'gemma2-tiny'));
    expect(gemma.idToToken(324)).toBe('▁the');
    expect(gemma.tokenText(324)).toBe(' the');
    expect(gemma.idToToken(14)).toBe('<0x0A>');
    expect(gemma.tokenText(14)).toBe('\n');
    expect(gemma.idToToken(199)).toBe('<0xC3>');
    expect(gemma.tokenText(199)).toBe('<0xC3>');
    expect(gemma.tokenText(gemma.bosId!)).toBe('<bos>');
    expect(gemma.idToToken(gemma.eosId!)).toBe('<eos>');
  });
  it('decodes byte tokens together into the character they spell', async () => {
    const gemma = await loadTokenizer(join(FAMILIES, 'gemma2-tiny'));
    const { ids } = gemma.encode('café — ok');
    expect(tokensOf(gemma, ids)).toContain('<0xA9>');
    expect(gemma.decode(ids)).toBe('café — ok');
  });
});

describe('added tokens written in the text', () => {
  it('reads a literal "<0x0A>" as the added token it is (six characters), not as a newline', async () => {
    const gemma = await loadTokenizer(join(FAMILIES, 'gemma2-tiny'));
    const { ids, offsets } = gemma.encode('the <0x0A> end');
    expect(tokensOf(gemma, ids)).toEqual(['t', 'he', '▁', '<0x0A>', '▁', 'end']);
    expect(pairs(offsets)).toEqual([
      [0, 1],
      [1, 3],
      [3, 4],
      [4, 10],
      [10, 11],
      [11, 14],
    ]);
  });
  it('prepends "▁" to each run of text between added tokens, spanning the run\'s first character (Mistral)', async () => {
    const mistral = await loadTokenizer(join(FAMILIES, 'mistral-tiny'));
    const a = mistral.encode('a<s>b');
    expect(tokensOf(mistral, a.ids)).toEqual(['▁a', '<s>', '▁b']);
    expect(pairs(a.offsets)).toEqual([
      [0, 1],
      [1, 4],
      [4, 5],
    ]);
    const b = mistral.encode('the <0x0A> end');
    expect(tokensOf(mistral, b.ids)).toEqual(['▁the', '▁', '<0x0A>', '▁', '▁', 'end']);
    expect(pairs(b.offsets)).toEqual([
      [0, 3],
      [3, 4],
      [4, 10],
      [10, 11],
      [10, 11],
      [11, 14],
    ]);
  });
  it('adds the template BOS in front of a text that starts with the BOS written out', async () => {
    const gemma = await loadTokenizer(join(FAMILIES, 'gemma2-tiny'));
    const { ids, offsets } = gemma.encode('<bos>x', { addSpecialTokens: true });
    expect(tokensOf(gemma, ids)).toEqual(['<bos>', '<bos>', 'x']);
    expect(pairs(offsets)).toEqual([
      [0, 0],
      [0, 5],
      [5, 6],
    ]);
  });
});

describe('an unknown token', () => {
  it('spans the characters it stands for, up to where the next token starts (fused, as fuse_unk says)', async () => {
    const json = JSON.parse(readFileSync(join(FAMILIES, 'gemma2-tiny', 'tokenizer.json'), 'utf8')) as {
      added_tokens: { content: string }[];
      model: { vocab: Record<string, number> };
    };
    json.added_tokens = json.added_tokens.filter((t) => t.content !== '<0xF0>');
    delete json.model.vocab['<0xF0>'];
    const file = join(root, 'no-f0.json');
    writeFileSync(file, JSON.stringify(json));
    const tokenizer = await loadTokenizer(file);
    const { ids, offsets } = tokenizer.encode('a🙂🙂 b');
    expect(tokensOf(tokenizer, ids)).toEqual(['a', '<unk>', '▁b']);
    expect(pairs(offsets)).toEqual([
      [0, 1],
      [1, 5],
      [5, 7],
    ]);
  });
});

describe('a Metaspace pre-tokenizer in place of the Prepend / Replace normalizer', () => {
  it("gives Mistral's ids and offsets on every reference text that does not start with a space", async () => {
    const json = JSON.parse(readFileSync(join(FAMILIES, 'mistral-tiny', 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
    json.normalizer = null;
    json.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: false };
    const file = join(root, 'metaspace.json');
    writeFileSync(file, JSON.stringify(json));
    const tokenizer = await loadTokenizer(file);
    const refs = JSON.parse(readFileSync(join(FAMILIES, 'mistral-tiny', 'tokenizer_refs.json'), 'utf8')) as {
      cases: { text: string; ids: number[]; offsets: [number, number][] }[];
    };
    const cases = refs.cases.filter((c) => !c.text.startsWith(' '));
    expect(cases.length).toBeGreaterThan(4);
    for (const c of cases) {
      const at = [0];
      for (const ch of c.text) at.push(at[at.length - 1] + ch.length);
      const { ids, offsets } = tokenizer.encode(c.text, { addSpecialTokens: true });
      expect(Array.from(ids)).toEqual(c.ids);
      expect(pairs(offsets)).toEqual(c.offsets.map(([s, e]) => [at[s], at[e]]));
    }
  });
});
