import type { Tokenizer } from '../formats/tokenizer.js';
import type { Decoder } from '../models/decode.js';
import { mulberry32 } from '../api/random.js';
import { checkSampling, chooseToken, logSoftmax } from './sampling.js';
import type { SamplingOptions } from './sampling.js';

export interface GenerateOptions extends SamplingOptions {
  /** new tokens at most */
  maxTokens: number;
  seed?: number;
  /** stop after this token (it is kept); absent: stop only at maxTokens */
  eosId?: number;
}

export interface GeneratedToken {
  id: number;
  /** its probability under the (unsampled, temperature 1) next-token distribution */
  prob: number;
}

export interface Generation {
  tokens: GeneratedToken[];
  stop: 'eos' | 'length' | 'context';
}

/** Greedy or sampled continuation of `promptIds`, one cached position per new token. */
export async function generate(
  decoder: Decoder,
  promptIds: readonly number[],
  o: GenerateOptions,
  onToken?: (t: GeneratedToken, step: number) => void,
): Promise<Generation> {
  checkSampling(o);
  checkPrompt(decoder, promptIds, o.maxTokens);
  const random = mulberry32(o.seed ?? 0);
  let cache = decoder.emptyCache(1);
  let ids = BigInt64Array.from(promptIds, BigInt);
  const tokens: GeneratedToken[] = [];
  for (let step = 0; step < o.maxTokens; step++) {
    if (cache.length + ids.length > decoder.nCtx) return { tokens, stop: 'context' };
    const out = await decoder.step(cache, { dims: [1, ids.length], data: ids });
    cache = out.cache;
    const id = chooseToken(out.logits, o, random);
    const t = { id, prob: Math.exp(logSoftmax(out.logits)[id]) };
    tokens.push(t);
    onToken?.(t, step);
    if (id === o.eosId) return { tokens, stop: 'eos' };
    ids = BigInt64Array.of(BigInt(id));
  }
  return { tokens, stop: 'length' };
}

export function checkPrompt(decoder: Decoder, promptIds: readonly number[], maxTokens: number): void {
  if (promptIds.length === 0) throw new RangeError('the prompt has no tokens');
  if (!(Number.isInteger(maxTokens) && maxTokens >= 1)) throw new RangeError(`maxTokens ${maxTokens} must be an integer ≥ 1`);
  if (promptIds.length > decoder.nCtx)
    throw new RangeError(`the prompt's ${promptIds.length} tokens exceed the model's context of ${decoder.nCtx} (n_ctx)`);
}

/** The token read before a prompt as a document start: the family's BOS (Llama 3, Gemma), else GPT-2's and NeoX's end-of-text. */
export function documentStart(tokenizer: Tokenizer): number | undefined {
  return tokenizer.bosId ?? tokenizer.eosId;
}
