import { FormatError } from '../formats/tensor.js';
import type { TransformerConfig } from './config.js';
import { sameValues, take } from './weights.js';
import type { LayerWeights, NormWeights, StateDict, TransformerWeights, UnembedWeights } from './weights.js';

/**
 * A Hugging Face GPT-2 state dict (GPT2Model keys, or GPT2LMHeadModel's with `transformer.`). Its
 * Conv1D weights are already [in, out], the layout MatMul wants; `attn.bias`/`attn.masked_bias` are
 * causal-mask buffers, not weights, and are never read.
 */
export function loadGpt2Weights(dict: StateDict, config: TransformerConfig): TransformerWeights {
  const prefix = dict.has('transformer.wte.weight') ? 'transformer.' : dict.has('wte.weight') ? '' : null;
  if (prefix === null) throw new FormatError(dict.source, 'not a GPT-2 state dict: no "transformer.wte.weight" or "wte.weight"');
  const { dModel, dVocab, nCtx, dMlp, nLayers } = config;
  const p = (name: string) => `${prefix}${name}`;
  const ln = (name: string): NormWeights => ({ w: take(dict, p(`${name}.weight`), [dModel]), b: take(dict, p(`${name}.bias`), [dModel]) });
  const wE = take(dict, p('wte.weight'), [dVocab, dModel]);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < nLayers; l++) {
    const h = `h.${l}`;
    layers.push({
      ln1: ln(`${h}.ln_1`),
      attn: {
        qkv: {
          w: take(dict, p(`${h}.attn.c_attn.weight`), [dModel, 3 * dModel]),
          b: take(dict, p(`${h}.attn.c_attn.bias`), [3 * dModel]),
          layout: 'inOut',
        },
        o: {
          w: take(dict, p(`${h}.attn.c_proj.weight`), [dModel, dModel]),
          b: take(dict, p(`${h}.attn.c_proj.bias`), [dModel]),
          layout: 'inOut',
        },
      },
      ln2: ln(`${h}.ln_2`),
      mlp: {
        in: { w: take(dict, p(`${h}.mlp.c_fc.weight`), [dModel, dMlp]), b: take(dict, p(`${h}.mlp.c_fc.bias`), [dMlp]), layout: 'inOut' },
        out: {
          w: take(dict, p(`${h}.mlp.c_proj.weight`), [dMlp, dModel]),
          b: take(dict, p(`${h}.mlp.c_proj.bias`), [dModel]),
          layout: 'inOut',
        },
      },
    });
  }
  return {
    config,
    wE,
    wPos: take(dict, p('wpe.weight'), [nCtx, dModel]),
    layers,
    lnFinal: ln('ln_f'),
    unembed: gpt2Unembed(dict, wE, dVocab, dModel),
  };
}

/** Tied to the embedding unless the file holds an lm_head that differs from it. */
function gpt2Unembed(dict: StateDict, wE: TransformerWeights['wE'], dVocab: number, dModel: number): UnembedWeights {
  if (dict.has('lm_head.weight')) {
    const head = take(dict, 'lm_head.weight', [dVocab, dModel]);
    if (!sameValues(head, wE)) return { w: head, layout: 'vocabByDModel' };
  }
  return { w: wE, layout: 'vocabByDModel' };
}
