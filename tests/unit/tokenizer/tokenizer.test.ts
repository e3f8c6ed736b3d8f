import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import type { Tokenizer } from '../../../native/formats/tokenizer.js';
import { EOT, ID, MERGES, tinyVocab, writeTinyTokenizerJson, writeTinyVocabFiles } from './tiny-bpe.js';

const root = mkdtempSync(join(tmpdir(), 'loupe-tokenizer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** [text, ids, offsets as [start, end] pairs], worked out by hand from the merges in tiny-bpe.ts. */
const CASES: [string, number[], [number, number][]][] = [
  [
    'the cat',
    [116, ID.he, 32, 99, 97, 116],
    [
      [0, 1],
      [1, 3],
      [3, 4],
      [4, 5],
      [5, 6],
      [6, 7],
    ],
  ],
  [
    ' the end',
    [ID.Gthe, 32, 101, 110, 100],
    [
      [0, 4],
      [4, 5],
      [5, 6],
      [6, 7],
      [7, 8],
    ],
  ],
  [
    'café\n\nthe',
    [99, 97, 102, ID.eAcute, 10, 10, 116, ID.he],
    [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 6],
      [6, 7],
      [7, 9],
    ],
  ],
  [
    'x\n\n',
    [120, ID.NN],
    [
      [0, 1],
      [1, 3],
    ],
  ],
  // 中 is E4 B8 AD and 文 E6 96 87: each byte token keeps its whole character's span.
  [
    '中文',
    [ID.cjkLead, 0xad, 0xe6, 0x96, 0x87],
    [
      [0, 1],
      [0, 1],
      [1, 2],
      [1, 2],
      [1, 2],
    ],
  ],
  // 😀 is F0 9F 98 80 and two UTF-16 units; the merged lead bytes end mid-character.
  [
    'a😀b',
    [97, ID.emojiLead, 0x98, 0x80, 98],
    [
      [0, 1],
      [1, 3],
      [1, 3],
      [1, 3],
      [3, 4],
    ],
  ],
  [
    'a   ',
    [97, ID.GG, 32],
    [
      [0, 1],
      [1, 3],
      [3, 4],
    ],
  ],
  [
    `the${EOT} the`,
    [116, ID.he, ID.eot, ID.Gthe],
    [
      [0, 1],
      [1, 3],
      [3, 16],
      [16, 20],
    ],
  ],
  ['', [], []],
];

function pairs(offsets: Int32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < offsets.length; i += 2) out.push([offsets[i], offsets[i + 1]]);
  return out;
}

function checkCases(load: () => Promise<Tokenizer>): void {
  for (const [text, ids, offsets] of CASES) {
    it(`encodes ${JSON.stringify(text)} to the expected ids and character offsets`, async () => {
      const tokenizer = await load();
      const encoded = tokenizer.encode(text);
      expect(Array.from(encoded.ids)).toEqual(ids);
      expect(pairs(encoded.offsets)).toEqual(offsets);
      expect(tokenizer.decode(encoded.ids)).toBe(text);
    });
  }
  it('reports vocabulary size, special tokens and EOS', async () => {
    const tokenizer = await load();
    expect(tokenizer.vocabSize).toBe(ID.eot + 1);
    expect(tokenizer.specialTokens).toEqual([{ id: ID.eot, content: EOT }]);
    expect(tokenizer.eosId).toBe(ID.eot);
  });
  it('shows byte-level tokens as readable text', async () => {
    const tokenizer = await load();
    expect(tokenizer.idToToken(ID.Gthe)).toBe('Ġthe');
    expect(tokenizer.tokenText(ID.Gthe)).toBe(' the');
    expect(tokenizer.tokenText(10)).toBe('\n');
    expect(tokenizer.tokenText(ID.eAcute)).toBe('é');
    expect(tokenizer.tokenText(ID.emojiLead)).toBe('\uFFFD');
    expect(tokenizer.tokenText(ID.eot)).toBe(EOT);
  });
}

describe('loadTokenizer on a GPT-2 style tokenizer.json', () => {
  const dir = folder('json');
  const file = writeTinyTokenizerJson(dir);
  checkCases(() => loadTokenizer(file));
  it('finds tokenizer.json inside a folder', async () => {
    const tokenizer = await loadTokenizer(dir);
    expect(tokenizer.format).toBe('tokenizer-json');
    expect(tokenizer.path).toBe(file);
  });
  it('rejects an id outside the vocabulary, naming it', async () => {
    const tokenizer = await loadTokenizer(file);
    expect(() => tokenizer.idToToken(9999)).toThrow(/token id 9999 is not in the vocabulary .* \(size 265\)/);
    expect(() => tokenizer.decode([1, 9999])).toThrow(/9999/);
  });
  it('gives a lone surrogate, which UTF-8 writes as U+FFFD, its own one-unit span', async () => {
    const tokenizer = await loadTokenizer(file);
    const encoded = tokenizer.encode('a\uD800b');
    expect(Array.from(encoded.ids)).toEqual([97, 0xef, 0xbf, 0xbd, 98]);
    expect(pairs(encoded.offsets)).toEqual([
      [0, 1],
      [1, 2],
      [1, 2],
      [1, 2],
      [2, 3],
    ]);
  });
});

