import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { byteLevelToText, tokenBytes } from './byte-level.js';
import { gpt2VocabToTokenizerJson } from './gpt2-vocab.js';
import type { TokenizerJson } from './gpt2-vocab.js';
import { jsonLimits, readCappedJson, readCappedJsonObject } from './strict-json.js';
import { FormatError } from './tensor.js';
import { tokenOffsets } from './tokenizer-offsets.js';

export type TokenizerFormat = 'tokenizer-json' | 'gpt2-vocab';

export interface Tokenizer {
  /** The tokenizer.json file, or the folder holding vocab.json + merges.txt. */
  path: string;
  format: TokenizerFormat;
  /** One more than the largest id, added tokens included. */
  vocabSize: number;
  specialTokens: { id: number; content: string }[];
  eosId?: number;
  /**
   * The text's own tokens: special tokens written in the text are matched whole, and no BOS/EOS is
   * added by a post-processor template (callers prepend `eosId` themselves, as GPT-2 training does).
   */
  encode(text: string): {
    /** [nTokens] */ ids: Int32Array;
    /** [nTokens, 2] character offsets [start, end) into `text`, in UTF-16 units (JS string indices) */ offsets: Int32Array;
  };
  decode(ids: ArrayLike<number>): string;
  /** The token as readable text: byte-level characters mapped back, so 'Ġthe' reads ' the'. */
  tokenText(id: number): string;
  /** The token as the vocabulary spells it ('Ġthe'). */
  idToToken(id: number): string;
}

const BYTE_LEVEL_ONLY = 'Loupe reads byte-level BPE tokenizers (GPT-2 style) only';

/** Where the tokenizer files are: a tokenizer.json file, or a folder with tokenizer.json or vocab.json + merges.txt. */
export function findTokenizerFiles(path: string): { format: TokenizerFormat; path: string } | null {
  if (!existsSync(path)) return null;
  if (statSync(path).isFile()) {
    const name = basename(path);
    if (name === 'vocab.json' || name === 'merges.txt') return findTokenizerFiles(dirname(path));
    return name.endsWith('.json') ? { format: 'tokenizer-json', path } : null;
  }
  if (existsSync(join(path, 'tokenizer.json'))) return { format: 'tokenizer-json', path: join(path, 'tokenizer.json') };
  if (existsSync(join(path, 'vocab.json')) && existsSync(join(path, 'merges.txt'))) return { format: 'gpt2-vocab', path };
  return null;
}

type PreTokenizerJson = { type?: string; pretokenizers?: PreTokenizerJson[]; add_prefix_space?: boolean };

function findByteLevel(pre: PreTokenizerJson | null | undefined): PreTokenizerJson | null {
  if (!pre) return null;
  if (pre.type === 'ByteLevel') return pre;
  if (pre.type === 'Sequence') return (pre.pretokenizers ?? []).map(findByteLevel).find((p) => p !== null) ?? null;
  return null;
}

/** Refuses what the byte-offset walk cannot follow, naming what the file holds instead. */
function checkByteLevelBpe(path: string, json: TokenizerJson): PreTokenizerJson {
  if (!json.model || typeof json.model !== 'object') throw new FormatError(path, 'no "model" object: not a tokenizer.json');
  const type = json.model.type ?? (json.model.merges !== undefined ? 'BPE' : 'unknown');
  if (type !== 'BPE') throw new FormatError(path, `model type is "${type}"; ${BYTE_LEVEL_ONLY}`);
  const byteLevel = findByteLevel(json.pre_tokenizer as PreTokenizerJson | null | undefined);
  if (byteLevel === null) {
    const found = json.pre_tokenizer ? `"${String(json.pre_tokenizer.type)}"` : 'missing';
    throw new FormatError(path, `BPE model with pre_tokenizer ${found}, not ByteLevel; ${BYTE_LEVEL_ONLY}`);
  }
  return byteLevel;
}

