import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A tiny byte-level BPE in GPT-2's layout, written out by hand so the tests do not derive their
 * expectations from the code under test. Ids 0..255 are single bytes (id = byte value); the merges
 * below add ids 256..263; <|endoftext|> is 264.
 */
/** GPT-2's bytes_to_unicode, written independently of native/formats/byte-level.ts. */
export function gpt2ByteChars(): string[] {
  const keep = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const chars: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) chars.push(keep(b) ? String.fromCharCode(b) : String.fromCharCode(256 + shifted++));
  return chars;
}

export const MERGES = ['Ġ t', 'h e', 'Ġt he', 'Ã ©', 'ð Ł', 'ä ¸', 'Ġ Ġ', 'Ċ Ċ'];
export const ID = { Gt: 256, he: 257, Gthe: 258, eAcute: 259, emojiLead: 260, cjkLead: 261, GG: 262, NN: 263, eot: 264 } as const;
export const EOT = '<|endoftext|>';

export function tinyVocab(): Record<string, number> {
  const vocab: Record<string, number> = {};
  gpt2ByteChars().forEach((c, b) => (vocab[c] = b));
  MERGES.forEach((m, i) => (vocab[m.replace(' ', '')] = 256 + i));
  vocab[EOT] = ID.eot;
  return vocab;
}

/** tokenizer.json as Hugging Face's tokenizers library saves a GPT-2 tokenizer. */
export function tinyTokenizerJson(): Record<string, unknown> {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: ID.eot, content: EOT, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, add_prefix_space: true, trim_offsets: false },
    decoder: { ...byteLevel, add_prefix_space: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: tinyVocab(),
      merges: MERGES,
    },
  };
}

export function writeTinyTokenizerJson(dir: string, edit?: (json: Record<string, unknown>) => void): string {
  const json = tinyTokenizerJson();
  edit?.(json);
  const path = join(dir, 'tokenizer.json');
  writeFileSync(path, JSON.stringify(json));
  return path;
}

/** The same tokenizer as GPT-2's original vocab.json + merges.txt. */
export function writeTinyVocabFiles(dir: string): void {
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(tinyVocab()));
  writeFileSync(join(dir, 'merges.txt'), `#version: 0.2\n${MERGES.join('\n')}\n`);
}
