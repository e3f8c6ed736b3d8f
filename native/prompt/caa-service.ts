import { ApiFailure } from '../api/errors.js';
import type { ValidParamsOf } from '../api/methods.js';
import type { DecomposedFeature, SteeringDecomposition } from '../api/types.js';
import { loadTokenizer } from '../formats/tokenizer.js';
import type { Tokenizer } from '../formats/tokenizer.js';
import { prepareForward } from '../models/forward.js';
import type { PreparedForward } from '../models/forward.js';
import { hookWidth } from '../models/hooks.js';
import { loadTransformer } from '../models/load.js';
import { assertHookWidth } from '../sae/canonical.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { prepareEncoder } from '../sae/encode.js';
import { loadSae } from '../sae/formats/load.js';
import type { Workspace } from '../store/workspace.js';
import { documentStart } from './generate.js';
import { decoderCosines, fitDirections, meanRows, topByMagnitude } from './caa.js';
import { promptSource } from './prompt-service.js';

export type DecomposeParams = ValidParamsOf<'steer.decompose'>;

/** The CAA vector of the two prompt lists at the SAE's hook, and its reading in the SAE's features. */
export async function decomposeSteering(ws: Workspace, params: DecomposeParams): Promise<SteeringDecomposition> {
  const source = promptSource(ws, params.saeId);
  const { weights, dir } = loadTransformer(source.modelPath);
  const tokenizer = await loadTokenizer(dir);
  const sae = loadSae(source.saePath);
  const hook = source.hookName;
  assertHookWidth(sae, hookWidth(weights.config, hook), source.modelName, hook);
  const forward = await prepareForward(weights, { hooks: [hook] });
  const d = sae.dIn;
  const last = async (texts: readonly string[], field: string) =>
    lastTokenActs(forward, tokenizer, texts, hook, d, weights.config.nCtx, params.prependBos, field);
  const pos = await last(params.positive, 'positive');
  const neg = await last(params.negative, 'negative');
  const negMean = meanRows(neg, params.negative.length, d);
  const v = meanRows(pos, params.positive.length, d).map((x, j) => x - negMean[j]);
  const delta = await meanActDelta(sae, pos, params.positive.length, neg, params.negative.length);
  const cosines = decoderCosines(sae.wDec, sae.dSae, v);
  const labels = new Map(ws.features.labels.listForSae(params.saeId).map((l) => [l.key.index, l.label]));
  const ranking = (order: number[]): DecomposedFeature[] => {
    const fit = fitDirections(sae.wDec, d, order, v);
    return order.map((index, i) => ({
      index,
      label: labels.get(index) ?? '',
      cosine: r6(cosines[index]),
      deltaAct: r6(delta[index]),
      coefficient: r6(fit.coefficients[i]),
    }));
  };
  const byCos = topByMagnitude(cosines, params.k);
  const byEnc = topByMagnitude(delta, params.k);
  const explained = Array.from({ length: params.k }, (_, i) => ({
    j: i + 1,
    byCosine: r6(fitDirections(sae.wDec, d, byCos.slice(0, i + 1), v).explained),
    byEncoder: r6(fitDirections(sae.wDec, d, byEnc.slice(0, i + 1), v).explained),
  }));
  return {
    saeId: params.saeId,
    modelId: ws.saes.get(params.saeId)!.modelId!,
    hookName: hook,
    nPositive: params.positive.length,
    nNegative: params.negative.length,
    norm: r6(Math.hypot(...v)),
    vector: Array.from(v, (x) => Math.fround(x)),
    byCosine: ranking(byCos),
    byEncoder: ranking(byEnc),
    explained,
  };
}

/** [n, d]: the hook's activation at each text's last token (after a BOS when asked). */
async function lastTokenActs(
  forward: PreparedForward,
  tokenizer: Tokenizer,
  texts: readonly string[],
  hook: string,
  d: number,
  nCtx: number,
  bos: boolean,
  field: string,
): Promise<Float32Array> {
  const out = new Float32Array(texts.length * d);
  for (const [i, text] of texts.entries()) {
    const ids = Array.from(tokenizer.encode(text).ids);
    if (ids.length === 0) throw new ApiFailure('failed', `${field} prompt ${i} has no tokens`, `${field}.${i}`);
    const start = documentStart(tokenizer);
    const read = (bos && start !== undefined ? [start, ...ids] : ids).slice(-nCtx);
    const { outputs } = await forward.run({ dims: [1, read.length], data: BigInt64Array.from(read, BigInt) });
    out.set(outputs.get(hook)!.data.subarray((read.length - 1) * d, read.length * d), i * d);
  }
  return out;
}

/** [dSae]: each feature's mean activation on the positive rows minus on the negative rows. */
async function meanActDelta(sae: CanonicalSae, pos: Float32Array, nPos: number, neg: Float32Array, nNeg: number): Promise<Float64Array> {
  const encoder = await prepareEncoder(sae, { dense: true });
  const mean = async (x: Float32Array, n: number) => meanRows((await encoder.encode(x, n)).featureActs!, n, sae.dSae);
  const [p, q] = [await mean(pos, nPos), await mean(neg, nNeg)];
  return p.map((x, i) => x - q[i]);
}

function r6(x: number): number {
  return Number(x.toPrecision(6));
}
