// Generation with a KV cache: the cost of the n-th new token should stay flat as n grows (a graph
// without the cache pays for the whole prefix at every step).
import { prepareDecoder } from '../native/models/decode.js';
import type { KvCache } from '../native/models/decode.js';
import { prepareForward } from '../native/models/forward.js';
import { GPT2_SMALL, randomTransformer } from '../native/models/random.js';
import type { BenchResult } from './types.js';

const LAYERS = 4;
const CHECKPOINTS = [16, 128, 512, 1000];
const ROUNDS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchGenerate(): Promise<BenchResult[]> {
  const model = randomTransformer(GPT2_SMALL, 1, LAYERS);
  model.config = { ...model.config, nLayers: LAYERS };
  const decoder = await prepareDecoder(model);
  const token = (i: number) => BigInt((i * 7919) % GPT2_SMALL.dVocab);
  // Caches of each checkpoint's length are kept, then one more token is timed from each in turn,
  // round after round: load on a shared machine then weighs on every length alike.
  let cache = decoder.emptyCache(1);
  const snapshots = new Map<number, KvCache>();
  for (let n = 0; n < CHECKPOINTS[CHECKPOINTS.length - 1]; n++) {
    cache = (await decoder.step(cache, { dims: [1, 1], data: BigInt64Array.of(token(n)) })).cache;
    if (CHECKPOINTS.includes(n + 1)) snapshots.set(n + 1, cache);
  }
  const samples = new Map<number, number[]>(CHECKPOINTS.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of CHECKPOINTS) {
      const start = performance.now();
      await decoder.step(snapshots.get(n)!, { dims: [1, 1], data: BigInt64Array.of(token(n)) });
      samples.get(n)!.push(performance.now() - start);
    }
  }
  const at = (n: number) => median(samples.get(n)!);
  const forward = await prepareForward(model, { hooks: [], logits: true });
  const last = CHECKPOINTS[CHECKPOINTS.length - 1];
  const ids = BigInt64Array.from({ length: last }, (_, i) => token(i));
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await forward.run({ dims: [1, last], data: ids });
    times.push(performance.now() - start);
  }
  const results: BenchResult[] = CHECKPOINTS.map((n) => ({
    name: `generate: token ${n}`,
    value: at(n),
    unit: 'ms',
    limit: 0,
    ratio: at(n) / at(CHECKPOINTS[0]),
    note: `GPT-2-small shape, ${LAYERS} blocks, KV cache of ${n} positions; median of ${ROUNDS} interleaved rounds; ratio to ${CHECKPOINTS[0]}`,
  }));
  results.push({
    name: `generate: no cache, token ${last}`,
    value: median(times),
    unit: 'ms',
    limit: 0,
    ratio: median(times) / at(last),
    note: `a full forward over ${last} positions (what each token costs without the cache); ratio to the cached token ${last}`,
  });
  return results;
}
