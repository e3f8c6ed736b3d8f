// Writes a seeded random Llama in Hugging Face's sharded layout (config.json,
// model.safetensors.index.json, model-0000N-of-0000M.safetensors), its weights in bf16, generated a
// chunk at a time so the writer never holds more than one shard.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../../native/formats/safetensors.js';
import type { HostTensor } from '../../native/formats/tensor.js';
import type { LlamaShapeOptions } from '../../native/models/random.js';
import { randomUniform } from '../../native/onnx/matmul-rate.js';

/** The shipped Llama shape (its n_ctx is max_position_embeddings, 2048 here) and the weights' seed. */
export interface LlamaSpec extends Omit<LlamaShapeOptions, 'nCtx'> {
  seed: number;
}

const CHUNK = 1 << 20;

/** Uniform in [-scale, scale) rounded to bf16 (round to nearest even), seeded per tensor and chunk. */
export function randomBf16(count: number, seed: number, scale: number): Uint16Array {
  const out = new Uint16Array(count);
  const u = new Uint32Array(1);
  for (let start = 0, chunk = 0; start < count; start += CHUNK, chunk++) {
    const values = randomUniform(Math.min(CHUNK, count - start), seed * 1_000_003 + chunk, scale);
    const bits = new Uint32Array(values.buffer);
    for (let i = 0; i < bits.length; i++) {
      u[0] = bits[i] + 0x7fff + ((bits[i] >>> 16) & 1);
      out[start + i] = u[0] >>> 16;
    }
  }
  return out;
}

/** The config.json transformers 4.x writes for a LlamaForCausalLM (untied, llama3 rope scaling). */
export function llamaConfigJson(spec: LlamaSpec): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_act: 'silu',
    hidden_size: spec.dModel,
    intermediate_size: spec.dMlp,
    num_attention_heads: spec.nHeads,
    num_key_value_heads: spec.nKvHeads,
    num_hidden_layers: spec.nLayers,
    head_dim: spec.dModel / spec.nHeads,
    vocab_size: spec.dVocab,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-5,
    rope_theta: 500000.0,
    rope_scaling: { factor: 8.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 64, rope_type: 'llama3' },
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: false,
    torch_dtype: 'bfloat16',
    transformers_version: '4.46.0',
  };
}

/** Every tensor's name, shape and shard (the embedding first, the layers, the final norm and lm_head last). */
export function llamaTensors(spec: LlamaSpec): { name: string; shape: number[]; shard: number }[] {
  const { dModel: d, nHeads, nKvHeads, dMlp, dVocab } = spec;
  const dHead = d / nHeads;
  const out = [{ name: 'model.embed_tokens.weight', shape: [dVocab, d], shard: 1 }];
  for (let l = 0; l < spec.nLayers; l++) {
    const p = `model.layers.${l}`;
    out.push(
      { name: `${p}.input_layernorm.weight`, shape: [d], shard: 2 },
      { name: `${p}.self_attn.q_proj.weight`, shape: [nHeads * dHead, d], shard: 2 },
      { name: `${p}.self_attn.k_proj.weight`, shape: [nKvHeads * dHead, d], shard: 2 },
      { name: `${p}.self_attn.v_proj.weight`, shape: [nKvHeads * dHead, d], shard: 2 },
      { name: `${p}.self_attn.o_proj.weight`, shape: [d, nHeads * dHead], shard: 2 },
      { name: `${p}.post_attention_layernorm.weight`, shape: [d], shard: 2 },
      { name: `${p}.mlp.gate_proj.weight`, shape: [dMlp, d], shard: 2 },
      { name: `${p}.mlp.up_proj.weight`, shape: [dMlp, d], shard: 2 },
      { name: `${p}.mlp.down_proj.weight`, shape: [d, dMlp], shard: 2 },
    );
  }
  out.push({ name: 'model.norm.weight', shape: [d], shard: 3 }, { name: 'lm_head.weight', shape: [dVocab, d], shard: 3 });
  return out;
}

export function shardName(shard: number, of = 3): string {
  return `model-${String(shard).padStart(5, '0')}-of-${String(of).padStart(5, '0')}.safetensors`;
}

/**
 * Writes the model into `dir` and returns its float32 weight size in bytes. Norm weights sit around
 * 1 (0.5..1.5), projections at the scale that keeps activations near unit size, the embedding and
 * lm_head at 0.02·√3 as Llama initialises them.
 */
export function writeBigLlama(dir: string, spec: LlamaSpec): number {
  const tensors = llamaTensors(spec);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(llamaConfigJson(spec), null, 2));
  let values = 0;
  for (const shard of [1, 2, 3]) {
    const here: Record<string, HostTensor> = {};
    tensors.forEach(({ name, shape, shard: s }, i) => {
      if (s !== shard) return;
      const n = shape.reduce((a, b) => a * b, 1);
      values += n;
      const bits =
        shape.length === 1
          ? normBits(n, spec.seed + i)
          : randomBf16(n, spec.seed + i, name.includes('embed') || name.startsWith('lm_head') ? 0.035 : 1 / Math.sqrt(shape[1]));
      here[name] = { dtype: 'BF16', shape, data: bits };
    });
    writeSafetensors(join(dir, shardName(shard)), here, { format: 'pt' });
  }
  const weightMap = Object.fromEntries(tensors.map((t) => [t.name, shardName(t.shard)]));
  writeFileSync(
    join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: values * 2 }, weight_map: weightMap }, null, 2),
  );
  return values * 4;
}

/** 1 + uniform noise in [-0.5, 0.5), truncated to bf16: norm weights away from 1, so a missed weight shows. */
function normBits(n: number, seed: number): Uint16Array {
  const bits = new Uint32Array(randomUniform(n, seed, 0.5).map((v) => 1 + v).buffer);
  return Uint16Array.from(bits, (b) => b >>> 16);
}
