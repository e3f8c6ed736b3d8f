import { resolveHooks } from '../models/hooks.js';
import type { Linear, TransformerWeights } from '../models/weights.js';

/**
 * A feature's decoder direction as a direction in the residual stream, for its direct logit effect.
 * Residual-width hooks need nothing; an attention SAE on attn.hook_z ([heads·dHead]) writes through
 * the layer's W_O, and an SAE on mlp.hook_post through the MLP's W_out, as Neuronpedia and SAELens's
 * dashboards map them (Gemma's post-attention and post-MLP norms are not linear and are left out).
 */
export function residualDirections(model: TransformerWeights, hook: string, wDec: Float32Array, dSae: number, dIn: number): Float32Array {
  const { dModel } = model.config;
  const [ref] = resolveHooks(model.config, [hook]);
  const layer = ref.layer === undefined ? undefined : model.layers[ref.layer];
  if (ref.point === 'attn.hook_z' && layer) return throughLinear(wDec, dSae, dIn, dModel, layer.attn.o, hook);
  if (ref.point === 'mlp.hook_post' && layer?.mlp) return throughLinear(wDec, dSae, dIn, dModel, layer.mlp.out, hook);
  if (dIn === dModel) return wDec;
  throw new Error(`${hook}: decoder directions ${dIn} wide have no map into the ${dModel}-wide residual stream for their logit effects`);
}

/** [dSae, dIn] · W [dIn, dModel] (W stored [in, out] or [out, in]), float64 sums. */
function throughLinear(wDec: Float32Array, dSae: number, dIn: number, dModel: number, l: Linear, hook: string): Float32Array {
  const [rows, cols] = l.w.shape;
  const inOut = l.layout === 'inOut';
  if ((inOut ? rows : cols) !== dIn || (inOut ? cols : rows) !== dModel) {
    throw new Error(`${hook}: the SAE reads ${dIn} values but the projection after it is [${l.w.shape.join(', ')}]`);
  }
  const w = l.w.data;
  const out = new Float32Array(dSae * dModel);
  const acc = new Float64Array(dModel);
  for (let j = 0; j < dSae; j++) {
    acc.fill(0);
    for (let i = 0; i < dIn; i++) {
      const d = wDec[j * dIn + i];
      if (d === 0) continue;
      if (inOut) for (let m = 0; m < dModel; m++) acc[m] += d * w[i * dModel + m];
      else for (let m = 0; m < dModel; m++) acc[m] += d * w[m * dIn + i];
    }
    out.set(acc, j * dModel);
  }
  return out;
}
