import type { TokenizerJson } from './gpt2-vocab.js';
import { FormatError } from './tensor.js';
import { isJsonObject } from './strict-json.js';

/**
 * What a tokenizer.json holds, as far as offsets and special tokens need to know, read once at load.
 * Two kinds of BPE are read: byte-level (GPT-2, GPT-NeoX, Llama 3, Qwen: every token spells bytes in
 * GPT-2's stand-in alphabet) and byte-fallback (SentencePiece as Gemma, Llama 2 and Mistral ship it:
 * "▁" for a space, `<0xNN>` tokens for bytes the vocabulary lacks). Everything else is refused here,
 * naming what the file holds, because offsets could not follow it.
 */
export type TokenizerKind = 'byte-level' | 'byte-fallback';

/** One normalizer step, applied in order; each keeps track of where its characters came from. */
export type NormalizerStep =
  | { type: 'unicode'; form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD' }
  | { type: 'replace'; pattern: string; content: string }
  | { type: 'prepend'; prepend: string }
  | { type: 'lowercase' };

/** SentencePiece's space handling done as a pre-tokenizer (newer Llama 2 / Mistral files). */
export interface MetaspaceSpec {
  replacement: string;
  prependScheme: 'always' | 'first' | 'never';
}

export interface TokenizerSpec {
  kind: TokenizerKind;
  normalizer: NormalizerStep[];
  /** The ByteLevel pre-tokenizer prepends a space to text that does not start with one. */
  addPrefixSpace: boolean;
  metaspace: MetaspaceSpec | null;
  unkToken: string | null;
  /** How many tokens the post-processor puts before the text's own (the BOS of a template). */
  templatePrefix: number;
  /** The first token of the post-processor's single-sequence template, when it is a special token. */
  templateBos: string | null;
}

type Json = Record<string, unknown>;

const UNICODE_FORMS = ['NFC', 'NFD', 'NFKC', 'NFKD'] as const;
const NORMALIZERS = 'NFC, NFD, NFKC, NFKD, Replace (of a string), Prepend, Lowercase and Sequence';

function normalizerSteps(path: string, json: unknown): NormalizerStep[] {
  if (json === null || json === undefined) return [];
  if (!isJsonObject(json)) throw new FormatError(path, 'normalizer: expected an object or null');
  const type = String(json.type);
  if (type === 'Sequence') {
    if (!Array.isArray(json.normalizers)) throw new FormatError(path, 'normalizer Sequence: expected a "normalizers" list');
    return json.normalizers.flatMap((n) => normalizerSteps(path, n));
  }
  if ((UNICODE_FORMS as readonly string[]).includes(type)) return [{ type: 'unicode', form: type as (typeof UNICODE_FORMS)[number] }];
  if (type === 'Lowercase') return [{ type: 'lowercase' }];
  if (type === 'Prepend' && typeof json.prepend === 'string') return [{ type: 'prepend', prepend: json.prepend }];
  if (type === 'Replace' && isJsonObject(json.pattern) && typeof json.pattern.String === 'string' && typeof json.content === 'string') {
    return [{ type: 'replace', pattern: json.pattern.String, content: json.content }];
  }
  const detail = type === 'Replace' ? 'Replace of a regex' : `"${type}"`;
  throw new FormatError(path, `normalizer ${detail} is not supported: Loupe follows ${NORMALIZERS}`);
}

function preTokenizers(json: unknown): Json[] {
  if (!isJsonObject(json)) return [];
  if (json.type === 'Sequence') return (Array.isArray(json.pretokenizers) ? json.pretokenizers : []).flatMap(preTokenizers);
  return [json];
}

function readMetaspace(pre: Json): MetaspaceSpec {
  const scheme = pre.prepend_scheme ?? (pre.add_prefix_space === false ? 'never' : 'always');
  const prependScheme = scheme === 'first' || scheme === 'never' ? scheme : 'always';
  return { replacement: typeof pre.replacement === 'string' ? pre.replacement : '▁', prependScheme };
}

/** How many tokens a post-processor puts before the text, and the first of them when it is a template's. */
function postProcessorPrefix(json: unknown): { prefix: number; bos: string | null } {
  if (!isJsonObject(json)) return { prefix: 0, bos: null };
  if (json.type === 'Sequence' && Array.isArray(json.processors)) {
    return json.processors
      .map(postProcessorPrefix)
      .reduce((a, b) => ({ prefix: a.prefix + b.prefix, bos: a.bos ?? b.bos }), { prefix: 0, bos: null });
  }
  if (json.type === 'RobertaProcessing' || json.type === 'BertProcessing') return { prefix: 1, bos: null };
  if (json.type !== 'TemplateProcessing' || !Array.isArray(json.single)) return { prefix: 0, bos: null };
  const specials = isJsonObject(json.special_tokens) ? json.special_tokens : {};
  let prefix = 0;
  let bos: string | null = null;
  for (const [i, piece] of json.single.entries()) {
    if (!isJsonObject(piece) || !isJsonObject(piece.SpecialToken)) break;
    // @huggingface/tokenizers puts the template's token itself (one token per SpecialToken item).
    const id = String(piece.SpecialToken.id);
    const entry = specials[id];
    prefix += 1;
    if (i === 0) bos = isJsonObject(entry) && Array.isArray(entry.tokens) && typeof entry.tokens[0] === 'string' ? entry.tokens[0] : id;
  }
  return { prefix, bos };
}

const KINDS = 'byte-level BPE (GPT-2, GPT-NeoX, Llama 3, Qwen) and SentencePiece-style BPE with byte fallback (Gemma, Llama 2, Mistral)';

/** Reads what the offsets and the BOS need from a tokenizer.json, refusing what Loupe cannot follow. */
export function readTokenizerSpec(path: string, json: TokenizerJson): TokenizerSpec {
  if (!isJsonObject(json.model)) throw new FormatError(path, 'no "model" object: not a tokenizer.json');
  const type = json.model.type ?? (json.model.merges !== undefined ? 'BPE' : 'unknown');
  if (type !== 'BPE') throw new FormatError(path, `model type is "${String(type)}"; Loupe reads ${KINDS}`);
  const pres = preTokenizers(json.pre_tokenizer);
  const supportedPre = ['ByteLevel', 'Split', 'Metaspace', 'Digits', 'Punctuation'];
  const odd = pres.find((p) => !supportedPre.includes(String(p.type)));
  if (odd) throw new FormatError(path, `pre_tokenizer "${String(odd.type)}" is not supported: Loupe reads ${KINDS}`);
  if (pres.some((p) => p.type === 'Split' && p.behavior === 'Removed'))
    throw new FormatError(
      path,
      'pre_tokenizer Split with behavior "Removed" drops text, so tokens could not be placed in it; Loupe reads Split that keeps every character',
    );
  const byteLevel = pres.find((p) => p.type === 'ByteLevel');
  const metaspacePre = pres.find((p) => p.type === 'Metaspace');
  const byteFallback = json.model.byte_fallback === true;
  let kind: TokenizerKind;
  if (byteLevel) kind = 'byte-level';
  else if (byteFallback) kind = 'byte-fallback';
  else {
    const found = json.pre_tokenizer ? `pre_tokenizer "${String((json.pre_tokenizer as Json).type)}"` : 'no pre_tokenizer';
    throw new FormatError(
      path,
      `BPE model with ${found} and no byte fallback: neither byte-level nor SentencePiece-style; Loupe reads ${KINDS}`,
    );
  }
  const { prefix, bos } = postProcessorPrefix(json.post_processor);
  return {
    kind,
    normalizer: normalizerSteps(path, json.normalizer),
    addPrefixSpace: byteLevel?.add_prefix_space === true,
    metaspace: metaspacePre ? readMetaspace(metaspacePre) : null,
    unkToken: typeof json.model.unk_token === 'string' ? json.model.unk_token : null,
    templatePrefix: prefix,
    templateBos: bos,
  };
}
