import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';

/** tokenizer.json files Loupe cannot follow, each refused with what the file holds named. */
const GEMMA = fileURLToPath(new URL('../../../../shared/fixtures/families/gemma2-tiny/tokenizer.json', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'loupe-tokenizer-refusals-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** Gemma's tokenizer.json with `edit` applied, written to a fresh file. */
function edited(edit: (json: Record<string, unknown> & { model: Record<string, unknown> }) => void): string {
  const json = JSON.parse(readFileSync(GEMMA, 'utf8')) as Record<string, unknown> & { model: Record<string, unknown> };
  edit(json);
  const file = join(root, `tokenizer-${n++}.json`);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

describe('loadTokenizer refuses tokenizers it cannot follow', () => {
  it('names a Unigram model', async () => {
    const file = edited((json) => {
      json.model = {
        type: 'Unigram',
        unk_id: 0,
        vocab: [
          ['<unk>', 0],
          ['a', -1],
        ],
        byte_fallback: true,
      };
    });
    await expect(loadTokenizer(file)).rejects.toThrow(
      /tokenizer-\d+\.json: model type is "Unigram"; Loupe reads byte-level BPE .*SentencePiece-style BPE with byte fallback/,
    );
  });
  it('names a WordPiece model', async () => {
    const file = edited((json) => {
      json.model = {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab: { '[UNK]': 0 },
      };
    });
    await expect(loadTokenizer(file)).rejects.toThrow(/model type is "WordPiece"/);
  });
  it('names a SentencePiece-style BPE without byte fallback', async () => {
    const file = edited((json) => {
      json.model.byte_fallback = false;
    });
    await expect(loadTokenizer(file)).rejects.toThrow(
      /BPE model with no pre_tokenizer and no byte fallback: neither byte-level nor SentencePiece-style/,
    );
  });
  it('names a normalizer whose alignments it does not follow', async () => {
    const file = edited((json) => {
      json.normalizer = {
        type: 'Sequence',
        normalizers: [
          { type: 'NFC' },
          { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
        ],
      };
    });
    await expect(loadTokenizer(file)).rejects.toThrow(
      /normalizer "BertNormalizer" is not supported: Loupe follows NFC, NFD, NFKC, NFKD, Replace \(of a string\), Prepend, Lowercase and Sequence/,
    );
  });
  it('names a regex Replace normalizer', async () => {
    const file = edited((json) => {
      json.normalizer = { type: 'Replace', pattern: { Regex: ' +' }, content: '▁' };
    });
    await expect(loadTokenizer(file)).rejects.toThrow(/normalizer Replace of a regex is not supported/);
  });
  it('names a pre-tokenizer that drops text (Whitespace)', async () => {
    const file = edited((json) => {
      json.pre_tokenizer = { type: 'Whitespace' };
    });
    await expect(loadTokenizer(file)).rejects.toThrow(/pre_tokenizer "Whitespace" is not supported/);
  });
  it('says when there is no model object', async () => {
    const file = edited((json) => {
      delete (json as Record<string, unknown>).model;
    });
    await expect(loadTokenizer(file)).rejects.toThrow(/no "model" object: not a tokenizer\.json/);
  });
});