async function readTokenizerJson(path: string): Promise<TokenizerJson> {
  return (await readCappedJsonObject(path, jsonLimits.tokenizer)) as TokenizerJson;
}

/** The EOS token named by a sibling tokenizer_config.json, else GPT-2's <|endoftext|>. */
async function eosToken(dir: string): Promise<string> {
  const configPath = join(dir, 'tokenizer_config.json');
  if (existsSync(configPath)) {
    try {
      const eos = (await readCappedJsonObject(configPath, jsonLimits.config)).eos_token;
      if (typeof eos === 'string') return eos;
      if (eos && typeof eos === 'object' && typeof (eos as { content?: unknown }).content === 'string') return (eos as { content: string }).content;
    } catch {
      // A broken tokenizer_config.json only costs us the EOS hint; the tokenizer itself is tokenizer.json.
    }
  }
  return '<|endoftext|>';
}

/** Loads a byte-level BPE tokenizer from a tokenizer.json file or a folder (tokenizer.json, or vocab.json + merges.txt). */
export async function loadTokenizer(path: string): Promise<Tokenizer> {
  if (!existsSync(path)) throw new FormatError(path, 'no such file or folder');
  const files = findTokenizerFiles(path);
  if (files === null) throw new FormatError(path, 'no tokenizer here: expected a tokenizer.json file, or a folder with tokenizer.json or vocab.json + merges.txt');
  const json = files.format === 'tokenizer-json' ? await readTokenizerJson(files.path) : await gpt2VocabToTokenizerJson(files.path);
  const byteLevel = checkByteLevelBpe(files.path, json);
  const dir = files.format === 'tokenizer-json' ? dirname(files.path) : files.path;
  return wrapTokenizer(files.path, files.format, json, byteLevel.add_prefix_space === true, await eosToken(dir));
}

function wrapTokenizer(path: string, format: TokenizerFormat, json: TokenizerJson, addPrefixSpace: boolean, eos: string): Tokenizer {
  json.added_tokens ??= [];
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(json, {});
  } catch (e) {
    throw new FormatError(path, `cannot build the tokenizer: ${(e as Error).message}`);
  }
  const added = new Set(json.added_tokens.map((t) => t.content));
  const bytesCache = new Map<string, Uint8Array | null>();
  const view = {
    addPrefixSpace,
    isAddedToken: (token: string) => added.has(token),
    bytesOf(token: string) {
      let bytes = bytesCache.get(token);
      if (bytes === undefined) bytesCache.set(token, (bytes = tokenBytes(token)));
      return bytes;
    },
  };
  let vocabSize = 0;
  for (const id of hf.get_vocab(true).values()) vocabSize = Math.max(vocabSize, id + 1);
  const idToToken = (id: number): string => {
    const token = Number.isInteger(id) ? hf.id_to_token(id) : undefined;
    if (token === undefined) throw new RangeError(`token id ${id} is not in the vocabulary of ${path} (size ${vocabSize})`);
    return token;
  };
  return {
    path,
    format,
    vocabSize,
    specialTokens: json.added_tokens.filter((t) => t.special).map((t) => ({ id: t.id, content: t.content })),
    eosId: hf.token_to_id(eos),
    encode(text) {
      const { ids, tokens } = hf.encode(text, { add_special_tokens: false });
      const missing = ids.findIndex((id: number | undefined) => id === undefined);
      if (missing >= 0) throw new FormatError(path, `no id for token ${JSON.stringify(tokens[missing])}: the vocabulary lacks a byte this text needs`);
      return { ids: Int32Array.from(ids), offsets: tokenOffsets(text, tokens, view) };
    },
    decode(ids) {
      const list = Array.from(ids, (id) => (idToToken(id), id));
      return list.length === 0 ? '' : hf.decode(list, { clean_up_tokenization_spaces: false });
    },
    tokenText(id) {
      const token = idToToken(id);
      return added.has(token) ? token : byteLevelToText(token);
    },
    idToToken,
  };
}
