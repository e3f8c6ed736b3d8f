import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';

/**
 * Every case of every family's tokenizer_refs.json (Hugging Face tokenizers' ids, tokens and offsets,
 * special tokens added), matched exactly: ids, tokens, and offsets converted from Python code-point
 * indices to the UTF-16 units JavaScript slices by.
 */
const FAMILIES = fileURLToPath(new URL('../../../../shared/fixtures/families', import.meta.url));

interface Refs {
  style: string;
  vocab_size: number;
  add_special_tokens: boolean;
  cases: { text: string; ids: number[]; tokens: string[]; offsets: [number, number][] }[];
}

/** The token each style's post-processor template puts first; none for a ByteLevel post-processor. */
const TEMPLATE_BOS: Record<string, string | null> = { gemma: '<bos>', llama2: '<s>', llama3: '<|begin_of_text|>', qwen: null, neox: null };

/** Code-point index → UTF-16 index, for every index 0..length of the text in code points. */
function utf16Index(text: string): number[] {
  const at = [0];
  for (const c of text) at.push(at[at.length - 1] + c.length);
  return at;
}

function readRefs(family: string): Refs {
  return JSON.parse(readFileSync(join(FAMILIES, family, 'tokenizer_refs.json'), 'utf8')) as Refs;
}

const families = ['gemma2-tiny', 'gemma3-tiny', 'mistral-tiny', 'llama-tiny', 'qwen2-tiny', 'qwen3-tiny', 'gpt_neox-tiny'];

describe.each(families)('the %s tokenizer', (family) => {
  const refs = readRefs(family);
  const bosToken = TEMPLATE_BOS[refs.style];

  it.each(refs.cases.map((c, i) => [i, c] as const))('encodes case %i with special tokens exactly as Hugging Face does', async (_, c) => {
    expect(refs.add_special_tokens).toBe(true);
    const tokenizer = await loadTokenizer(join(FAMILIES, family));
    const { ids, offsets } = tokenizer.encode(c.text, { addSpecialTokens: true });
    expect(Array.from(ids)).toEqual(c.ids);
    expect(Array.from(ids, (id) => tokenizer.idToToken(id))).toEqual(c.tokens);
    const at = utf16Index(c.text);
    const expected = c.offsets.map(([s, e]) => [at[s], at[e]]);
    expect(Array.from({ length: ids.length }, (_, k) => [offsets[2 * k], offsets[2 * k + 1]])).toEqual(expected);
  });

  it.each(refs.cases.map((c, i) => [i, c] as const))(
    'encodes case %i without special tokens: the same less the template BOS',
    async (_, c) => {
      const tokenizer = await loadTokenizer(join(FAMILIES, family));
      const drop = bosToken !== null && c.tokens[0] === bosToken ? 1 : 0;
      const { ids, offsets } = tokenizer.encode(c.text);
      expect(Array.from(ids)).toEqual(c.ids.slice(drop));
      const at = utf16Index(c.text);
      expect(Array.from(offsets)).toEqual(c.offsets.slice(drop).flatMap(([s, e]) => [at[s], at[e]]));
    },
  );

  it('names the family BOS and an end-of-text token, and counts the vocabulary', async () => {
    const tokenizer = await loadTokenizer(join(FAMILIES, family, 'tokenizer.json'));
    expect(tokenizer.vocabSize).toBe(refs.vocab_size);
    expect(tokenizer.eosId).toBeDefined();
    const bos = tokenizer.idToToken(tokenizer.bosId!);
    expect(bos).toBe(bosToken ?? '<|endoftext|>');
    expect(tokenizer.kind).toBe(['gemma', 'llama2'].includes(refs.style) ? 'byte-fallback' : 'byte-level');
  });

  it('decodes every case back to its text (NFC-normalized where the normalizer says so)', async () => {
    const tokenizer = await loadTokenizer(join(FAMILIES, family));
    const nfc = refs.style === 'qwen' || refs.style === 'neox';
    for (const c of refs.cases) expect(tokenizer.decode(tokenizer.encode(c.text).ids)).toBe(nfc ? c.text.normalize('NFC') : c.text);
  });
});
