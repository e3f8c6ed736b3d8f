import { ApiFailure } from '../api/errors.js';
import type { LogitHistogram } from '../api/types.js';
import { FormatError } from '../formats/tensor.js';
import { loadTransformer } from '../models/load.js';
import type { UnembedWeights } from '../models/weights.js';
import { loadSae } from '../sae/formats/load.js';
import type { Workspace } from '../store/workspace.js';

/**
 * A feature's direct logit effect over the whole vocabulary, W_dec[f] · W_U, binned (sae_vis's
 * logit histogram). One vector × matrix product per feature (dModel · dVocab multiply-adds, 1M on
 * the demo, 39M on GPT-2 small), so it runs on demand in a plain float64 loop; the weights stay
 * cached between calls, since paging through features asks for one histogram each.
 */

/** [dVocab] W_U applied to `row` [dModel], accumulated in float64; the unembedding bias left out, as the index's token lists leave it. */
export function directLogits(row: Float32Array, unembed: UnembedWeights): Float64Array {
  const { w, layout } = unembed;
  const [dModel, dVocab] = layout === 'dModelByVocab' ? w.shape : [w.shape[1], w.shape[0]];
  if (row.length !== dModel) throw new RangeError(`a decoder row of ${row.length} values cannot meet W_U of ${dModel} rows`);
  const out = new Float64Array(dVocab);
  if (layout === 'dModelByVocab') {
    for (let i = 0; i < dModel; i++) {
      const r = row[i];
      const base = i * dVocab;
      for (let v = 0; v < dVocab; v++) out[v] += r * w.data[base + v];
    }
  } else {
    for (let v = 0; v < dVocab; v++) {
      let sum = 0;
      const base = v * dModel;
      for (let i = 0; i < dModel; i++) sum += row[i] * w.data[base + i];
      out[v] = sum;
    }
  }
  return out;
}

/** Equal-width bins over [min, max] (the last bin closed); a constant vector gets one bin's width of 1 around it. */
export function binValues(values: Float64Array, bins: number): Omit<LogitHistogram, 'key' | 'dVocab'> {
  let [min, max, sum] = [Infinity, -Infinity, 0];
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  const [lo, hi] = max > min ? [min, max] : [min - 0.5, max + 0.5];
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  return { edges, counts, min, max, mean, std: Math.sqrt(sq / values.length) };
}

interface Loaded {
  /** [dSae, dIn] */ wDec: Float32Array;
  dIn: number;
  dSae: number;
  unembed: UnembedWeights;
  dModel: number;
}

/** The workspace's SAEs' histograms, with the last SAE's decoder and its model's unembedding kept. */
export class LogitHistogramService {
  #cached: { key: string; loaded: Loaded } | null = null;

  histogram(ws: Workspace, saeId: string, index: number, bins: number): LogitHistogram {
    const sae = ws.saes.get(saeId);
    if (!sae) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId');
    if (index >= sae.dSae)
      throw new ApiFailure('not_found', `SAE "${saeId}" has ${sae.dSae} features; there is no feature ${index}`, 'index');
    const model = sae.modelId === null ? undefined : ws.models.get(sae.modelId);
    if (!model)
      throw new ApiFailure(
        'conflict',
        `SAE "${sae.name}" is not attached to a model, so it has no vocabulary to show logits over`,
        'saeId',
      );
    const key = JSON.stringify([sae.path, sae.fingerprint, model.path, model.fingerprint]);
    if (this.#cached?.key !== key) this.#cached = { key, loaded: load(sae.path, model.path) };
    const { wDec, dIn, dModel, unembed } = this.#cached.loaded;
    if (dIn !== dModel)
      throw new ApiFailure(
        'failed',
        `SAE "${sae.name}" writes ${dIn} values, not the model's ${dModel}-wide residual stream: W_dec·W_U is not defined for it`,
        'saeId',
      );
    const logits = directLogits(wDec.subarray(index * dIn, (index + 1) * dIn), unembed);
    return { key: { saeId, index }, dVocab: logits.length, ...binValues(logits, bins) };
  }
}

function load(saePath: string, modelPath: string): Loaded {
  let [sae, weights] = [null as ReturnType<typeof loadSae> | null, null as ReturnType<typeof loadTransformer>['weights'] | null];
  try {
    sae = loadSae(saePath);
    weights = loadTransformer(modelPath).weights;
  } catch (error) {
    if (error instanceof FormatError)
      throw new ApiFailure(
        'failed',
        `cannot load ${sae ? `the model at ${modelPath}` : `the SAE at ${saePath}`}: ${error.message}`,
        'saeId',
      );
    throw error;
  }
  return { wDec: sae.wDec, dIn: sae.dIn, dSae: sae.dSae, unembed: weights.unembed, dModel: weights.config.dModel };
}
