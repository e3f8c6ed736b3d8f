import { mulberry32 } from '../api/random.js';
import type { GeneratedTokenInfo, SteerStep } from '../api/types.js';
import type { Decoder } from '../models/decode.js';
import type { Feed } from '../onnx/ort.js';
import { SPLICE_MASK_INPUT } from '../sae/splices.js';
import { checkPrompt } from './generate.js';
import type { GenerateOptions } from './generate.js';
import { checkSampling, chooseToken, klDivergence, logSoftmax } from './sampling.js';

/**
 * Clean and steered continuations of one prompt, side by side, from one decoder whose splices are
 * masked (sae/splices.ts maskedSplice): the batch has three rows that share every step's run.
 *   row 0: the clean model on the clean continuation (mask 0);
 *   row 1: the steered model on the steered continuation (mask 1 from `fromPosition` on);
 *   row 2: the clean model on the steered continuation, so each steered token's probability and the
 *          KL between the two next-token distributions compare the models on the same text.
 * Rows 0 and 1 sample with generators of the same seed, so they differ only by the steering.
 */
export interface SteerOptions extends GenerateOptions {
  /** the first position (in the ids the model reads) where the edits apply; 0: everywhere */
  fromPosition: number;
  /** token ids whose total probability each step reports (a feature's top output tokens) */
  watch?: readonly number[];
}

/** A token one side chose, before decoding: its id and its probability under the model that chose it. */
export type SteeredToken = Omit<GeneratedTokenInfo, 'text'>;

export type SteerStepResult = SteerStep<SteeredToken>;

export interface SteerRun {
  steps: SteerStepResult[];
  cleanStop: 'eos' | 'length' | 'context';
  steeredStop: 'eos' | 'length' | 'context';
}

const ROWS = 3;

export async function steerGenerate(
  decoder: Decoder,
  promptIds: readonly number[],
  editFeeds: Record<string, Feed>,
  o: SteerOptions,
  onStep?: (s: SteerStepResult) => void,
  signal?: AbortSignal,
): Promise<SteerRun> {
  checkSampling(o);
  checkPrompt(decoder, promptIds, o.maxTokens);
  if (!(Number.isInteger(o.fromPosition) && o.fromPosition >= 0))
    throw new RangeError(`fromPosition ${o.fromPosition} must be an integer ≥ 0`);
  const randoms = [mulberry32(o.seed ?? 0), mulberry32(o.seed ?? 0)];
  const dV = decoder.dVocab;
  let cache = decoder.emptyCache(ROWS);
  let next: number[][] = Array.from({ length: ROWS }, () => [...promptIds]);
  const done = [false, false];
  const stops: SteerRun['cleanStop'][] = ['length', 'length'];
  const steps: SteerStepResult[] = [];
  for (let step = 0; step < o.maxTokens && !(done[0] && done[1]); step++) {
    signal?.throwIfAborted();
    const seq = next[0].length;
    if (cache.length + seq > decoder.nCtx) {
      for (const r of [0, 1]) if (!done[r]) stops[r] = 'context';
      break;
    }
    const mask = new Float32Array(ROWS * seq);
    for (let t = 0; t < seq; t++) mask[seq + t] = cache.length + t >= o.fromPosition ? 1 : 0;
    const ids = BigInt64Array.from(next.flat(), BigInt);
    const out = await decoder.step(
      cache,
      { dims: [ROWS, seq], data: ids },
      { ...editFeeds, [SPLICE_MASK_INPUT]: { type: 'float32', dims: [ROWS, seq], data: mask } },
    );
    cache = out.cache;
    const row = (r: number) => out.logits.subarray(r * dV, (r + 1) * dV);
    const logs = [0, 1, 2].map((r) => logSoftmax(row(r)));
    const result: SteerStepResult = { step, clean: null, steered: null, kl: null };
    const chosen = [0, 1].map((r) => (done[r] ? next[r][0] : chooseToken(row(r), o, randoms[r])));
    if (!done[0]) result.clean = { id: chosen[0], prob: Math.exp(logs[0][chosen[0]]) };
    if (!done[1]) {
      result.steered = { id: chosen[1], prob: Math.exp(logs[1][chosen[1]]), cleanProb: Math.exp(logs[2][chosen[1]]) };
      result.kl = klDivergence(logs[1], logs[2]);
      if (o.watch) result.watched = { steered: mass(logs[1], o.watch), clean: mass(logs[2], o.watch) };
    }
    steps.push(result);
    onStep?.(result);
    for (const r of [0, 1]) {
      if (!done[r] && chosen[r] === o.eosId) {
        done[r] = true;
        stops[r] = 'eos';
      }
    }
    next = [[chosen[0]], [chosen[1]], [chosen[1]]];
  }
  return { steps, cleanStop: stops[0], steeredStop: stops[1] };
}

function mass(logP: Float64Array, ids: readonly number[]): number {
  let total = 0;
  for (const id of new Set(ids)) total += Math.exp(logP[id]);
  return total;
}
