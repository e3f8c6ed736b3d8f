import { mulberry32 } from '../../api/random.js';
import type { TransformerWeights } from '../../models/weights.js';
import { createSession } from '../../onnx/ort.js';
import type { Feed, OrtSession, SessionOptions } from '../../onnx/ort.js';
import type { AblationSparsityReport, LatentAblation } from '../../api/eval-report.js';
import type { CanonicalSae } from '../canonical.js';
import { ablateFeeds } from '../splices.js';
import { ABLATION_IO, ablationGraph, firstActiveGraph } from './ablation-graphs.js';

/**
 * Ablation sparsity, after Gao et al. 2024, "Scaling and evaluating sparse autoencoders"
 * (arXiv:2406.04093), §4.5 "Sparsity of ablation effects": if features are sparse in their
 * downstream effects, removing one latent should change few of the V·T output logits it can reach.
 *
 * For a latent F, over the windows w of the ablation set in which F fires (first at position p_w):
 *   Δ[w, j, v] = logits_ablated[w, j, v] − logits_clean[w, j, v],   j ≥ p_w,  v < V
 *   T_F = Σ_w (seq − p_w)          (the positions F can reach in a causal model)
 *   S(F) = (‖Δ‖₁ / ‖Δ‖₂)² / (V · T_F)
 * (‖Δ‖₁/‖Δ‖₂)² is the "effective number of non-zero entries" of the V·T_F differences, so S is a
 * fraction in (0, 1]: 1/(V·T_F) when one logit moves, 1 when all move equally. Lower is sparser.
 * The report gives S for each sampled latent and their mean.
 *
 * Where we differ from the paper's wording: the paper ablates a latent at one token position at a
 * time; here F is removed (ablateFeatureSplice, keeping the SAE's error term, so the clean logits are
 * the model's own) at every position of the window where it fires, in one pass per batch of windows,
 * and Δ is taken from the first such position on. Logit differences are used raw (no per-position
 * re-centring).
 */

export interface AblationOptions extends SessionOptions {
  /** latents to sample among those that fire in the ablation windows (default 32) */
  latents?: number;
  seed?: number;
  /** windows per forward pass (each runs twice: clean and ablated) */
  batchSize?: number;
}

const MAX_HALF_LOGITS = 2 ** 25;

export const ABLATION_FORMULA = '(‖Δlogits‖₁/‖Δlogits‖₂)² / (V·T), Δ over positions from the first firing on; Gao et al. 2024 §4.5';

/** [nWindows][dSae]: first position where each latent fires in each window, −1 when it does not. */
export async function firstActivePositions(
  model: TransformerWeights,
  sae: CanonicalSae,
  hook: string,
  windows: readonly Int32Array[],
  options: AblationOptions = {},
): Promise<Int32Array[]> {
  const session = await createSession(firstActiveGraph(model, sae, hook).toBytes(), options);
  const batchSize = options.batchSize ?? 8;
  const out: Int32Array[] = [];
  try {
    for (let start = 0; start < windows.length; start += batchSize) {
      const batch = windows.slice(start, start + batchSize);
      const result = await session.run({ input_ids: idsFeed(batch, 1) }, [ABLATION_IO.first, ABLATION_IO.fires]);
      const first = result[ABLATION_IO.first].data as BigInt64Array;
      const fires = result[ABLATION_IO.fires].float32();
      for (let w = 0; w < batch.length; w++) {
        const row = new Int32Array(sae.dSae);
        for (let f = 0; f < sae.dSae; f++) row[f] = fires[w * sae.dSae + f] > 0 ? Number(first[w * sae.dSae + f]) : -1;
        out.push(row);
      }
    }
  } finally {
    await session.release();
  }
  return out;
}

/** `count` distinct items of `pool`, chosen by a seeded partial Fisher–Yates shuffle, in ascending order. */
export function sampleLatents(pool: readonly number[], count: number, seed: number): number[] {
  const items = [...pool];
  const random = mulberry32(seed);
  const take = Math.min(count, items.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (items.length - i));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items.slice(0, take).sort((a, b) => a - b);
}

