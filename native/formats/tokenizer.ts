import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gpt2VocabToTokenizerJson } from './gpt2-vocab.js';
import type { TokenizerJson } from './gpt2-vocab.js';
import { jsonLimits, readCappedJsonObject } from './strict-json.js';
import { FormatError } from './tensor.js';
import { wrapTokenizer } from './tokenizer-wrap.js';
import { readTokenizerSpec } from './tokenizer-spec.js';
import type { TokenizerKind } from './tokenizer-spec.js';
import { configSpecialTokens } from './tokenizer-special.js';
import { fileKind } from './file-kind.js';

export type TokenizerFormat = 'tokenizer-json' | 'gpt2-vocab';

export interface Tokenizer {
  /** The tokenizer.json file, or the folder holding vocab.json + merges.txt. */
  path: string;
  format: TokenizerFormat;
  /** One more than the largest id, added tokens included. */
  vocabSize: number;
  /** byte-level BPE (GPT-2, NeoX, Llama 3, Qwen) or SentencePiece-style BPE with byte fallback (Gemma, Llama 2, Mistral). */
  kind: TokenizerKind;
  specialTokens: { id: number; content: string }[];
  eosId?: number;
  /**
   * The token a sequence starts with: the post-processor template's first special token (Llama 3
   * <|begin_of_text|>, Gemma <bos>, Mistral <s>), else tokenizer_config.json's bos_token, else the
   * end-of-text token, as GPT-2 and GPT-NeoX were trained.
   */
  bosId?: number;
  /**
   * By default the text's own tokens: special tokens written in the text are matched whole, and no
   * BOS/EOS is added by a post-processor template (callers prepend `bosId` themselves). With
   * `addSpecialTokens`, the tokens Hugging Face's `encode` gives (the template's BOS included, with
   * an empty span at 0).
   */
  encode(
    text: string,
    options?: { addSpecialTokens?: boolean },
  ): {
    /** [nTokens] */ ids: Int32Array;
    /** [nTokens, 2] character offsets [start, end) into `text`, in UTF-16 units (JS string indices) */ offsets: Int32Array;
  };
  decode(ids: ArrayLike<number>): string;
  /**
   * The token as readable text: 'Ġthe' and '▁the' read ' the', a byte token of a whole character
   * reads as it ('<0x0A>' is a newline); one byte of a longer character stays '<0xC3>'.
   */
  tokenText(id: number): string;
  /** The token as the vocabulary spells it ('Ġthe'). */
  idToToken(id: number): string;
}

/** Where the tokenizer files are: a tokenizer.json file, or a folder with tokenizer.json or vocab.json + merges.txt. */
export function findTokenizerFiles(path: string): { format: TokenizerFormat; path: string } | null {
  if (!existsSync(path)) return null;
  const stat = statSync(path);
  if (!stat.isFile() && !stat.isDirectory()) throw new FormatError(path, `is ${fileKind(stat)}, not a tokenizer file or folder`);
  if (stat.isFile()) {
    const name = basename(path);
    if (name === 'vocab.json' || name === 'merges.txt') return findTokenizerFiles(dirname(path));
    return name.endsWith('.json') ? { format: 'tokenizer-json', path } : null;
  }
  if (existsSync(join(path, 'tokenizer.json'))) return { format: 'tokenizer-json', path: join(path, 'tokenizer.json') };
  if (existsSync(join(path, 'vocab.json')) && existsSync(join(path, 'merges.txt'))) return { format: 'gpt2-vocab', path };
  return null;
}

async function readTokenizerJson(path: string): Promise<TokenizerJson> {
  return (await readCappedJsonObject(path, jsonLimits.tokenizer)) as TokenizerJson;
}

/** Loads a BPE tokenizer from a tokenizer.json file or a folder (tokenizer.json, or vocab.json + merges.txt). */
export async function loadTokenizer(path: string): Promise<Tokenizer> {
  if (!existsSync(path)) throw new FormatError(path, 'no such file or folder');
  const files = findTokenizerFiles(path);
  if (files === null)
    throw new FormatError(
      path,
      'no tokenizer here: expected a tokenizer.json file, or a folder with tokenizer.json or vocab.json + merges.txt',
    );
  const json = files.format === 'tokenizer-json' ? await readTokenizerJson(files.path) : await gpt2VocabToTokenizerJson(files.path);
  const spec = readTokenizerSpec(files.path, json);
  const dir = files.format === 'tokenizer-json' ? dirname(files.path) : files.path;
  return wrapTokenizer(files.path, files.format, json, spec, await configSpecialTokens(dir));
}
