// A plain TypeScript Llama forward pass in float64, written from transformers' modeling_llama.py
// (RMSNorm, rotate-half rotary with optional llama3 scaling, grouped-query causal attention, SwiGLU),
// sharing no code with the ONNX graphs it checks. Slow and simple: a handful of tokens.

export interface LlamaShape {
  nLayers: number;
  dModel: number;
  nHeads: number;
  nKvHeads: number;
  dHead: number;
  dMlp: number;
  dVocab: number;
  ropeTheta: number;
  eps: number;
  llama3?: { factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };
}

/** The shape a Hugging Face Llama config.json describes. */
export function llamaShape(cfg: Record<string, unknown>): LlamaShape {
  const n = (k: string) => cfg[k] as number;
  const scaling = cfg.rope_scaling as Record<string, number> | null | undefined;
  return {
    nLayers: n('num_hidden_layers'),
    dModel: n('hidden_size'),
    nHeads: n('num_attention_heads'),
    nKvHeads: n('num_key_value_heads'),
    dHead: (cfg.head_dim as number | undefined) ?? n('hidden_size') / n('num_attention_heads'),
    dMlp: n('intermediate_size'),
    dVocab: n('vocab_size'),
    ropeTheta: n('rope_theta'),
    eps: n('rms_norm_eps'),
    ...(scaling
      ? {
          llama3: {
            factor: scaling.factor,
            lowFreqFactor: scaling.low_freq_factor,
            highFreqFactor: scaling.high_freq_factor,
            originalMaxPositions: scaling.original_max_position_embeddings,
          },
        }
      : {}),
  };
}

/** Hidden states per token: [seq][dModel] at each hook, and logits [seq][dVocab] at the asked positions. */
export interface LlamaReference {
  hooks: Map<string, Float64Array[]>;
  /** by position */
  logits: Map<number, Float64Array>;
}

/**
 * Runs one sequence. `weight(name)` returns a tensor by its checkpoint name as float32 row-major; it
 * is asked for one tensor at a time (the lm_head last), so a caller can read lazily and let go.
 */
export function llamaReference(
  shape: LlamaShape,
  weight: (name: string) => Float32Array,
  ids: readonly number[],
  logitPositions: readonly number[],
): LlamaReference {
  const { dModel: d, nHeads, nKvHeads, dHead, dMlp } = shape;
  const hooks = new Map<string, Float64Array[]>();
  const embed = weight('model.embed_tokens.weight');
  let h: Float64Array[] = ids.map((id) => Float64Array.from(embed.subarray(id * d, (id + 1) * d)));
  const inv = inverseFrequencies(shape);
  for (let l = 0; l < shape.nLayers; l++) {
    const p = `model.layers.${l}`;
    hooks.set(`blocks.${l}.hook_resid_pre`, h);
    const x = h.map((row) => rmsNorm(row, weight(`${p}.input_layernorm.weight`), shape.eps));
    const q = x.map((row) => matVec(weight(`${p}.self_attn.q_proj.weight`), row, nHeads * dHead));
    const k = x.map((row) => matVec(weight(`${p}.self_attn.k_proj.weight`), row, nKvHeads * dHead));
    const v = x.map((row) => matVec(weight(`${p}.self_attn.v_proj.weight`), row, nKvHeads * dHead));
    q.forEach((row, pos) => rotate(row, nHeads, dHead, inv, pos));
    k.forEach((row, pos) => rotate(row, nKvHeads, dHead, inv, pos));
    const z = q.map((qRow, i) => attend(qRow, k, v, i, nHeads, nKvHeads, dHead));
    const wo = weight(`${p}.self_attn.o_proj.weight`);
    const mid = h.map((row, i) => add(row, matVec(wo, z[i], d)));
    hooks.set(`blocks.${l}.hook_resid_mid`, mid);
    const x2 = mid.map((row) => rmsNorm(row, weight(`${p}.post_attention_layernorm.weight`), shape.eps));
    const [gate, up, down] = ['gate_proj', 'up_proj', 'down_proj'].map((n) => weight(`${p}.mlp.${n}.weight`));
    h = mid.map((row, i) => {
      const g = matVec(gate, x2[i], dMlp);
      const u = matVec(up, x2[i], dMlp);
      const post = g.map((a, j) => (a / (1 + Math.exp(-a))) * u[j]);
      return add(row, matVec(down, post, d));
    });
    hooks.set(`blocks.${l}.hook_resid_post`, h);
  }
  const normed = h.map((row) => rmsNorm(row, weight('model.norm.weight'), shape.eps));
  hooks.set('ln_final.hook_normalized', normed);
  const lmHead = weight('lm_head.weight');
  const logits = new Map(logitPositions.map((pos) => [pos, matVec(lmHead, normed[pos], shape.dVocab)]));
  return { hooks, logits };
}

function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const a of x) ss += a * a;
  const scale = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((a, i) => a * scale * w[i]);
}

/** W [rows, x.length] (torch's [out, in]) times x. */
function matVec(w: Float32Array, x: Float64Array, rows: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * n;
    for (let c = 0; c < n; c++) s += w[base + c] * x[c];
    out[r] = s;
  }
  return out;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i]);
}

function inverseFrequencies(shape: LlamaShape): Float64Array {
  const half = shape.dHead / 2;
  const inv = Float64Array.from({ length: half }, (_, i) => 1 / Math.pow(shape.ropeTheta, (2 * i) / shape.dHead));
  const s = shape.llama3;
  if (!s) return inv;
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (f / s.factor) + smooth * f;
  });
}

/** rotate_half: each head's first and second halves are the pairs rotated by position × frequency. */
function rotate(row: Float64Array, heads: number, dHead: number, inv: Float64Array, pos: number): void {
  const half = dHead / 2;
  for (let h = 0; h < heads; h++) {
    const o = h * dHead;
    for (let i = 0; i < half; i++) {
      const angle = pos * inv[i];
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      const [a, b] = [row[o + i], row[o + half + i]];
      row[o + i] = a * c - b * s;
      row[o + half + i] = b * c + a * s;
    }
  }
}

/** hook_z of query position i: each head's softmax over keys 0..i, weighting values of its kv head. */
function attend(
  q: Float64Array,
  k: Float64Array[],
  v: Float64Array[],
  i: number,
  nHeads: number,
  nKv: number,
  dHead: number,
): Float64Array {
  const z = new Float64Array(nHeads * dHead);
  const group = nHeads / nKv;
  for (let h = 0; h < nHeads; h++) {
    const kv = Math.floor(h / group) * dHead;
    const scores = Array.from({ length: i + 1 }, (_, j) => {
      let s = 0;
      for (let t = 0; t < dHead; t++) s += q[h * dHead + t] * k[j][kv + t];
      return s / Math.sqrt(dHead);
    });
    const max = Math.max(...scores);
    const e = scores.map((s) => Math.exp(s - max));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j <= i; j++) for (let t = 0; t < dHead; t++) z[h * dHead + t] += (e[j] / sum) * v[j][kv + t];
  }
  return z;
}
