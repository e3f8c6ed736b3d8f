import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { prepareDecoder } from '../../../native/models/decode.js';
import { prepareForward } from '../../../native/models/forward.js';
import { loadTransformer } from '../../../native/models/load.js';
import { generate } from '../../../native/prompt/generate.js';
import { argmax } from '../../../native/prompt/sampling.js';
import { FIXTURES } from '../../helpers/shared.js';
import { relativeError } from '../../helpers/numeric.js';

const FAMILIES = ['gpt_neox', 'llama', 'mistral', 'qwen2', 'qwen3', 'gemma2', 'gemma3'];
const dirOf = (family: string) =>
  family === 'gpt2' || family === 'tl' ? join(FIXTURES, `${family}-tiny`) : join(FIXTURES, 'families', `${family}-tiny`);

interface GenerateRefs {
  prompt_ids: number[];
  greedy_ids: number[];
}

describe('generation with a KV cache', () => {
  it.each(FAMILIES)("%s: greedy continuation equals transformers' generate (12 tokens, no EOS stop)", async (family) => {
    const refs = JSON.parse(readFileSync(join(dirOf(family), 'generate_refs.json'), 'utf8')) as GenerateRefs;
    const decoder = await prepareDecoder(loadTransformer(dirOf(family)).weights);
    const out = await generate(decoder, refs.prompt_ids, { maxTokens: refs.greedy_ids.length, temperature: 0 });
    expect(out.tokens.map((t) => t.id)).toEqual(refs.greedy_ids);
    expect(out.stop).toBe('length');
  });

  it.each([...FAMILIES, 'gpt2', 'tl'])(
    '%s: cached logits equal the full forward pass at every position (prompt in two chunks, then one token at a time)',
    async (family) => {
      const { weights } = loadTransformer(dirOf(family));
      const refs = openSafetensors(join(dirOf(family), 'refs.safetensors'));
      const ids = refs.read('input_ids');
      refs.close();
      const seq = ids.shape[1];
      const row = (ids.data as BigInt64Array).subarray(0, seq);
      const full = await (await prepareForward(weights, { hooks: [], logits: true })).run({ dims: [1, seq], data: row });
      const expected = full.outputs.get('logits')!.data;
      const decoder = await prepareDecoder(weights);
      const dV = weights.config.dVocab;
      let cache = decoder.emptyCache(1);
      // Chunks of 3 and 2 positions check the mask's offset for several new tokens; the sliding window (8 in gemma2/3) is passed by the end.
      const chunks = [3, 2, ...Array.from({ length: seq - 5 }, () => 1)];
      let at = 0;
      for (const n of chunks) {
        const step = await decoder.step(cache, { dims: [1, n], data: row.subarray(at, at + n) });
        cache = step.cache;
        at += n;
        const err = relativeError(step.logits, expected.subarray((at - 1) * dV, at * dV));
        expect(err, `${family} position ${at - 1}: relative error ${err}`).toBeLessThan(1e-4);
      }
      expect(cache.length).toBe(seq);
    },
  );

  it('gpt2-tiny: greedy with the cache equals a plain full forward argmax at each step', async () => {
    const { weights } = loadTransformer(join(FIXTURES, 'gpt2-tiny'));
    const prompt = [5, 17, 42, 3];
    const steps = 20;
    const forward = await prepareForward(weights, { hooks: [], logits: true });
    const plain = [...prompt];
    for (let i = 0; i < steps; i++) {
      const { outputs } = await forward.run({ dims: [1, plain.length], data: BigInt64Array.from(plain, BigInt) });
      const dV = weights.config.dVocab;
      plain.push(argmax(outputs.get('logits')!.data.subarray((plain.length - 1) * dV, plain.length * dV)));
    }
    const cached = await generate(await prepareDecoder(weights), prompt, { maxTokens: steps, temperature: 0 });
    expect(cached.tokens.map((t) => t.id)).toEqual(plain.slice(prompt.length));
  });
});
