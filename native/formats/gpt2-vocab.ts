import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLimits, readCappedJsonObject } from './strict-json.js';
import { FormatError } from './tensor.js';

/** The parts of a Hugging Face `tokenizer.json` that Loupe reads or writes. */
export interface TokenizerJson {
  version?: string;
  added_tokens?: AddedTokenJson[];
  normalizer?: unknown;
  pre_tokenizer?: { type?: string; [key: string]: unknown } | null;
  post_processor?: unknown;
  decoder?: { type?: string; [key: string]: unknown } | null;
  model: { type?: string; vocab?: unknown; merges?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

const END_OF_TEXT = '<|endoftext|>';

function readJsonObject(path: string): Promise<Record<string, unknown>> {
  return readCappedJsonObject(path, jsonLimits.tokenizer);
}

function checkIds(path: string, entries: Record<string, unknown>): Record<string, number> {
  for (const [token, id] of Object.entries(entries)) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw new FormatError(path, `token ${JSON.stringify(token)} has id ${JSON.stringify(id)}, expected a non-negative integer`);
  }
  return entries as Record<string, number>;
}

/** merges.txt: an optional `#version` line, then one merge per line, two tokens separated by one space. */
function parseMerges(path: string, text: string): string[] {
  const merges: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' || (i === 0 && line.startsWith('#version'))) continue;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new FormatError(path, `line ${i + 1} is ${JSON.stringify(line)}, expected two tokens separated by one space`);
    }
    merges.push(line);
  }
  return merges;
}

function addedToken(id: number, content: string): AddedTokenJson {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true };
}

/**
 * GPT-2's original files (`vocab.json` + `merges.txt`, plus `added_tokens.json` if present) as the
 * `tokenizer.json` that Hugging Face's converter builds from them: byte-level BPE with GPT-2's
 * pre-tokenizer regex and `<|endoftext|>` as a special token. One encoding path then serves both layouts.
 */
export async function gpt2VocabToTokenizerJson(dir: string): Promise<TokenizerJson> {
  const vocabPath = join(dir, 'vocab.json');
  const mergesPath = join(dir, 'merges.txt');
  const vocab = checkIds(vocabPath, await readJsonObject(vocabPath));
  const merges = parseMerges(mergesPath, await readFile(mergesPath, 'utf8'));
  const added: AddedTokenJson[] = [];
  if (Object.hasOwn(vocab, END_OF_TEXT)) added.push(addedToken(vocab[END_OF_TEXT], END_OF_TEXT));
  const addedPath = join(dir, 'added_tokens.json');
  if (existsSync(addedPath)) {
    for (const [content, id] of Object.entries(checkIds(addedPath, await readJsonObject(addedPath)))) {
      if (content !== END_OF_TEXT) added.push(addedToken(id, content));
    }
  }
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}
