import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/index.js';
import type { Tokenizer } from '../../../native/formats/index.js';
import { COARSE_TAGS, TagVocab, coarseBrownTag, openCorpus, readBrownDocument } from '../../../native/corpus/index.js';
import type { CorpusDocument } from '../../../native/corpus/index.js';
import { tokenWindows } from '../../../native/corpus/windows.js';
import type { TokenWindow, TokenWindowOptions } from '../../../native/corpus/windows.js';
import { tempDir } from '../../helpers/tmp.js';
import { SHARED } from '../../helpers/shared.js';

const DEMO_TOKENIZER = `${SHARED}/demo-model/tokenizer.json`;
const EOS = '<|endoftext|>';
let tokenizer: Tokenizer;
const tmp = tempDir('corpus-windows');
beforeAll(async () => {
  tokenizer = await loadTokenizer(DEMO_TOKENIZER);
});
afterAll(() => tmp.cleanup());

async function windows(spec: string, options: TokenWindowOptions): Promise<TokenWindow[]> {
  const out: TokenWindow[] = [];
  for await (const w of tokenWindows(openCorpus(spec), tokenizer, options)) out.push(w);
  return out;
}

/** The packed stream: doc₀ ids, EOS, doc₁ ids, EOS … */
function stream(docs: CorpusDocument[]): number[] {
  return docs.flatMap((d) => [...tokenizer.encode(d.text).ids, tokenizer.eosId!]);
}

