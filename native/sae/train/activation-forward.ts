import { buildForwardGraph, checkTokenIds, hookWidth } from '../../models/index.js';
import type { TransformerWeights } from '../../models/index.js';
import type { GraphBuilder, ValueRef } from '../../onnx/graph.js';
import type { SessionOptions } from '../../onnx/ort.js';
import { sessionCache } from '../../onnx/session-cache.js';
import type { SessionCache } from '../../onnx/session-cache.js';
import { SaeError, assertHookWidth, validateSae } from '../canonical.js';
import type { CanonicalSae } from '../canonical.js';
import { activate, normalizeInput, preActivations, saeWeights } from '../sae-ops.js';

/**
 * The model forward to one hook, with the split-one-feature filter folded into the same graph: the
 * narrow SAE's feature activation is one more output read off the hook's value, not a splice, so
 * the model downstream is untouched and one run gives both the activations and the filter.
 */

/**
 * Keep only tokens where feature `feature` of `sae` is above `threshold` (strictly), and, with
 * `background` > 0, mix in uniformly drawn tokens of any kind so that they make that fraction of the
 * training rows: the SAE then still sees what the feature is not, and a latent that learns to fire
 * everywhere pays for it.
 */
export interface ActivationFilter {
  sae: CanonicalSae;
  feature: number;
  threshold: number;
  /** fraction of training rows drawn from all tokens, in [0, 1) (default 0) */
  background?: number;
}

/** The graph output holding the filter feature's activation, [batch · seq]. */
export const FILTER_OUTPUT = 'filter_feature_act';

/** Filter checks before any graph is built: a valid SAE as wide as the hook, a real feature, a finite threshold. */
export function checkFilter(filter: ActivationFilter, width: number, modelName: string, hook: string): void {
  const { sae, feature, threshold } = filter;
  validateSae(sae);
  assertHookWidth(sae, width, modelName, hook);
  if (!Number.isSafeInteger(feature) || feature < 0 || feature >= sae.dSae) {
    throw new SaeError(
      sae.source.path,
      `filter feature ${feature} is out of range: the SAE has d_sae = ${sae.dSae} features (0..${sae.dSae - 1})`,
    );
  }
  if (!Number.isFinite(threshold)) throw new RangeError(`filter threshold must be a finite number, got ${threshold}`);
  const background = filter.background ?? 0;
  if (!(background >= 0 && background < 1)) throw new RangeError(`the background fraction must be in [0, 1), got ${background}`);
}

/** The forward graph to `hook`, plus FILTER_OUTPUT when a filter is given. */
export function buildActivationGraph(model: TransformerWeights, hook: string, filter?: ActivationFilter): GraphBuilder {
  const g = buildForwardGraph(model, { hooks: [hook] });
  if (!filter) return g;
  const { sae, feature } = filter;
  // A graph output is a value of the graph under its own name, so the SAE can read it directly.
  const x = g.op('Reshape', [g.value(hook), g.constInt64([-1, sae.dIn])]);
  const w = saeWeights(g, sae, 'filter');
  const acts = activate(g, sae, w, preActivations(g, sae, w, normalizeInput(g, sae, x).x));
  let picked: ValueRef;
  if (acts.kind === 'dense') {
    picked = g.op('Gather', [acts.acts, g.constInt64(feature)], { axis: 1 });
  } else {
    // TopK: the feature's value where it is among the token's k kept latents, else 0.
    const hit = g.op('Equal', [acts.indices, g.constInt64(feature)]);
    const values = g.op('Where', [hit, acts.values, g.constFloat(0)]);
    picked = g.op('ReduceSum', [values, g.constInt64([-1])], { keepdims: 0 });
  }
  g.output(picked, FILTER_OUTPUT, 'float32', ['n']);
  return g;
}

export interface ActivationForwardOptions extends SessionOptions {
  cache?: SessionCache;
}

export interface ForwardRows {
  /** [nWindows · contextLength, width], row-major */ acts: Float32Array;
  /** [nWindows · contextLength] the filter feature's activation; only with a filter */ featureActs?: Float32Array;
}

export interface ActivationForward {
  width: number;
  provider: string;
  /** set when the requested provider failed and the session runs on the CPU */
  fallbackMessage?: string;
  /** ids [nWindows, contextLength] → one row per token */
  run(ids: BigInt64Array, nWindows: number, contextLength: number): Promise<ForwardRows>;
}

/** Builds the graph and its session once, for running window batch after window batch. */
export async function prepareActivationForward(
  model: TransformerWeights,
  hook: string,
  filter: ActivationFilter | undefined,
  options: ActivationForwardOptions = {},
): Promise<ActivationForward> {
  const width = hookWidth(model.config, hook);
  const graph = buildActivationGraph(model, hook, filter);
  const session = await (options.cache ?? sessionCache).get(graph, options);
  const outputs = filter ? [hook, FILTER_OUTPUT] : [hook];
  return {
    width,
    provider: session.provider,
    ...(session.fallbackMessage ? { fallbackMessage: session.fallbackMessage } : {}),
    async run(ids, nWindows, contextLength) {
      const input = { dims: [nWindows, contextLength], data: ids };
      checkTokenIds(model, input);
      const result = await session.run({ input_ids: { type: 'int64', ...input } }, outputs);
      const acts = result[hook].float32();
      return filter ? { acts, featureActs: result[FILTER_OUTPUT].float32() } : { acts };
    },
  };
}
