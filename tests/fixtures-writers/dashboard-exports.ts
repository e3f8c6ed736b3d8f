/**
 * Writes small exports in the exact layouts `loupe import` reads, from the demo model's tokens of
 * the Brown corpus (real text), with seeded activations:
 *
 * - Neuronpedia bulk (SAEDashboard's neuronpedia_export.py): `{out}/features/batch-N.jsonl.gz` (Feature
 *   rows), `{out}/activations/batch-N.jsonl.gz` (Activation rows), `source.jsonl`, `model.jsonl`;
 * - SAEDashboard NeuronpediaRunner output: `{out}/batch-N.json` (NeuronpediaDashboardBatch.to_dict);
 * - delphi latent cache (LatentCache.save_splits): `{out}/{start}_{end}.safetensors` with `locations`
 *   U16 [n, 3], `activations` F16 [n], `tokens` I64 [nBatches, ctx], and `config.json` (pretty-printed,
 *   as delphi's json.dump(indent=4) writes it).
 *
 * Run alone: `npx tsx tests/fixtures-writers/dashboard-exports.ts OUT_DIR` writes all three under OUT_DIR.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openCorpus } from '../../native/corpus/open.js';
import { mulberry32 } from '../../native/api/random.js';
import { tokenWindows } from '../../native/corpus/windows.js';
import { decodeF16, encodeF16 } from '../../native/formats/float16.js';
import { writeSafetensors } from '../../native/formats/safetensors.js';
import { loadTokenizer } from '../../native/formats/tokenizer.js';
import type { Tokenizer } from '../../native/formats/tokenizer.js';

export interface ExportSpec {
  features: number;
  /** features per batch file */
  perBatch: number;
  windows: number;
  ctx: number;
  seed: number;
  /** examples per feature: top ones, then per interval */
  top: number;
  perInterval: number;
  intervals: number;
}

export const SMALL: ExportSpec = { features: 12, perBatch: 5, windows: 40, ctx: 24, seed: 7, top: 4, perInterval: 2, intervals: 3 };

/** [nWindows][ctx] token ids of real text: the demo model's windows of Brown news. */
export async function realWindows(tokenizer: Tokenizer, n: number, ctx: number): Promise<Int32Array[]> {
  const out: Int32Array[] = [];
  for await (const w of tokenWindows(openCorpus('brown:news'), tokenizer, { contextLength: ctx, maxTokens: n * ctx * 2 })) {
    if (w.ids.length === ctx && !w.ids.includes(-1)) out.push(Int32Array.from(w.ids));
    if (out.length === n) break;
  }
  if (out.length < n) throw new Error(`only ${out.length} full windows of Brown news`);
  return out;
}

/** The activations every layout writes, so a test can check what comes back. */
export interface ExpectedActivation {
  feature: number;
  window: number;
  /** -1 for the top group */
  binMin: number;
  binMax: number;
  values: number[];
}

export interface ExpectedFeature {
  index: number;
  density: number;
  pos: { id: number; value: number }[];
  neg: { id: number; value: number }[];
  histCentres: number[];
  histHeights: number[];
  activations: ExpectedActivation[];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** A feature's top suppressed and boosted output tokens as both layouts write them (SAEDashboard's keys, kept by Neuronpedia). */
function outputTokenLists(f: ExpectedFeature, tokenizer: Tokenizer) {
  return {
    neg_str: f.neg.map((t) => tokenizer.idToToken(t.id)),
    neg_values: f.neg.map((t) => t.value),
    pos_str: f.pos.map((t) => tokenizer.idToToken(t.id)),
    pos_values: f.pos.map((t) => t.value),
  };
}

/** Seeded features over the windows: a few firing positions per example, values rounded to 3 decimals as SAEDashboard rounds them. */
export function expectedFeatures(spec: ExportSpec, windows: Int32Array[], vocab: number): ExpectedFeature[] {
  const rand = mulberry32(spec.seed);
  const pick = (n: number) => Math.floor(rand() * n);
  return Array.from({ length: spec.features }, (_, f): ExpectedFeature => {
    const dead = f % 6 === 5;
    const max = round3(2 + 8 * rand());
    const width = max / spec.intervals;
    const activations: ExpectedActivation[] = [];
    const example = (binMin: number, binMax: number, peak: number) => {
      const values = new Array<number>(spec.ctx).fill(0);
      const at = 1 + pick(spec.ctx - 1);
      values[at] = round3(peak);
      for (let k = 0; k < 2; k++) values[1 + pick(spec.ctx - 1)] ||= round3(peak * rand());
      activations.push({ feature: f, window: pick(windows.length), binMin, binMax, values });
    };
    if (!dead) {
      for (let i = 0; i < spec.top; i++) example(-1, max, max * (1 - i * 0.1));
      for (let b = 0; b < spec.intervals; b++)
        for (let i = 0; i < spec.perInterval; i++)
          example(round3(b * width), round3((b + 1) * width), b * width + width * (0.2 + 0.6 * rand()));
    }
    const tokens = (n: number) => Array.from({ length: n }, () => ({ id: pick(vocab - 1), value: round3(rand() * 2) }));
    return {
      index: f,
      density: dead ? 0 : round3(rand() * 0.05),
      pos: tokens(5).sort((a, b) => b.value - a.value),
      neg: tokens(5)
        .map((t) => ({ ...t, value: -t.value }))
        .sort((a, b) => a.value - b.value),
      histCentres: dead ? [] : Array.from({ length: 8 }, (_, i) => round3(((i + 0.5) * max) / 8)),
      histHeights: dead ? [] : Array.from({ length: 8 }, () => pick(500)),
      activations,
    };
  });
}