describe('tokenWindows', () => {
  it('packs Brown documents behind EOS into windows whose ids are the tokenizer encoding', async () => {
    const docs = [await readBrownDocument('ca01'), await readBrownDocument('ca02')];
    const ws = await windows('brown:ca01-ca02', { contextLength: 128 });
    const expected = stream(docs);
    expect(ws).toHaveLength(Math.floor(expected.length / 128));
    expect(ws.flatMap((w) => Array.from(w.ids))).toEqual(expected.slice(0, ws.length * 128));
    expect(ws.map((w) => w.index)).toEqual(ws.map((_, i) => i));
    const boundary = ws.find((w) => w.segments.length === 2)!;
    expect(boundary.segments.map((s) => s.docId)).toEqual(['ca01', 'ca02']);
    expect(boundary.text).toContain(`trouble".\n${EOS}Austin, Texas\n-- Committee`);
  });

  it('gives offsets that cut each token out of the window text and, through segments, out of the document', async () => {
    const docs = new Map([['ca01', await readBrownDocument('ca01')], ['ca02', await readBrownDocument('ca02')]]);
    for (const w of await windows('brown:ca01-ca02', { contextLength: 64 })) {
      for (let t = 0; t < 64; t++) {
        const [start, end] = [w.offsets[2 * t], w.offsets[2 * t + 1]];
        expect(w.text.slice(start, end)).toBe(tokenizer.decode([w.ids[t]]));
        const segment = w.segments.findLast((s) => s.tokenStart <= t);
        if (w.ids[t] === tokenizer.eosId || !segment) continue;
        const doc = docs.get(segment.docId)!;
        const shift = segment.docStart - segment.textStart;
        expect(doc.text.slice(start + shift, end + shift)).toBe(w.text.slice(start, end));
      }
      expect(w.docId).toBe(w.segments[0].docId);
    }
  });

  it('tags each token with the part of speech of the word it belongs to', async () => {
    const vocab = new TagVocab();
    const doc = await readBrownDocument('ca01');
    const [w] = await windows('brown:ca01', { contextLength: 128, tagVocab: vocab, maxTokens: 128 });
    let tagged = 0;
    for (let t = 0; t < 128; t++) {
      const [start, end] = [w.offsets[2 * t], w.offsets[2 * t + 1]];
      const tag = w.tags![t] < 0 ? null : vocab.tagOf(w.tags![t]);
      const text = w.text.slice(start, end);
      if (text.trim() === '') {
        expect(tag, `whitespace token ${JSON.stringify(text)}`).toBeNull();
        continue;
      }
      // Window 0 starts at the document's start, so window offsets are document offsets.
      const first = start + text.length - text.trimStart().length;
      const word = doc.annotations!.find((a) => a.start <= first && first < a.end)!;
      tagged++;
      expect(tag, `token ${JSON.stringify(text)} in ${JSON.stringify(doc.text.slice(word.start, word.end))}`).toBe(word.tag);
    }
    expect(tagged).toBeGreaterThan(100);
    // "Atlanta's" is one Brown word: every token of it carries np$.
    const atlanta = w.text.indexOf("Atlanta's");
    const inside = Array.from(w.ids.keys()).filter((t) => w.offsets[2 * t + 1] > atlanta && w.offsets[2 * t] < atlanta + 9);
    expect(inside.length).toBeGreaterThan(1);
    expect(inside.map((t) => vocab.tagOf(w.tags![t]))).toEqual(inside.map(() => 'np$'));
  });

  it('maps tags through tagMap, e.g. to the coarse classes', async () => {
    const vocab = new TagVocab();
    const ws = await windows('brown:ca01', { contextLength: 128, tagVocab: vocab, tagMap: coarseBrownTag, maxTokens: 512 });
    expect(ws).toHaveLength(4);
    for (const tag of vocab.tags) expect(COARSE_TAGS).toContain(tag);
    expect(vocab.tagOf(ws[0].tags![0])).toBe('det');
  });

  it('stops at maxTokens and refuses less than one window', async () => {
    expect(await windows('brown:ca01', { contextLength: 100, maxTokens: 350 })).toHaveLength(3);
    await expect(windows('brown:ca01', { contextLength: 100, maxTokens: 99 })).rejects.toThrow(/maxTokens must be an integer of at least one window \(100 tokens\)/);
  });

  it('overlaps windows by contextLength - stride and can start each with EOS', async () => {
    const strided = await windows('brown:ca01', { contextLength: 32, stride: 8, maxTokens: 32 * 5 });
    for (let i = 1; i < strided.length; i++) expect(Array.from(strided[i].ids.slice(0, 24))).toEqual(Array.from(strided[i - 1].ids.slice(8)));
    const withEos = await windows('brown:ca01', { contextLength: 32, prependEos: true, maxTokens: 64 });
    expect(withEos.map((w) => w.ids[0])).toEqual([tokenizer.eosId, tokenizer.eosId]);
    expect(withEos[0].text.startsWith(`${EOS}The Fulton`)).toBe(true);
    expect(Array.from(withEos[1].ids.slice(1))).toEqual(stream([await readBrownDocument('ca01')]).slice(31, 62));
    await expect(windows('brown:ca01', { contextLength: 32, stride: 40 })).rejects.toThrow(/stride must be an integer from 1 to 32/);
  });

  it('packs short documents together and has no tags for an unannotated corpus', async () => {
    const path = join(tmp.path, 'short.jsonl');
    writeFileSync(path, ['Hello there.', 'Café 😀 time.', 'A third one, longer than the others.'].map((text) => JSON.stringify({ text })).join('\n'));
    const ws = await windows(path, { contextLength: 8 });
    const docs = ['Hello there.', 'Café 😀 time.', 'A third one, longer than the others.'].map((text, i) => ({ id: `line-${i + 1}`, text }));
    expect(ws.flatMap((w) => Array.from(w.ids))).toEqual(stream(docs).slice(0, ws.length * 8));
    expect(ws[0].tags).toBeUndefined();
    expect(ws[0].segments.map((s) => s.docId)).toEqual(['line-1', 'line-2']);
    expect(ws[0].text.startsWith(`Hello there.${EOS}`)).toBe(true);
  });

  it('fails a corpus shorter than one window', async () => {
    const path = join(tmp.path, 'tiny.txt');
    writeFileSync(path, 'Too short.');
    const tokens = tokenizer.encode('Too short.').ids.length + 1;
    await expect(windows(path, { contextLength: 128 })).rejects.toThrow(`corpus "text:${path}" makes ${tokens} tokens (EOS separators included), fewer than one window of 128`);
  });

  it('is deterministic', async () => {
    const a = await windows('brown:ca03', { contextLength: 50, maxTokens: 500 });
    const b = await windows('brown:ca03', { contextLength: 50, maxTokens: 500 });
    expect(b).toEqual(a);
  });
});
