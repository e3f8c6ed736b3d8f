import type { Feed, SessionOptions } from '../onnx/ort.js';
import { sessionCache } from '../onnx/session-cache.js';
import type { SessionCache } from '../onnx/session-cache.js';
import { cacheNames } from './cached-attention.js';
import { buildDecodeGraph } from './decode-graph.js';
import type { DecodeSpec } from './decode-graph.js';
import { ForwardInputError, checkTokenIds } from './forward.js';
import type { TokenIds } from './forward.js';
import type { TransformerWeights } from './weights.js';

export interface DecodeOptions extends SessionOptions {
  cache?: SessionCache;
}

/** The keys and values of every position read so far, per layer, each float32 [batch, kvHeads, length, dHead]. */
export interface KvCache {
  batch: number;
  /** positions held */
  length: number;
  feeds: Record<string, Feed>;
}

export interface DecodeStep {
  /** [batch, dVocab] at the last new token */
  logits: Float32Array;
  cache: KvCache;
}

/** A decode graph's session: feed the prompt once, then one token per row per step. */
export interface Decoder {
  dVocab: number;
  nCtx: number;
  provider: string;
  fallbackMessage?: string;
  /** an empty cache for `batch` rows */
  emptyCache(batch: number): KvCache;
  /** reads `ids` [batch, seq] after the cached positions; the returned cache holds them too */
  step(cache: KvCache, ids: TokenIds, extraFeeds?: Record<string, Feed>): Promise<DecodeStep>;
}

export async function prepareDecoder(model: TransformerWeights, spec: DecodeSpec = {}, options: DecodeOptions = {}): Promise<Decoder> {
  const { config } = model;
  const graph = buildDecodeGraph(model, spec);
  const session = await (options.cache ?? sessionCache).get(graph, options);
  const nKv = config.nKvHeads ?? config.nHeads;
  const presentNames = Array.from({ length: config.nLayers }, (_, l) => cacheNames(l));
  const outputNames = graph.outputNames;
  return {
    dVocab: config.dVocab,
    nCtx: config.nCtx,
    provider: session.provider,
    ...(session.fallbackMessage ? { fallbackMessage: session.fallbackMessage } : {}),
    emptyCache(batch) {
      const feeds: Record<string, Feed> = {};
      const empty = { type: 'float32' as const, dims: [batch, nKv, 0, config.dHead], data: new Float32Array(0) };
      for (const n of presentNames) feeds[n.pastKey] = feeds[n.pastValue] = empty;
      return { batch, length: 0, feeds };
    },
    async step(cache, ids, extraFeeds = {}) {
      checkTokenIds(model, ids);
      const [batch, seq] = ids.dims;
      if (batch !== cache.batch) throw new ForwardInputError(`input_ids has ${batch} rows, the KV cache ${cache.batch}`);
      if (cache.length + seq > config.nCtx) {
        throw new ForwardInputError(
          `position ${cache.length + seq - 1} is past the model's context of ${config.nCtx} tokens (n_ctx): ${cache.length} cached + ${seq} new`,
        );
      }
      const result = await session.run(
        { ...extraFeeds, ...cache.feeds, input_ids: { type: 'int64', dims: ids.dims, data: ids.data } },
        outputNames,
      );
      const feeds: Record<string, Feed> = {};
      for (const n of presentNames) {
        feeds[n.pastKey] = { type: 'float32', dims: result[n.presentKey].dims, data: result[n.presentKey].float32() };
        feeds[n.pastValue] = { type: 'float32', dims: result[n.presentValue].dims, data: result[n.presentValue].float32() };
      }
      return { logits: result.logits.float32(), cache: { batch, length: cache.length + seq, feeds } };
    },
  };
}
