import { FormatError } from '../formats/tensor.js';
import type { TransformerConfig } from './config.js';
import { optionalBias, unembedding } from './load-hf.js';
import { take } from './weights.js';
import type { Linear, LayerWeights, NormWeights, StateDict, Tensor32, TransformerWeights } from './weights.js';

/**
 * A Hugging Face GPT-NeoX / Pythia state dict (gpt_neox.layers.N.attention.query_key_value …).
 * The fused QKV projection interleaves per head (q_h, k_h, v_h for each head h); its rows are
 * regrouped into q | k | v so the graph splits it like every other family's. The untied output
 * matrix is embed_out (lm_head in newer checkpoints).
 */
export function loadNeoxWeights(dict: StateDict, config: TransformerConfig, tied: boolean): TransformerWeights {
  const prefix = dict.has('gpt_neox.embed_in.weight') ? 'gpt_neox.' : dict.has('embed_in.weight') ? '' : null;
  if (prefix === null) throw new FormatError(dict.source, 'not a GPT-NeoX state dict: no "gpt_neox.embed_in.weight"');
  const { dModel, dVocab, nLayers, nHeads, dHead, dMlp } = config;
  const width = nHeads * dHead;
  const ln = (name: string): NormWeights => ({ w: take(dict, `${name}.weight`, [dModel]), b: take(dict, `${name}.bias`, [dModel]) });
  const proj = (name: string, shape: [number, number]): Linear => ({
    w: take(dict, `${name}.weight`, shape),
    layout: 'outIn',
    ...optionalBias(dict, `${name}.bias`, shape[0]),
  });
  const layers: LayerWeights[] = [];
  for (let l = 0; l < nLayers; l++) {
    const p = `${prefix}layers.${l}`;
    const qkv = proj(`${p}.attention.query_key_value`, [3 * width, dModel]);
    layers.push({
      ln1: ln(`${p}.input_layernorm`),
      attn: {
        qkv: { ...qkv, w: regroupRows(qkv.w, nHeads, dHead), ...(qkv.b ? { b: regroupRows(qkv.b, nHeads, dHead) } : {}) },
        o: proj(`${p}.attention.dense`, [dModel, width]),
      },
      ln2: ln(`${p}.post_attention_layernorm`),
      mlp: { in: proj(`${p}.mlp.dense_h_to_4h`, [dMlp, dModel]), out: proj(`${p}.mlp.dense_4h_to_h`, [dModel, dMlp]) },
    });
  }
  const wE = take(dict, `${prefix}embed_in.weight`, [dVocab, dModel]);
  return {
    config,
    wE,
    layers,
    lnFinal: ln(`${prefix}final_layer_norm`),
    unembed: unembedding(dict, wE, tied, config, ['embed_out.weight', 'lm_head.weight']),
  };
}

/** [nHeads · 3 · dHead, ...] rows in (head, q|k|v, dHead) order -> (q|k|v, head, dHead). */
function regroupRows(t: Tensor32, nHeads: number, dHead: number): Tensor32 {
  const rowSize = t.data.length / (3 * nHeads * dHead);
  const out = new Float32Array(t.data.length);
  const block = dHead * rowSize;
  for (let h = 0; h < nHeads; h++) {
    for (let part = 0; part < 3; part++) {
      const from = (h * 3 + part) * block;
      out.set(t.data.subarray(from, from + block), (part * nHeads + h) * block);
    }
  }
  return { shape: t.shape, data: out };
}
