import { GraphBuilder } from '../onnx/graph.js';
import type { Feed, OrtTensor, Provider } from '../onnx/ort.js';
import { sessionCache } from '../onnx/session-cache.js';
import type { CanonicalSae } from './canonical.js';
import { activate, normalizeInput, preActivations, saeOutput, saeWeights, scatterDense } from './sae-ops.js';

/** Graph input and output names of the encode graph. */
export const ENCODE_NAMES = {
  input: 'x',
  indices: 'indices',
  values: 'values',
  featureActs: 'feature_acts',
  saeOut: 'sae_out',
} as const;

export interface EncodeGraphOptions {
  /** Also output the dense `feature_acts` [n, dSae] of a TopK SAE (other activations always do). */
  dense?: boolean;
  /** Also output the reconstruction `sae_out` [n, dIn], in the input's scale (a transcoder's prediction of its output hook). */
  reconstruction?: boolean;
}

/**
 * x float32 [n, dIn] -> the SAE's activations (and reconstruction). A TopK SAE outputs the sparse
 * pair `indices` int64 [n, k] and `values` float32 [n, k]: no [n, dSae] array leaves the graph unless
 * `dense` asks for it, and the reconstruction gathers only the k decoder rows of each token.
 */
export function buildEncodeGraph(sae: CanonicalSae, opts: EncodeGraphOptions = {}): GraphBuilder {
  const { dIn, dSae } = sae;
  const g = new GraphBuilder('sae-encode');
  const x = g.input(ENCODE_NAMES.input, 'float32', ['n', dIn]);
  const w = saeWeights(g, sae);
  const input = normalizeInput(g, sae, x);
  const pre = preActivations(g, sae, w, input.x);
  const acts = activate(g, sae, w, pre);
  if (acts.kind === 'topk') {
    const k = sae.activation.kind === 'topk' ? sae.activation.k : 0;
    g.output(acts.indices, ENCODE_NAMES.indices, 'int64', ['n', k]);
    g.output(acts.values, ENCODE_NAMES.values, 'float32', ['n', k]);
    if (opts.dense) g.output(scatterDense(g, pre, acts.indices, acts.values), ENCODE_NAMES.featureActs, 'float32', ['n', dSae]);
  } else {
    g.output(acts.acts, ENCODE_NAMES.featureActs, 'float32', ['n', dSae]);
  }
  if (opts.reconstruction) g.output(saeOutput(g, sae, w, x, input, acts), ENCODE_NAMES.saeOut, 'float32', ['n', dIn]);
  return g;
}

/** What `encode` returns; which fields are set follows the options and the SAE's activation. */
export interface EncodeResult {
  nTokens: number;
  /** [nTokens, k] int64, row-major, largest first: TopK SAEs only */
  indices?: BigInt64Array;
  /** [nTokens, k], row-major, ReLU applied: TopK SAEs only */
  values?: Float32Array;
  /** [nTokens, dSae], row-major: relu/jumprelu SAEs, or TopK with `dense` */
  featureActs?: Float32Array;
  /** [nTokens, dIn], row-major: with `reconstruction` */
  saeOut?: Float32Array;
  provider: string;
  /** set when the requested provider failed and the encoder runs on the CPU */
  fallbackMessage?: string;
}

export interface EncoderOptions extends EncodeGraphOptions {
  provider?: Provider;
  intraOpNumThreads?: number;
  /** Tokens per run (default 4096): caps ONNX Runtime's [batchTokens, dSae] pre-activations. */
  batchTokens?: number;
}

export interface PreparedEncoder {
  /** x [nTokens, dIn], row-major. */
  encode(x: Float32Array, nTokens: number): Promise<EncodeResult>;
}

export const DEFAULT_BATCH_TOKENS = 4096;

/** Builds the encode graph and its session once (through the session cache), for encoding many inputs. */
export async function prepareEncoder(sae: CanonicalSae, opts: EncoderOptions = {}): Promise<PreparedEncoder> {
  const batchTokens = opts.batchTokens ?? DEFAULT_BATCH_TOKENS;
  if (!Number.isSafeInteger(batchTokens) || batchTokens < 1) throw new Error(`batchTokens is ${batchTokens}, expected an integer ≥ 1`);
  const graph = buildEncodeGraph(sae, opts);
  const session = await sessionCache.get(graph, { provider: opts.provider, intraOpNumThreads: opts.intraOpNumThreads });
  const outputNames = graph.outputNames;
  return {
    async encode(x, nTokens) {
      checkInput(sae, x, nTokens);
      const out = allocateOutputs(sae, outputNames, nTokens);
      for (let start = 0; start < nTokens; start += batchTokens) {
        const rows = Math.min(batchTokens, nTokens - start);
        const feed: Feed = { type: 'float32', dims: [rows, sae.dIn], data: x.subarray(start * sae.dIn, (start + rows) * sae.dIn) };
        const result = await session.run({ [ENCODE_NAMES.input]: feed }, outputNames);
        for (const name of outputNames) copyRows(result[name], out.get(name)!, start);
      }
      return {
        nTokens,
        indices: out.get(ENCODE_NAMES.indices) as BigInt64Array | undefined,
        values: out.get(ENCODE_NAMES.values) as Float32Array | undefined,
        featureActs: out.get(ENCODE_NAMES.featureActs) as Float32Array | undefined,
        saeOut: out.get(ENCODE_NAMES.saeOut) as Float32Array | undefined,
        provider: session.provider,
        ...(session.fallbackMessage ? { fallbackMessage: session.fallbackMessage } : {}),
      };
    },
  };
}

function checkInput(sae: CanonicalSae, x: Float32Array, nTokens: number): void {
  if (!Number.isSafeInteger(nTokens) || nTokens < 0) throw new Error(`nTokens is ${nTokens}, expected an integer ≥ 0`);
  if (!(x instanceof Float32Array) || x.length !== nTokens * sae.dIn) {
    const got = x instanceof Float32Array ? `${x.length} values` : 'not a Float32Array';
    throw new Error(
      `x is ${got}, expected [nTokens, dIn] = [${nTokens}, ${sae.dIn}] (${nTokens * sae.dIn} values) for the SAE ${sae.source.path}`,
    );
  }
}

/** One whole-input array per output, so chunks are copied once into place rather than concatenated. */
function allocateOutputs(sae: CanonicalSae, names: readonly string[], nTokens: number): Map<string, Float32Array | BigInt64Array> {
  const k = sae.activation.kind === 'topk' ? sae.activation.k : 0;
  const width: Record<string, number> = {
    [ENCODE_NAMES.indices]: k,
    [ENCODE_NAMES.values]: k,
    [ENCODE_NAMES.featureActs]: sae.dSae,
    [ENCODE_NAMES.saeOut]: sae.dIn,
  };
  const out = new Map<string, Float32Array | BigInt64Array>();
  for (const name of names)
    out.set(name, name === ENCODE_NAMES.indices ? new BigInt64Array(nTokens * k) : new Float32Array(nTokens * width[name]));
  return out;
}

function copyRows(tensor: OrtTensor, into: Float32Array | BigInt64Array, startRow: number): void {
  const data = tensor.data as Float32Array | BigInt64Array;
  const width = tensor.dims[1];
  if (data instanceof BigInt64Array !== into instanceof BigInt64Array)
    throw new Error(`encode output has type ${tensor.type}, expected ${into instanceof BigInt64Array ? 'int64' : 'float32'}`);
  (into as Float32Array).set(data as Float32Array, startRow * width);
  tensor.dispose();
}
