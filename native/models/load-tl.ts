import type { TransformerConfig } from './config.js';
import { concat1d, concatColumns, take } from './weights.js';
import type { AttentionWeights, LayerWeights, MlpWeights, NormWeights, StateDict, Tensor32, TransformerWeights } from './weights.js';

/**
 * A TransformerLens HookedTransformer state dict. Per-head attention weights are regrouped into one
 * [dModel, 3·nHeads·dHead] QKV matrix so each block does a single projection MatMul. Buffers TL
 * keeps in state dicts (`IGNORE`, `mask`) are never read.
 */
export function loadTransformerLensWeights(dict: StateDict, config: TransformerConfig): TransformerWeights {
  const { dModel, dVocab, nCtx, nLayers, normalization } = config;
  const ln = (name: string, d = dModel): NormWeights | undefined =>
    normalization === 'LN' ? { w: take(dict, `${name}.w`, [d]), b: take(dict, `${name}.b`, [d]) } : undefined;
  const layers: LayerWeights[] = [];
  for (let l = 0; l < nLayers; l++) {
    const b = `blocks.${l}`;
    layers.push({
      ln1: ln(`${b}.ln1`),
      attn: attentionWeights(dict, b, config),
      ln2: config.attnOnly ? undefined : ln(`${b}.ln2`),
      mlp: mlpWeights(dict, b, config),
    });
  }
  const unembedBias = dict.has('unembed.b_U') ? take(dict, 'unembed.b_U', [dVocab]) : undefined;
  return {
    config,
    wE: take(dict, 'embed.W_E', [dVocab, dModel]),
    wPos: take(dict, 'pos_embed.W_pos', [nCtx, dModel]),
    layers,
    lnFinal: ln('ln_final'),
    unembed: { w: take(dict, 'unembed.W_U', [dModel, dVocab]), layout: 'dModelByVocab', ...(unembedBias ? { b: unembedBias } : {}) },
  };
}

function attentionWeights(dict: StateDict, block: string, config: TransformerConfig): AttentionWeights {
  const { nHeads, dModel, dHead } = config;
  const perHead = (w: string) => headsToColumns(take(dict, `${block}.attn.W_${w}`, [nHeads, dModel, dHead]));
  const bias = (w: string) => {
    const t = take(dict, `${block}.attn.b_${w}`, [nHeads, dHead]);
    return { shape: [nHeads * dHead], data: t.data };
  };
  const wO = take(dict, `${block}.attn.W_O`, [nHeads, dHead, dModel]);
  return {
    qkv: { w: concatColumns([perHead('Q'), perHead('K'), perHead('V')]), b: concat1d([bias('Q'), bias('K'), bias('V')]), layout: 'inOut' },
    // [nHeads, dHead, dModel] is already [nHeads·dHead, dModel] in memory.
    o: { w: { shape: [nHeads * dHead, dModel], data: wO.data }, b: take(dict, `${block}.attn.b_O`, [dModel]), layout: 'inOut' },
  };
}

/** [nHeads, dModel, dHead] -> [dModel, nHeads·dHead], head h in columns h·dHead .. (h+1)·dHead. */
function headsToColumns(w: Tensor32): Tensor32 {
  const [nHeads, dModel, dHead] = w.shape;
  const out = new Float32Array(w.data.length);
  const cols = nHeads * dHead;
  for (let h = 0; h < nHeads; h++) {
    for (let d = 0; d < dModel; d++) {
      out.set(w.data.subarray((h * dModel + d) * dHead, (h * dModel + d + 1) * dHead), d * cols + h * dHead);
    }
  }
  return { shape: [dModel, cols], data: out };
}

function mlpWeights(dict: StateDict, block: string, config: TransformerConfig): MlpWeights | undefined {
  if (config.attnOnly) return undefined;
  const { dModel, dMlp } = config;
  const m = `${block}.mlp`;
  return {
    in: { w: take(dict, `${m}.W_in`, [dModel, dMlp]), b: take(dict, `${m}.b_in`, [dMlp]), layout: 'inOut' },
    out: { w: take(dict, `${m}.W_out`, [dMlp, dModel]), b: take(dict, `${m}.b_out`, [dModel]), layout: 'inOut' },
    // SoLU's LayerNorm has learned weights even when the model's normalization_type is LNPre.
    ...(config.actFn === 'solu_ln' && dict.has(`${m}.ln.w`)
      ? { ln: { w: take(dict, `${m}.ln.w`, [dMlp]), b: take(dict, `${m}.ln.b`, [dMlp]) } }
      : {}),
  };
}