const gz = (rows: unknown[]): Buffer => gzipSync(Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8'));

/** Neuronpedia's bulk layout, as neuronpedia_export.py writes it. */
export function writeNeuronpediaExport(
  out: string,
  spec: ExportSpec,
  features: ExpectedFeature[],
  windows: Int32Array[],
  tokenizer: Tokenizer,
): void {
  mkdirSync(join(out, 'features'), { recursive: true });
  mkdirSync(join(out, 'activations'), { recursive: true });
  const common = { modelId: 'loupe-demo', layer: '0-brown-mlp0', creatorId: 'clkht01d40000jv08hvalcvly', createdAt: '2026-12-06T00:00:00' };
  writeFileSync(
    join(out, 'source.jsonl'),
    `${JSON.stringify({ id: common.layer, modelId: common.modelId, setName: 'brown-mlp0', creatorId: common.creatorId, dataset: 'brown:news', num_prompts: spec.windows, num_tokens_in_prompt: spec.ctx })}\n`,
  );
  writeFileSync(join(out, 'model.jsonl'), `${JSON.stringify({ id: common.modelId, instruct: false, creatorId: common.creatorId })}\n`);
  let n = 0;
  for (let b = 0; b * spec.perBatch < features.length; b++) {
    const batch = features.slice(b * spec.perBatch, (b + 1) * spec.perBatch);
    const rows = batch.map((f) => ({
      ...common,
      index: String(f.index),
      maxActApprox: Math.max(0, ...f.activations.flatMap((a) => a.values)),
      hasVector: false,
      vector: [],
      ...outputTokenLists(f, tokenizer),
      frac_nonzero: f.density,
      freq_hist_data_bar_heights: f.histHeights,
      freq_hist_data_bar_values: f.histCentres,
      logits_hist_data_bar_heights: [],
      logits_hist_data_bar_values: [],
      decoder_weights_dist: [],
      topkCosSimIndices: [],
      topkCosSimValues: [],
      correlated_features_indices: [],
      correlated_features_pearson: [],
    }));
    const acts = batch.flatMap((f) =>
      f.activations.map((a) => {
        const max = Math.max(...a.values);
        return {
          id: `c${(n++).toString(16).padStart(24, '0')}`,
          tokens: Array.from(windows[a.window], (id) => tokenizer.idToToken(id)),
          ...common,
          index: String(f.index),
          maxValue: max,
          maxValueTokenIndex: a.values.indexOf(max),
          minValue: Math.min(...a.values),
          values: a.values,
          dfaValues: [],
          lossValues: [],
          binMin: a.binMin,
          binMax: a.binMax,
          binContains: a.binMin === -1 ? -1 : 0.1,
          qualifyingTokenIndex: null,
          dataIndex: null,
          dataSource: null,
        };
      }),
    );
    writeFileSync(join(out, 'features', `batch-${b}.jsonl.gz`), gz(rows));
    writeFileSync(join(out, 'activations', `batch-${b}.jsonl.gz`), gz(acts));
  }
}

/** SAEDashboard's NeuronpediaRunner output: batch-N.json. */
export function writeSaeDashboardBatches(
  out: string,
  spec: ExportSpec,
  features: ExpectedFeature[],
  windows: Int32Array[],
  tokenizer: Tokenizer,
): void {
  mkdirSync(out, { recursive: true });
  for (let b = 0; b * spec.perBatch < features.length; b++) {
    const batch = features.slice(b * spec.perBatch, (b + 1) * spec.perBatch);
    const doc = {
      model_id: 'loupe-demo',
      layer: 0,
      sae_set: 'brown-mlp0',
      features: batch.map((f) => ({
        feature_index: f.index,
        neuron_alignment_indices: [],
        neuron_alignment_values: [],
        neuron_alignment_l1: [],
        correlated_neurons_indices: [],
        correlated_neurons_l1: [],
        correlated_neurons_pearson: [],
        correlated_features_indices: [],
        correlated_features_l1: [],
        correlated_features_pearson: [],
        ...outputTokenLists(f, tokenizer),
        frac_nonzero: f.density,
        freq_hist_data_bar_values: f.histCentres,
        freq_hist_data_bar_heights: f.histHeights,
        logits_hist_data_bar_heights: [],
        logits_hist_data_bar_values: [],
        n_prompts_total: spec.windows,
        n_tokens_in_prompt: spec.ctx,
        dataset: 'brown:news',
        decoder_weights_dist: [],
        activations: f.activations.map((a) => ({
          bin_min: a.binMin,
          bin_max: a.binMax,
          bin_contains: a.binMin === -1 ? -1 : 0.1,
          tokens: Array.from(windows[a.window], (id) => tokenizer.idToToken(id)),
          values: a.values,
          qualifying_token_index: null,
        })),
      })),
    };
    writeFileSync(join(out, `batch-${b}.json`), JSON.stringify(doc));
  }
}

/** A delphi cache: every nonzero (batch, position, latent) of seeded sparse activations over the windows, split into `splits` latent ranges. */
export function writeDelphiCache(
  out: string,
  spec: ExportSpec,
  windows: Int32Array[],
  splits: number,
): { acts: Float32Array; dSae: number } {
  mkdirSync(out, { recursive: true });
  const rand = mulberry32(spec.seed + 1);
  const dSae = spec.features;
  /** [nBatches, ctx, dSae], float16-rounded */
  const acts = new Float32Array(windows.length * spec.ctx * dSae);
  for (let i = 0; i < acts.length; i++) if (rand() < 0.08) acts[i] = Math.fround(0.05 + 6 * rand());
  const half = encodeF16(acts);
  const back = decodeF16(half);
  const tokens = new BigInt64Array(windows.length * spec.ctx);
  windows.forEach((w, b) => w.forEach((id, p) => (tokens[b * spec.ctx + p] = BigInt(id))));
  const bounds = Array.from({ length: splits + 1 }, (_, i) => Math.floor((i * dSae) / splits));
  for (let s = 0; s < splits; s++) {
    const start = bounds[s];
    const end = bounds[s + 1] - 1;
    const loc: number[] = [];
    const val: number[] = [];
    for (let b = 0; b < windows.length; b++)
      for (let p = 0; p < spec.ctx; p++)
        for (let l = start; l <= end; l++) {
          const v = back[(b * spec.ctx + p) * dSae + l];
          if (v !== 0) {
            loc.push(b, p, l - start);
            val.push(v);
          }
        }
    writeSafetensors(join(out, `${start}_${end}.safetensors`), {
      locations: { dtype: 'U16', shape: [val.length, 3], data: Uint16Array.from(loc) },
      activations: { dtype: 'F16', shape: [val.length], data: encodeF16(val) },
      tokens: { dtype: 'I64', shape: [windows.length, spec.ctx], data: tokens },
    });
  }
  writeFileSync(
    join(out, 'config.json'),
    JSON.stringify(
      {
        dataset_repo: 'brown:news',
        cache_ctx_len: spec.ctx,
        batch_size: 8,
        n_tokens: windows.length * spec.ctx,
        n_splits: splits,
        model_name: 'loupe-demo',
      },
      null,
      4,
    ),
  );
  return { acts: back, dSae };
}

/** All three layouts under `out`, from the demo model at `modelDir`. */
export async function writeAllExports(
  out: string,
  modelDir: string,
  spec: ExportSpec = SMALL,
): Promise<{ features: ExpectedFeature[]; windows: Int32Array[]; delphi: { acts: Float32Array; dSae: number } }> {
  const tokenizer = await loadTokenizer(modelDir);
  const windows = await realWindows(tokenizer, spec.windows, spec.ctx);
  const features = expectedFeatures(spec, windows, tokenizer.vocabSize);
  writeNeuronpediaExport(join(out, 'neuronpedia', 'loupe-demo', '0-brown-mlp0'), spec, features, windows, tokenizer);
  writeSaeDashboardBatches(join(out, 'saedashboard'), spec, features, windows, tokenizer);
  const delphi = writeDelphiCache(join(out, 'delphi', 'blocks.0.hook_mlp_out'), spec, windows, 3);
  return { features, windows, delphi };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: npx tsx tests/fixtures-writers/dashboard-exports.ts OUT_DIR');
  await writeAllExports(out, join(import.meta.dirname, '..', '..', 'resources', 'demo', 'model'));
  process.stdout.write(`wrote ${out}/neuronpedia, ${out}/saedashboard, ${out}/delphi\n`);
}
