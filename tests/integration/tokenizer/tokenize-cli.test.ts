import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loupe } from '../../helpers/loupe-cli.js';

/** `loupe tokenize` prints a family's ids, tokens and UTF-16 offsets as its tokenizer_refs.json has them. */
const FAMILIES = fileURLToPath(new URL('../../../../shared/fixtures/families', import.meta.url));

interface Case {
  text: string;
  ids: number[];
  tokens: string[];
  offsets: [number, number][];
}

function refCase(family: string, pick: (c: Case) => boolean): Case {
  const refs = JSON.parse(readFileSync(join(FAMILIES, family, 'tokenizer_refs.json'), 'utf8')) as { cases: Case[] };
  const found = refs.cases.find(pick);
  if (!found) throw new Error(`no such case in ${family}`);
  return found;
}

/** Python's code-point offsets as UTF-16 units. */
function utf16(text: string, offsets: [number, number][]): [number, number][] {
  const at = [0];
  for (const c of text) at.push(at[at.length - 1] + c.length);
  return offsets.map(([s, e]) => [at[s], at[e]]);
}

describe('loupe tokenize', () => {
  it("prints the model folder's ids, tokens and UTF-16 offsets, the template BOS included (Gemma 2, emoji text)", async () => {
    const c = refCase('gemma2-tiny', (x) => x.text.includes('emoji'));
    const { code, out, err } = await loupe('tokenize', '--model', join(FAMILIES, 'gemma2-tiny'), '--text', c.text);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ ids: c.ids, tokens: c.tokens, offsets: utf16(c.text, c.offsets) });
  });
  it('reads a tokenizer.json given directly, and leaves the BOS out with --no-special (Llama 3)', async () => {
    const c = refCase('llama-tiny', (x) => x.text.startsWith('naïve'));
    const { code, out } = await loupe(
      'tokenize',
      '--model',
      join(FAMILIES, 'llama-tiny', 'tokenizer.json'),
      '--text',
      c.text,
      '--no-special',
    );
    expect(code).toBe(0);
    expect(c.tokens[0]).toBe('<|begin_of_text|>');
    expect(JSON.parse(out)).toEqual({ ids: c.ids.slice(1), tokens: c.tokens.slice(1), offsets: utf16(c.text, c.offsets.slice(1)) });
  });
  it('prints the BOS alone for an empty text', async () => {
    const { code, out } = await loupe('tokenize', '--model', join(FAMILIES, 'mistral-tiny'), '--text', '');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ ids: [1], tokens: ['<s>'], offsets: [[0, 0]] });
  });
  it('fails with the file named when the folder has no tokenizer, and with usage when --text is missing', async () => {
    const none = await loupe('tokenize', '--model', FAMILIES, '--text', 'x');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/families: no tokenizer here: expected a tokenizer\.json file/);
    const usage = await loupe('tokenize', '--model', join(FAMILIES, 'gemma2-tiny'));
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/missing required flag --text/);
  });
});