describe('loadTokenizer on GPT-2 vocab.json + merges.txt', () => {
  const dir = folder('vocab');
  writeTinyVocabFiles(dir);
  checkCases(() => loadTokenizer(dir));
  it('accepts the path of vocab.json itself and reports the gpt2-vocab format', async () => {
    const tokenizer = await loadTokenizer(join(dir, 'vocab.json'));
    expect(tokenizer.format).toBe('gpt2-vocab');
    expect(tokenizer.path).toBe(dir);
  });
});

describe('loadTokenizer with add_prefix_space', () => {
  const file = writeTinyTokenizerJson(folder('prefix'), (json) => {
    (json.pre_tokenizer as { add_prefix_space: boolean }).add_prefix_space = true;
  });
  it('gives the added space no width: each piece between special tokens starts where its text does', async () => {
    const tokenizer = await loadTokenizer(file);
    const encoded = tokenizer.encode(`the${EOT}the`);
    expect(Array.from(encoded.ids)).toEqual([ID.Gthe, ID.eot, ID.Gthe]);
    expect(pairs(encoded.offsets)).toEqual([
      [0, 3],
      [3, 16],
      [16, 19],
    ]);
  });
});

describe('loadTokenizer on newer tokenizer.json files', () => {
  it('reads merges written as [left, right] pairs the same as "left right" strings', async () => {
    const file = writeTinyTokenizerJson(folder('pair-merges'), (json) => {
      (json.model as { merges: unknown }).merges = MERGES.map((m) => m.split(' '));
    });
    const encoded = (await loadTokenizer(file)).encode(' the café');
    expect(Array.from(encoded.ids)).toEqual([ID.Gthe, 32, 99, 97, 102, ID.eAcute]);
  });
});

describe('loadTokenizer rejects what it cannot read', () => {
  it('refuses a WordPiece model, naming the model type', async () => {
    const file = writeTinyTokenizerJson(folder('wordpiece'), (json) => {
      json.model = {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab: { '[UNK]': 0, a: 1 },
      };
    });
    await expect(loadTokenizer(file)).rejects.toThrow(
      /model type is "WordPiece"; Loupe reads byte-level BPE .* and SentencePiece-style BPE with byte fallback/,
    );
  });
  it('refuses a BPE model whose pre-tokenizer is not byte-level and that has no byte fallback, naming the pre-tokenizer', async () => {
    const file = writeTinyTokenizerJson(folder('metaspace'), (json) => {
      json.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
    });
    await expect(loadTokenizer(file)).rejects.toThrow(
      /BPE model with pre_tokenizer "Metaspace" and no byte fallback: neither byte-level nor SentencePiece-style/,
    );
  });
  it('refuses a merges.txt line that is not two tokens, naming the line', async () => {
    const dir = folder('bad-merges');
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(tinyVocab()));
    writeFileSync(join(dir, 'merges.txt'), `#version: 0.2\n${MERGES[0]}\nh e x\n`);
    await expect(loadTokenizer(dir)).rejects.toThrow(/merges\.txt: line 3 is "h e x", expected two tokens/);
  });
  it('refuses a vocab.json id that is not an integer, naming the token', async () => {
    const dir = folder('bad-vocab');
    writeTinyVocabFiles(dir);
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify({ ...tinyVocab(), oops: 'x' }));
    await expect(loadTokenizer(dir)).rejects.toThrow(/token "oops" has id "x"/);
  });
  it('refuses malformed JSON, naming the file', async () => {
    const dir = folder('bad-json');
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
    await expect(loadTokenizer(dir)).rejects.toThrow(/tokenizer\.json: not valid JSON/);
  });
  it('says what it expected in a folder without tokenizer files', async () => {
    await expect(loadTokenizer(folder('empty'))).rejects.toThrow(
      /no tokenizer here: expected a tokenizer\.json file, or a folder with tokenizer\.json or vocab\.json \+ merges\.txt/,
    );
  });
  it('says when the path does not exist', async () => {
    await expect(loadTokenizer(join(root, 'missing'))).rejects.toThrow(/missing: no such file or folder/);
  });
});
