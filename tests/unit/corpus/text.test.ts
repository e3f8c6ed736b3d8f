import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CountingUtf8Decoder, openCorpus } from '../../../native/corpus/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { readAll } from './read-docs.js';

const tmp = tempDir('corpus-text');
afterAll(() => tmp.cleanup());
const file = (name: string, content: string | Uint8Array) => {
  const path = join(tmp.path, name);
  writeFileSync(path, content);
  return path;
};

/** 0xFF; 0xC3 cut short by 'x'; ED A0 80 (a UTF-16 surrogate, 3 replacements); E2 82 cut off by the end of file. */
const INVALID = Buffer.concat([
  Buffer.from('bad \uFFFD one '),
  Buffer.from([0xff]),
  Buffer.from(' two '),
  Buffer.from([0xc3]),
  Buffer.from('x three '),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from(' end '),
  Buffer.from([0xe2, 0x82]),
]);

describe('plain text corpora', () => {
  const text = 'héllo wörld 😀 中文\nsame doc\n\nsecond 文書 📚 naïve\n \t\n\n  third: Ω≈ç√ 👍🏽  \n';
  const expected = ['héllo wörld 😀 中文\nsame doc', 'second 文書 📚 naïve', 'third: Ω≈ç√ 👍🏽'];

  it('splits documents on blank lines, whole characters across every read-chunk edge', async () => {
    const path = file('multi.txt', text);
    for (const chunkSize of [1, 2, 3, 5, 7, 64]) {
      const corpus = openCorpus(`text:${path}`, { chunkSize });
      const docs = await readAll(corpus);
      expect(
        docs.map((d) => d.text),
        `chunkSize ${chunkSize}`,
      ).toEqual(expected);
      expect(docs.map((d) => d.id)).toEqual(['doc-0', 'doc-1', 'doc-2']);
      expect(corpus.stats).toEqual({ documents: 3, characters: expected.join('').length, invalidUtf8: 0 });
    }
  });

  it('separates by <|endoftext|> alone when the file has it, even where it straddles chunks', async () => {
    const path = file('eot.txt', 'first para\n\nsame document<|endoftext|>second 😀<|endoftext|>\n\n<|endoftext|>third');
    for (const chunkSize of [1, 4, 1000]) {
      const docs = await readAll(openCorpus(path, { chunkSize }));
      expect(docs.map((d) => d.text)).toEqual(['first para\n\nsame document', 'second 😀', 'third']);
    }
  });

  it('replaces invalid UTF-8 with U+FFFD and counts each sequence, but not a real U+FFFD', async () => {
    const path = file('invalid.txt', INVALID);
    for (const chunkSize of [1, 2, 3, 1000]) {
      const corpus = openCorpus(path, { chunkSize });
      const [doc] = await readAll(corpus);
      expect(doc.text).toBe('bad \uFFFD one \uFFFD two \uFFFDx three \uFFFD\uFFFD\uFFFD end \uFFFD');
      expect(corpus.stats.invalidUtf8, `chunkSize ${chunkSize}`).toBe(6);
    }
  });

  it('counts replacements exactly when a literal U+FFFD follows a broken sequence', () => {
    const decoder = new CountingUtf8Decoder();
    const bytes = [0xef, 0xbf, 0xef, 0xbf, 0xbd, 0x41];
    let text = '';
    for (const b of bytes) text += decoder.decode(Uint8Array.of(b));
    text += decoder.end();
    expect(text).toBe('\uFFFD\uFFFDA');
    expect(decoder.replaced).toBe(1);
  });

  it('cuts a document longer than maxDocumentChars at whitespace', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    const docs = await readAll(openCorpus(file('long.txt', words), { chunkSize: 5, maxDocumentChars: 16 }));
    expect(docs.length).toBeGreaterThan(4);
    for (const d of docs) expect(d.text.length).toBeLessThanOrEqual(16);
    expect(docs.map((d) => d.text).join(' ')).toBe(words);
  });

  it('refuses an empty file when opened and a whitespace-only file when read', async () => {
    const empty = file('empty.txt', '');
    expect(() => openCorpus(empty)).toThrow(`corpus "text:${empty}" has no text (the file is empty)`);
    const blank = file('blank.txt', ' \n\n\t\n  ');
    await expect(readAll(openCorpus(blank))).rejects.toThrow(`corpus "text:${blank}" has no text`);
  });

  it('reads the file afresh on each pass, resetting stats', async () => {
    const corpus = openCorpus(file('twice.txt', 'a\n\nb'));
    expect((await readAll(corpus)).length).toBe(2);
    expect((await readAll(corpus)).length).toBe(2);
    expect(corpus.stats.documents).toBe(2);
  });
});
