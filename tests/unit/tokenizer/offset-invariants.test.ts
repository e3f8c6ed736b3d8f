import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';

/**
 * Seeded random texts mixing what trips offsets (spaces at the start, runs of whitespace, added
 * tokens written out, byte tokens written out, combining marks, emoji, a lone surrogate) through
 * every family: spans stay inside the text, never run backwards, and every character that is not
 * whitespace (or a mark NFC folds away) is covered by some token.
 */
const FAMILIES = fileURLToPath(new URL('../../../../shared/fixtures/families', import.meta.url));
const PIECES = [
  ' ',
  '  ',
  '\n',
  '\t',
  'the',
  'The',
  'cat',
  'é',
  'e\u0301',
  '日本',
  '🙂',
  '👍🏽',
  '<bos>',
  '<s>',
  '</s>',
  '<|endoftext|>',
  '<|begin_of_text|>',
  '<0x0A>',
  '\ud800',
  '123',
  '.',
  "'s",
  '▁',
];

function randomText(next: () => number): string {
  let text = '';
  const n = 1 + Math.floor(next() * 12);
  for (let i = 0; i < n; i++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

describe.each(['gemma2-tiny', 'mistral-tiny', 'llama-tiny', 'qwen2-tiny', 'gpt_neox-tiny'])('offsets of %s on random texts', (family) => {
  it('stay in the text, run forwards and cover every character that is not whitespace', async () => {
    const tokenizer = await loadTokenizer(join(FAMILIES, family));
    const next = mulberry32(13);
    for (let trial = 0; trial < 300; trial++) {
      const text = randomText(next);
      const { ids, offsets } = tokenizer.encode(text);
      const covered = new Uint8Array(text.length);
      let lastStart = 0;
      for (let k = 0; k < ids.length; k++) {
        const [start, end] = [offsets[2 * k], offsets[2 * k + 1]];
        expect(0 <= start && start <= end && end <= text.length, `${JSON.stringify(text)} token ${k}: [${start}, ${end})`).toBe(true);
        expect(start, `${JSON.stringify(text)} token ${k} starts before the one before it`).toBeGreaterThanOrEqual(lastStart);
        lastStart = start;
        covered.fill(1, start, end);
      }
      // NFC folds a combining mark into the letter before it, and Hugging Face aligns the result with the letter alone.
      let missed = -1;
      for (let i = 0; i < text.length && missed < 0; i++) if (!covered[i] && !/[\s\p{M}]/u.test(text[i])) missed = i;
      expect(missed, `${JSON.stringify(text)}: character ${missed} is in no token`).toBe(-1);
    }
  });
});