/** Ablation sparsity of `latents` (or a seeded sample) over `windows` (each [seq] ids, same seq). */
export async function measureAblationSparsity(
  model: TransformerWeights,
  sae: CanonicalSae,
  hook: string,
  windows: readonly Int32Array[],
  options: AblationOptions & { only?: readonly number[] } = {},
): Promise<AblationSparsityReport> {
  const { latents: count = 32, seed = 0, only, ...rest } = options;
  const first = await firstActivePositions(model, sae, hook, windows, rest);
  const pool: number[] = [];
  for (let f = 0; f < sae.dSae; f++) if (first.some((row) => row[f] >= 0)) pool.push(f);
  const chosen = only ? [...only] : sampleLatents(pool, count, seed);
  const vocab = model.config.dVocab;
  // Each pass holds [2b, seq, vocab] logits and their difference: cap b so one half stays near 128 MB (GPT-2's vocabulary is 50,257).
  const perPass = Math.max(1, Math.min(rest.batchSize ?? 8, Math.floor(MAX_HALF_LOGITS / (windows[0].length * vocab))));
  const session = await createSession(ablationGraph(model, sae, hook).toBytes(), rest);
  const perLatent: LatentAblation[] = [];
  try {
    for (const latent of chosen) perLatent.push(await ablateLatent(session, sae, vocab, latent, windows, first, perPass));
  } finally {
    await session.release();
  }
  const values = perLatent.map((l) => l.sparsity).filter((s): s is number => s !== null);
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    formula: ABLATION_FORMULA,
    vocabSize: vocab,
    windows: windows.length,
    tokens: windows.reduce((n, w) => n + w.length, 0),
    seed,
    candidates: pool.length,
    perLatent,
    mean: values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length,
    median: sorted.length === 0 ? null : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
  };
}

async function ablateLatent(
  session: OrtSession,
  sae: CanonicalSae,
  vocab: number,
  latent: number,
  windows: readonly Int32Array[],
  first: readonly Int32Array[],
  batchSize: number,
): Promise<LatentAblation> {
  const active = windows.map((_, w) => w).filter((w) => first[w][latent] >= 0);
  let l1 = 0;
  let l2sq = 0;
  let positions = 0;
  for (let start = 0; start < active.length; start += batchSize) {
    const batch = active.slice(start, start + batchSize);
    const seq = windows[batch[0]].length;
    const mask = new Float32Array(batch.length * seq);
    batch.forEach((w, b) => {
      mask.fill(1, b * seq + first[w][latent], (b + 1) * seq);
      positions += seq - first[w][latent];
    });
    const rows = new Uint8Array(2 * batch.length).fill(1, batch.length);
    const feeds: Record<string, Feed> = {
      ...ablateFeeds(sae, latent),
      input_ids: idsFeed(
        batch.map((w) => windows[w]),
        2,
      ),
      [ABLATION_IO.ablatedRows]: { type: 'bool', dims: [2 * batch.length, 1, 1], data: rows },
      [ABLATION_IO.mask]: { type: 'float32', dims: [mask.length, 1], data: mask },
    };
    const result = await session.run(feeds, [ABLATION_IO.l1, ABLATION_IO.l2sq]);
    for (const v of result[ABLATION_IO.l1].float32()) l1 += v;
    for (const v of result[ABLATION_IO.l2sq].float32()) l2sq += v;
  }
  const sparsity = l2sq > 0 ? (l1 * l1) / l2sq / (vocab * positions) : null;
  return { latent, windows: active.length, positions, sparsity };
}

/** int64 [copies · n, seq]: the windows, repeated `copies` times one after another. */
function idsFeed(windows: readonly Int32Array[], copies: number): Feed {
  const seq = windows[0].length;
  const data = new BigInt64Array(copies * windows.length * seq);
  for (let c = 0; c < copies; c++) {
    windows.forEach((w, i) => {
      const at = (c * windows.length + i) * seq;
      for (let t = 0; t < seq; t++) data[at + t] = BigInt(w[t]);
    });
  }
  return { type: 'int64', dims: [copies * windows.length, seq], data };
}
