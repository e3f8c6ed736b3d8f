import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { AddedTokenSplitter } from './added-split.js';
import type { AddedTokenRule } from './added-split.js';
import { byteLevelToText, tokenBytes } from './byte-level.js';
import type { TokenizerJson } from './gpt2-vocab.js';
import { FormatError } from './tensor.js';
import type { Tokenizer, TokenizerFormat } from './tokenizer.js';
import { tokenOffsets } from './tokenizer-offsets.js';
import type { OffsetTokenizerView } from './tokenizer-offsets.js';
import type { TokenizerSpec } from './tokenizer-spec.js';
import { EOS_NAMES } from './tokenizer-special.js';

/** SentencePiece's byte-fallback token for one byte. */
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

function addedSplitters(hf: HfTokenizer, json: TokenizerJson): { raw: AddedTokenSplitter; normalized: AddedTokenSplitter } {
  const raw: AddedTokenRule[] = [];
  const normalized: AddedTokenRule[] = [];
  for (const t of json.added_tokens ?? []) {
    const rule = { content: t.content, lstrip: t.lstrip === true, rstrip: t.rstrip === true };
    // As @huggingface/tokenizers sorts them: `normalized` defaults to !special, and only counts with a normalizer.
    const isNormalized = (t.normalized ?? !t.special) && hf.normalizer !== null;
    if (isNormalized && hf.normalizer) normalized.push({ ...rule, content: hf.normalizer(t.content) });
    else raw.push(rule);
  }
  return { raw: new AddedTokenSplitter(raw), normalized: new AddedTokenSplitter(normalized) };
}

/** What the UTF-8 bytes of each token are, by kind. */
function bytesOfToken(spec: TokenizerSpec, byteFallback: boolean): (token: string) => Uint8Array | null {
  const cache = new Map<string, Uint8Array | null>();
  const encoder = new TextEncoder();
  const compute = (token: string): Uint8Array | null => {
    if (spec.kind === 'byte-level') return tokenBytes(token);
    const byte = byteFallback ? BYTE_TOKEN.exec(token) : null;
    return byte ? Uint8Array.of(parseInt(byte[1], 16)) : encoder.encode(token);
  };
  return (token) => {
    let bytes = cache.get(token);
    if (bytes === undefined) cache.set(token, (bytes = compute(token)));
    return bytes;
  };
}

function idOf(hf: HfTokenizer, name: string | null | undefined): number | undefined {
  return name === null || name === undefined ? undefined : hf.token_to_id(name);
}

function sameTokens(a: readonly string[], from: number, b: readonly string[]): boolean {
  if (from + b.length > a.length) return false;
  for (let i = 0; i < b.length; i++) if (a[from + i] !== b[i]) return false;
  return true;
}

/** Builds the Tokenizer over @huggingface/tokenizers, with offsets and readable token text of our own. */
export function wrapTokenizer(
  path: string,
  format: TokenizerFormat,
  json: TokenizerJson,
  spec: TokenizerSpec,
  config: { bos?: string; eos?: string },
): Tokenizer {
  json.added_tokens ??= [];
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(json, {});
  } catch (e) {
    throw new FormatError(path, `cannot build the tokenizer: ${(e as Error).message}`);
  }
  const added = new Set(json.added_tokens.map((t) => t.content));
  const splitters = addedSplitters(hf, json);
  const byteFallback = json.model.byte_fallback === true;
  const view: OffsetTokenizerView = {
    spec,
    rawAdded: splitters.raw,
    normalizedAdded: splitters.normalized,
    bytesOf: bytesOfToken(spec, byteFallback),
  };
  let vocabSize = 0;
  for (const id of hf.get_vocab(true).values()) vocabSize = Math.max(vocabSize, id + 1);
  const idToToken = (id: number): string => {
    const token = Number.isInteger(id) ? hf.id_to_token(id) : undefined;
    if (token === undefined) throw new RangeError(`token id ${id} is not in the vocabulary of ${path} (size ${vocabSize})`);
    return token;
  };
  const checkedIds = (ids: (number | undefined)[], tokens: string[]): Int32Array => {
    const missing = ids.findIndex((id) => id === undefined);
    if (missing >= 0)
      throw new FormatError(path, `no id for token ${JSON.stringify(tokens[missing])}: the vocabulary lacks a byte this text needs`);
    return Int32Array.from(ids as number[]);
  };
  const eosId = idOf(hf, config.eos) ?? EOS_NAMES.map((name) => hf.token_to_id(name)).find((id) => id !== undefined);
  const space = spec.metaspace?.replacement ?? '▁';
  return {
    path,
    format,
    kind: spec.kind,
    vocabSize,
    specialTokens: json.added_tokens.filter((t) => t.special).map((t) => ({ id: t.id, content: t.content })),
    eosId,
    bosId: idOf(hf, spec.templateBos) ?? idOf(hf, config.bos) ?? eosId,
    encode(text, options) {
      const own = hf.encode(text, { add_special_tokens: false });
      const offsets = tokenOffsets(text, own.tokens, view);
      if (options?.addSpecialTokens !== true) return { ids: checkedIds(own.ids, own.tokens), offsets };
      const all = hf.encode(text, { add_special_tokens: true });
      // The template's tokens are not in the text: empty spans at 0, as Hugging Face gives them.
      let at = spec.templatePrefix;
      if (!sameTokens(all.tokens, at, own.tokens))
        at = Math.max(
          0,
          all.tokens.findIndex((_: string, k: number) => sameTokens(all.tokens, k, own.tokens)),
        );
      const withSpecial = new Int32Array(all.tokens.length * 2);
      withSpecial.set(offsets.subarray(0, Math.min(offsets.length, withSpecial.length - 2 * at)), 2 * at);
      return { ids: checkedIds(all.ids, all.tokens), offsets: withSpecial };
    },
    decode(ids) {
      const list = Array.from(ids, (id) => (idToToken(id), id));
      return list.length === 0 ? '' : hf.decode(list, { clean_up_tokenization_spaces: false });
    },
    tokenText(id) {
      const token = idToToken(id);
      const byte = byteFallback ? BYTE_TOKEN.exec(token) : null;
      if (byte) {
        const b = parseInt(byte[1], 16);
        return b < 0x80 ? String.fromCharCode(b) : token;
      }
      if (added.has(token)) return token;
      return spec.kind === 'byte-level' ? byteLevelToText(token) : token.replaceAll(space, ' ');
    },
    idToToken,
  };
}
