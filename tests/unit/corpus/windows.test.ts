import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/index.js';
import type { Tokenizer } from '../../../native/formats/index.js';
import { COARSE_TAGS, TagVocab, coarseBrownTag, openCorpus, readBrownDocument } from '../../../native/corpus/index.js';
import { countedTokens, tokenWindows } from '../../../native/corpus/windows.js';
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

/** Each document's tokens as the windows count them, by document id, in window order. */
function countedByDoc(ws: TokenWindow[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const w of ws) {
    for (let t = 0; t < w.ids.length; t++) {
      if (!w.counted[t]) continue;
      const segment = w.segments.findLast((s) => s.tokenStart <= t)!;
      out.set(segment.docId, [...(out.get(segment.docId) ?? []), w.ids[t]]);
    }
  }
  return out;
}

describe('tokenWindows', () => {
  it('starts every window with the BOS and counts each token of a long document exactly once, after a burn-in of its own document', async () => {
    const docs = [await readBrownDocument('ca01'), await readBrownDocument('ca02')];
    const ws = await windows('brown:ca01-ca02', { contextLength: 128 });
    expect(ws.map((w) => w.index)).toEqual(ws.map((_, i) => i));
    const byDoc = countedByDoc(ws);
    for (const doc of docs) expect(byDoc.get(doc.id)).toEqual(Array.from(tokenizer.encode(doc.text).ids));
    for (const [i, w] of ws.entries()) {
      expect(w.ids[0]).toBe(tokenizer.eosId);
      expect([w.counted[0], w.inDocument[0]]).toEqual([0, 0]);
      expect(w.segments).toHaveLength(1); // Brown documents are longer than a window: none shares one
      expect(Array.from(w.inDocument.subarray(1))).toEqual(new Array(127).fill(1)); // and none is padded
      const firstCounted = w.counted.indexOf(1);
      const docStart = i === 0 || ws[i - 1].docId !== w.docId;
      if (docStart) expect(firstCounted).toBe(1);
      else expect(firstCounted).toBeGreaterThanOrEqual(1 + 16); // the default burn-in for 128 is 16
      for (let t = firstCounted; t < 128; t++) expect(w.counted[t]).toBe(1);
    }
    // The last window of ca01 is aligned to its end: its last token is the document's last.
    const lastOfCa01 = ws.findLast((w) => w.docId === 'ca01')!;
    expect(lastOfCa01.ids[127]).toBe(tokenizer.encode(docs[0].text).ids.at(-1));
  });

  it('gives offsets that cut each token out of the window text and, through segments, out of the document; the BOS is an empty span', async () => {
    const docs = new Map([
      ['ca01', await readBrownDocument('ca01')],
      ['ca02', await readBrownDocument('ca02')],
    ]);
    for (const w of await windows('brown:ca01-ca02', { contextLength: 64 })) {
      expect([w.offsets[0], w.offsets[1]]).toEqual([0, 0]);
      for (let t = 1; t < 64; t++) {
        const [start, end] = [w.offsets[2 * t], w.offsets[2 * t + 1]];
        expect(w.text.slice(start, end)).toBe(tokenizer.decode([w.ids[t]]));
        const segment = w.segments.findLast((s) => s.tokenStart <= t)!;
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
    const [w] = await windows('brown:ca01', { contextLength: 128, tagVocab: vocab, maxTokens: 127 });
    expect(w.tags![0]).toBe(-1);
    let tagged = 0;
    for (let t = 1; t < 128; t++) {
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
    const inside = Array.from(w.ids.keys()).filter((t) => t > 0 && w.offsets[2 * t + 1] > atlanta && w.offsets[2 * t] < atlanta + 9);
    expect(inside.length).toBeGreaterThan(1);
    expect(inside.map((t) => vocab.tagOf(w.tags![t]))).toEqual(inside.map(() => 'np$'));
  });

  it('maps tags through tagMap, e.g. to the coarse classes', async () => {
    const vocab = new TagVocab();
    const ws = await windows('brown:ca01', { contextLength: 128, tagVocab: vocab, tagMap: coarseBrownTag, maxTokens: 500 });
    expect(ws).toHaveLength(5);
    for (const tag of vocab.tags) expect(COARSE_TAGS).toContain(tag);
    expect(vocab.tagOf(ws[0].tags![1])).toBe('det');
  });

  it('counts exactly maxTokens, cutting the last window’s mask', async () => {
    const ws = await windows('brown:ca01', { contextLength: 100, maxTokens: 350 });
    expect(ws.reduce((n, w) => n + countedTokens(w), 0)).toBe(350);
    // 99 after the BOS, then 87 a window after a burn-in of 12 (100 / 8), the last cut to 77.
    expect(ws.map(countedTokens)).toEqual([99, 87, 87, 77]);
    await expect(windows('brown:ca01', { contextLength: 100, maxTokens: 0 })).rejects.toThrow(/maxTokens must be a positive integer/);
  });

  it('re-reads burnIn tokens of the previous window, uncounted', async () => {
    const ws = await windows('brown:ca01', { contextLength: 32, burnIn: 8, maxTokens: 31 * 5 });
    for (let i = 1; i < ws.length; i++) {
      expect(Array.from(ws[i].ids.slice(1, 9))).toEqual(Array.from(ws[i - 1].ids.slice(24)));
      expect(ws[i].counted.indexOf(1)).toBe(9);
    }
    const none = await windows('brown:ca01', { contextLength: 32, burnIn: 0, maxTokens: 31 * 3 });
    expect(Array.from(none[1].ids.slice(1, 2))).toEqual(
      Array.from(tokenizer.encode((await readBrownDocument('ca01')).text).ids.slice(31, 32)),
    );
    await expect(windows('brown:ca01', { contextLength: 32, burnIn: 31 })).rejects.toThrow(/burnIn must be an integer from 0 to 30/);
    await expect(windows('brown:ca01', { contextLength: 1 })).rejects.toThrow(/contextLength must be an integer ≥ 2/);
  });

  it('packs short documents behind one BOS, separated by EOS, and pads the rest (uncounted); no tags for an unannotated corpus', async () => {
    const path = join(tmp.path, 'short.jsonl');
    const texts = ['Hello there.', 'Café 😀 time.', 'A third one, longer than the others.'];
    writeFileSync(path, texts.map((text) => JSON.stringify({ text })).join('\n'));
    const enc = texts.map((t) => Array.from(tokenizer.encode(t).ids));
    const eos = tokenizer.eosId!;
    // Documents 1 and 2 fit with their separator and two positions to spare; document 3 is shorter than a window but does not fit there.
    const L = 1 + enc[0].length + 1 + enc[1].length + 2;
    expect(enc[2].length).toBeGreaterThan(2);
    expect(enc[2].length).toBeLessThan(L - 1);
    const ws = await windows(path, { contextLength: L });
    expect(ws).toHaveLength(2);
    const first = [eos, ...enc[0], eos, ...enc[1]];
    expect(Array.from(ws[0].ids)).toEqual([...first, eos, eos]);
    expect(Array.from(ws[0].counted)).toEqual([0, ...enc[0].map(() => 1), 0, ...enc[1].map(() => 1), 0, 0]);
    expect(Array.from(ws[0].inDocument)).toEqual([0, ...enc[0].map(() => 1), 0, ...enc[1].map(() => 1), 0, 0]);
    expect(ws[0].tags).toBeUndefined();
    expect(ws[0].segments.map((s) => s.docId)).toEqual(['line-1', 'line-2']);
    expect(ws[0].text).toBe(`Hello there.${EOS}Café 😀 time.`);
    expect(countedByDoc(ws).get('line-3')).toEqual(enc[2]);
  });

  it('makes one padded window of a corpus shorter than a window, and fails one with no tokens', async () => {
    const path = join(tmp.path, 'tiny.txt');
    writeFileSync(path, 'Too short.');
    const ws = await windows(path, { contextLength: 128 });
    expect(ws).toHaveLength(1);
    expect(countedTokens(ws[0])).toBe(tokenizer.encode('Too short.').ids.length);
  });

  it('is deterministic', async () => {
    const a = await windows('brown:ca03', { contextLength: 50, maxTokens: 500 });
    const b = await windows('brown:ca03', { contextLength: 50, maxTokens: 500 });
    expect(b).toEqual(a);
  });
});
