import type { Feed, SessionOptions } from '../onnx/ort.js';
import { sessionCache } from '../onnx/session-cache.js';
import type { SessionCache } from '../onnx/session-cache.js';
import { buildForwardGraph } from './forward-graph.js';
import type { ForwardSpec } from './forward-graph.js';
import type { Tensor32, TransformerWeights } from './weights.js';

/** Token ids, int64 [batch, seq], row-major. */
export interface TokenIds {
  dims: readonly number[];
  data: BigInt64Array;
}

export interface ForwardOptions extends SessionOptions {
  cache?: SessionCache;
  /** values for graph inputs that splices added (a steering coefficient, a feature index) */
  extraFeeds?: Record<string, Feed>;
}

export interface ForwardResult {
  /** by hook name (and `logits`), each [batch, seq, width] */
  outputs: Map<string, Tensor32>;
  provider: string;
  /** set when the requested provider failed and the pass ran on the CPU */
  fallbackMessage?: string;
}

/** Input the model cannot take: the message names the offending value and the limit. */
export class ForwardInputError extends Error {
  override name = 'ForwardInputError';
}

/** A forward pass whose graph and session are built once, for running batch after batch. */
export interface PreparedForward {
  outputNames: readonly string[];
  run(ids: TokenIds, extraFeeds?: Record<string, Feed>): Promise<ForwardResult>;
}

/**
 * Builds the graph and its session once. Hashing a model's weights for the session cache costs
 * about a second per gigabyte, so loops over many batches should prepare once, not call runForward.
 */
export async function prepareForward(model: TransformerWeights, spec: ForwardSpec, options: ForwardOptions = {}): Promise<PreparedForward> {
  const graph = buildForwardGraph(model, spec);
  const session = await (options.cache ?? sessionCache).get(graph, options);
  const outputNames = graph.outputNames;
  return {
    outputNames,
    async run(ids, extraFeeds = options.extraFeeds) {
      checkTokenIds(model, ids);
      const feeds: Record<string, Feed> = { ...extraFeeds, input_ids: { type: 'int64', dims: ids.dims, data: ids.data } };
      const result = await session.run(feeds, outputNames);
      const outputs = new Map<string, Tensor32>();
      for (const name of outputNames) outputs.set(name, { shape: result[name].dims, data: result[name].float32() });
      return { outputs, provider: session.provider, ...(session.fallbackMessage ? { fallbackMessage: session.fallbackMessage } : {}) };
    },
  };
}

/** Runs the forward pass once; the session is cached by the graph's fingerprint, so a repeat skips building it. */
export async function runForward(
  model: TransformerWeights,
  ids: TokenIds,
  spec: ForwardSpec,
  options: ForwardOptions = {},
): Promise<ForwardResult> {
  checkTokenIds(model, ids);
  return (await prepareForward(model, spec, options)).run(ids);
}

/** Shape, context length and vocabulary checks, before ONNX Runtime would fail with an index error. */
export function checkTokenIds(model: TransformerWeights, ids: TokenIds): void {
  const { dVocab, nCtx } = model.config;
  if (ids.dims.length !== 2) throw new ForwardInputError(`input_ids must be 2-D [batch, seq], got shape [${ids.dims.join(', ')}]`);
  const [batch, seq] = ids.dims;
  if (batch < 1 || seq < 1) throw new ForwardInputError(`input_ids is empty (shape [${batch}, ${seq}])`);
  if (seq > nCtx) throw new ForwardInputError(`sequence length ${seq} exceeds the model's context of ${nCtx} tokens (n_ctx)`);
  if (ids.data.length !== batch * seq) throw new ForwardInputError(`input_ids has ${ids.data.length} values for shape [${batch}, ${seq}]`);
  const vocab = BigInt(dVocab);
  for (let i = 0; i < ids.data.length; i++) {
    const id = ids.data[i];
    if (id < 0n || id >= vocab) {
      const at = `[${Math.floor(i / seq)}, ${i % seq}]`;
      throw new ForwardInputError(
        `token id ${id} at input_ids${at} is out of the vocabulary: ids must be in 0..${dVocab - 1} (vocab size ${dVocab})`,
      );
    }
  }
}
