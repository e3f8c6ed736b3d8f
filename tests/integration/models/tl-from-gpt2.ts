import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSafetensors, writeSafetensors } from '../../../native/formats/safetensors.js';
import type { HostTensor } from '../../../native/formats/tensor.js';
import { SHARED } from '../../helpers/shared.js';

const GPT2 = `${SHARED}/fixtures/gpt2-tiny`;

/**
 * Writes gpt2-tiny as a TransformerLens folder (config.json + model.safetensors in TL naming), so the
 * TL loader can be checked against the GPT-2 references and with activations that have no PyTorch refs.
 */
export function writeTlFromGpt2(dir: string, overrides: Record<string, unknown> = {}): string {
  const src = openSafetensors(join(GPT2, 'model.safetensors'));
  const get = (name: string) => src.readFloat32(`transformer.${name}`).data;
  const [D, H, V, L, C] = [64, 4, 97, 2, 32];
  const dh = D / H;
  const f32 = (shape: number[], data: Float32Array): HostTensor => ({ dtype: 'F32', shape, data });
  const tensors: Record<string, HostTensor> = {
    'embed.W_E': f32([V, D], get('wte.weight')),
    'pos_embed.W_pos': f32([C, D], get('wpe.weight')),
    'ln_final.w': f32([D], get('ln_f.weight')),
    'ln_final.b': f32([D], get('ln_f.bias')),
    'unembed.W_U': f32([D, V], transpose(get('wte.weight'), V, D)),
  };
  for (let l = 0; l < L; l++) {
    const b = `blocks.${l}`;
    const h = `h.${l}`;
    const qkv = get(`${h}.attn.c_attn.weight`);
    const qkvBias = get(`${h}.attn.c_attn.bias`);
    ['Q', 'K', 'V'].forEach((name, which) => {
      const w = new Float32Array(H * D * dh);
      for (let head = 0; head < H; head++)
        for (let d = 0; d < D; d++) for (let i = 0; i < dh; i++) w[(head * D + d) * dh + i] = qkv[d * 3 * D + which * D + head * dh + i];
      tensors[`${b}.attn.W_${name}`] = f32([H, D, dh], w);
      tensors[`${b}.attn.b_${name}`] = f32([H, dh], qkvBias.slice(which * D, (which + 1) * D));
    });
    tensors[`${b}.attn.W_O`] = f32([H, dh, D], get(`${h}.attn.c_proj.weight`));
    tensors[`${b}.attn.b_O`] = f32([D], get(`${h}.attn.c_proj.bias`));
    tensors[`${b}.attn.IGNORE`] = f32([], Float32Array.of(-Infinity));
    tensors[`${b}.attn.mask`] = { dtype: 'BOOL', shape: [C, C], data: new Uint8Array(C * C) };
    for (const [tl, hf] of [
      ['ln1', 'ln_1'],
      ['ln2', 'ln_2'],
    ]) {
      tensors[`${b}.${tl}.w`] = f32([D], get(`${h}.${hf}.weight`));
      tensors[`${b}.${tl}.b`] = f32([D], get(`${h}.${hf}.bias`));
    }
    tensors[`${b}.mlp.W_in`] = f32([D, 4 * D], get(`${h}.mlp.c_fc.weight`));
    tensors[`${b}.mlp.b_in`] = f32([4 * D], get(`${h}.mlp.c_fc.bias`));
    tensors[`${b}.mlp.W_out`] = f32([4 * D, D], get(`${h}.mlp.c_proj.weight`));
    tensors[`${b}.mlp.b_out`] = f32([D], get(`${h}.mlp.c_proj.bias`));
    // SoLU's own LayerNorm, read only when act_fn is solu_ln
    tensors[`${b}.mlp.ln.w`] = f32([4 * D], new Float32Array(4 * D).fill(1.5));
    tensors[`${b}.mlp.ln.b`] = f32([4 * D], new Float32Array(4 * D).fill(0.25));
  }
  src.close();
  mkdirSync(dir, { recursive: true });
  writeSafetensors(join(dir, 'model.safetensors'), tensors);
  const config = {
    n_layers: L,
    d_model: D,
    n_heads: H,
    d_head: dh,
    d_mlp: 4 * D,
    d_vocab: V,
    n_ctx: C,
    act_fn: 'gelu_new',
    normalization_type: 'LN',
    ...overrides,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}
