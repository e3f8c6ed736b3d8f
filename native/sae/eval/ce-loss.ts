import { buildForwardGraph } from '../../models/forward-graph.js';
import type { Splice } from '../../models/forward-graph.js';
import type { TokenIds } from '../../models/forward.js';
import type { TransformerWeights } from '../../models/weights.js';
import type { GraphBuilder, ValueRef } from '../../onnx/graph.js';
import type { Feed } from '../../onnx/ort.js';

/**
 * Next-token cross-entropy inside the forward graph. The logits of a batch are [batch, seq, dVocab]
 * (128 × 8 windows × 50,257 GPT-2 tokens is 200 MB); only the per-token loss [batch, seq − 1]
 * comes back to the host.
 */

/** Graph input: each position's next token, int64 [batch, seq − 1] (input_ids[:, 1:]). */
export const TARGETS_INPUT = 'loss_targets';
/** Graph output: −log p(next token), float32 [batch, seq − 1]. */
export const TOKEN_LOSS_OUTPUT = 'token_loss';

/** −log softmax(logits[b, t])[targets[b, t]] for t < seq − 1, [batch, seq − 1]. */
export function addTokenLoss(g: GraphBuilder, logits: ValueRef): ValueRef {
  const targets = g.input(TARGETS_INPUT, 'int64', ['batch', 'targets']);
  // The last position predicts a token outside the window: it has no target.
  const predicting = g.op('Slice', [logits, g.constInt64([0]), g.constInt64([-1]), g.constInt64([1])]);
  const logProbs = g.op('LogSoftmax', [predicting], { axis: -1 });
  const picked = g.op('GatherElements', [logProbs, g.op('Unsqueeze', [targets, g.constInt64([-1])])], { axis: -1 });
  return g.op('Neg', [g.op('Squeeze', [picked, g.constInt64([-1])])]);
}

export interface LossGraphSpec {
  /** hook outputs to keep, each [batch, seq, width] (evaluate reads the SAE's hook from the clean graph) */
  hooks?: readonly string[];
  splices?: ReadonlyMap<string, Splice>;
}

/** The model's forward pass with `token_loss` as an output; `logits` stays an output name but need not be fetched. */
export function lossForwardGraph(model: TransformerWeights, spec: LossGraphSpec = {}): GraphBuilder {
  const g = buildForwardGraph(model, { hooks: spec.hooks ?? [], logits: true, ...(spec.splices ? { splices: spec.splices } : {}) });
  // buildForwardGraph exposes the logits under the output name 'logits', which is a value of g.
  g.output(addTokenLoss(g, g.value('logits')), TOKEN_LOSS_OUTPUT, 'float32', ['batch', 'targets']);
  return g;
}

/** input_ids[:, 1:] as the targets feed. */
export function targetsFeed(ids: TokenIds): Feed {
  const [batch, seq] = ids.dims;
  if (seq < 2) throw new RangeError(`next-token loss needs windows of at least 2 tokens, got ${seq}`);
  const data = new BigInt64Array(batch * (seq - 1));
  for (let b = 0; b < batch; b++) data.set(ids.data.subarray(b * seq + 1, (b + 1) * seq), b * (seq - 1));
  return { type: 'int64', dims: [batch, seq - 1], data };
}

/** Running mean of per-token losses, summed in double precision. */
export class LossAccumulator {
  sum = 0;
  tokens = 0;

  /** Losses [n]; with `mask` [n], only those where it is non-zero. */
  add(tokenLoss: Float32Array, mask?: Uint8Array): void {
    if (mask && mask.length !== tokenLoss.length) throw new RangeError(`${tokenLoss.length} losses and ${mask.length} mask entries`);
    for (let i = 0; i < tokenLoss.length; i++) {
      if (mask && !mask[i]) continue;
      this.sum += tokenLoss[i];
      this.tokens++;
    }
  }

  get mean(): number {
    return this.tokens === 0 ? NaN : this.sum / this.tokens;
  }
}
