import { statSync } from 'node:fs';
import { openSafetensors } from '../../formats/safetensors.js';
import type { SafetensorsFile } from '../../formats/safetensors.js';
import { FormatError, toFloat32 } from '../../formats/tensor.js';
import type { HostTensor } from '../../formats/tensor.js';
import type { ExampleInput } from '../../store/feature-examples-table.js';
import type { FrequentCoverageRow } from '../../store/feature-coverage-table.js';
import type { FeatureToken } from '../../store/feature-logits-table.js';
import type { FeatureStats } from '../../store/feature-stats-table.js';
import type { StoredWindow } from '../../store/windows-table.js';
import { FeatureStatsAccumulator } from '../accumulators/feature-stats.js';
import type { ReadProgress } from './dashboard-import.js';
import type { ExportLayout } from './detect.js';
import { commitImport } from './import-target.js';
import type { ImportTarget } from './import-target.js';
import { windowOfIds } from './token-strings.js';

/**
 * delphi latent caches (delphi/latents/cache.py, LatentCache.save_splits): per hookpoint, one
 * `{start}_{end}.safetensors` per range of latents (end inclusive) holding `locations` [n, 3]
 * (batch row, position, latent − start; U16 when both fit, else U32), `activations` [n] (F16) and
 * `tokens` [nBatches, ctx] (the token ids every row points into; the same in every split). Every
 * nonzero activation is there, so the statistics are exact: fires over nBatches × ctx tokens, mean,
 * maximum, histogram, the tokens each latent fires on; top examples are rebuilt from the locations
 * and the tokens. Quantile bands and output-token effects are not computed (absent).
 *
 * Rows are walked in slices twice per split (statistics and the top windows, then those windows'
 * per-token values), so a split larger than memory is never read whole.
 */

const ROWS_PER_SLICE = 1 << 20;
const TOP_EXAMPLES = 20;
const TOKENS_SHOWN = 10;
/** latents whose rows are built and committed together */
const LATENTS_PER_COMMIT = 1024;

interface Split {
  start: number;
  end: number;
  path: string;
}

export async function importDelphi(
  t: ImportTarget,
  layout: Extract<ExportLayout, { format: 'delphi' }>,
  progress: ReadProgress,
  totalBytes: number,
): Promise<void> {
  const tokens = readTokens(layout.splits[0].path);
  const stored = new Set(t.ws.features.windows.indices(t.run.id));
  let bytesBefore = 0;
  for (let i = 0; i < layout.splits.length; i++) {
    const split = layout.splits[i];
    const size = statSync(split.path).size;
    if ((t.reader.split ?? 0) > i) {
      bytesBefore += size;
      continue;
    }
    const file = openSafetensors(split.path);
    try {
      importSplit(t, file, split, tokens, stored, t.reader.split === i ? (t.reader.latents ?? 0) : 0, i, progress);
    } finally {
      file.close();
    }
    bytesBefore += size;
    progress.onBytes(Math.min(totalBytes, bytesBefore));
  }
}

/** [nBatches, ctx] token ids, as int32 */
function readTokens(path: string): { ids: Int32Array; nBatches: number; ctx: number } {
  const file = openSafetensors(path);
  try {
    const entry = file.entries.get('tokens');
    if (!entry)
      throw new FormatError(
        path,
        'no "tokens" tensor: the cache was saved without its tokens (save_tokens=False); examples cannot be rebuilt without them',
      );
    if (entry.shape.length !== 2) throw new FormatError(path, `"tokens" has shape [${entry.shape.join(', ')}], expected [nBatches, ctx]`);
    if (!['I64', 'I32', 'U32', 'U16'].includes(entry.dtype))
      throw new FormatError(path, `"tokens" is ${entry.dtype}, expected integer ids (I64, I32, U32 or U16)`);
    const t = file.read('tokens');
    const ids = new Int32Array(t.data.length);
    for (let i = 0; i < ids.length; i++) ids[i] = Number(t.data[i]);
    return { ids, nBatches: entry.shape[0], ctx: entry.shape[1] };
  } finally {
    file.close();
  }
}

function checkEntries(file: SafetensorsFile): number {
  const loc = file.entries.get('locations');
  const act = file.entries.get('activations');
  if (!loc) throw new FormatError(file.path, 'no "locations" tensor (expected [n, 3] U16 or U32: batch row, position, latent offset)');
  if (!act) throw new FormatError(file.path, 'no "activations" tensor (expected [n] F16)');
  if (loc.shape.length !== 2 || loc.shape[1] !== 3)
    throw new FormatError(file.path, `"locations" has shape [${loc.shape.join(', ')}], expected [n, 3]`);
  if (!['U16', 'U32', 'I64', 'I32'].includes(loc.dtype))
    throw new FormatError(file.path, `"locations" is ${loc.dtype}, expected U16 or U32`);
  if (act.shape.length !== 1 || act.shape[0] !== loc.shape[0])
    throw new FormatError(file.path, `"activations" has shape [${act.shape.join(', ')}], expected [${loc.shape[0]}] (one per location)`);
  if (!['F16', 'BF16', 'F32'].includes(act.dtype)) throw new FormatError(file.path, `"activations" is ${act.dtype}, expected F16`);
  return loc.shape[0];
}

/** Calls `row(batch, position, offset, value, index)` for every row, a slice at a time. */
function eachRow(file: SafetensorsFile, n: number, row: (b: number, p: number, l: number, v: number, i: number) => void): void {
  for (let from = 0; from < n; from += ROWS_PER_SLICE) {
    const rows = Math.min(ROWS_PER_SLICE, n - from);
    const loc: HostTensor = file.readRows('locations', from, rows);
    const acts = toFloat32(file.readRows('activations', from, rows));
    const l = loc.data;
    for (let i = 0; i < rows; i++) row(Number(l[3 * i]), Number(l[3 * i + 1]), Number(l[3 * i + 2]), acts[i], from + i);
  }
}

function importSplit(
  t: ImportTarget,
  file: SafetensorsFile,
  split: Split,
  tokens: { ids: Int32Array; nBatches: number; ctx: number },
  stored: Set<number>,
  fromLatent: number,
  splitIndex: number,
  progress: ReadProgress,
): void {
  const n = checkEntries(file);
  const tok = file.entries.get('tokens');
  if (tok && (tok.shape[0] !== tokens.nBatches || tok.shape[1] !== tokens.ctx))
    throw new FormatError(file.path, `"tokens" has shape [${tok.shape.join(', ')}], the first split's [${tokens.nBatches}, ${tokens.ctx}]`);
  const width = split.end - split.start + 1;
  const stats = new FeatureStatsAccumulator(width);
  const top = new TopWindows(width, TOP_EXAMPLES);
  const counts = new Map<number, number>();
  const vocab = t.tokenizer.vocabSize;
  eachRow(file, n, (b, p, l, v, i) => {
    if (b >= tokens.nBatches || p >= tokens.ctx || l >= width) {
      throw new FormatError(
        file.path,
        `locations row ${i} is (${b}, ${p}, ${l}): expected batch < ${tokens.nBatches}, position < ${tokens.ctx}, latent offset < ${width} (latents ${split.start}–${split.end})`,
      );
    }
    if (!Number.isFinite(v)) throw new FormatError(file.path, `activations[${i}] is ${v}`);
    if (v <= 0) return;
    stats.add(l, v);
    top.add(l, b, v, file.path, i);
    const id = tokens.ids[b * tokens.ctx + p];
    const key = l * vocab + id;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  top.closeAll();
  const tokensSeen = tokens.nBatches * tokens.ctx;
  const frequent = frequentTokens(counts, width, vocab);
  for (let from = fromLatent; from < width; from += LATENTS_PER_COMMIT) {
    progress.signal?.throwIfAborted();
    const to = Math.min(width, from + LATENTS_PER_COMMIT);
    const wanted = new Map<number, Float32Array>();
    for (let l = from; l < to; l++) for (const b of top.windows(l)) wanted.set(l * tokens.nBatches + b, new Float32Array(tokens.ctx));
    eachRow(file, n, (b, p, l, v) => {
      if (l < from || l >= to || v <= 0) return;
      const acts = wanted.get(l * tokens.nBatches + b);
      if (acts) acts[p] = v;
    });
    const windows: StoredWindow[] = [];
    const rows = {
      stats: [] as FeatureStats[],
      examples: [] as { feature: number; items: ExampleInput[] }[],
      tokens: [] as { feature: number; items: FeatureToken[] }[],
      coverage: [] as FrequentCoverageRow[],
    };
    let tokensAdded = 0;
    for (let l = from; l < to; l++) {
      const feature = split.start + l;
      rows.stats.push({ ...stats.stats(l, tokensSeen), feature });
      const items: ExampleInput[] = top
        .windows(l)
        .map((b, rank) => ({ kind: 'top', band: 0, rank, windowIndex: b, acts: wanted.get(l * tokens.nBatches + b) as Float32Array }));
      rows.examples.push({ feature, items });
      for (const b of top.windows(l)) {
        if (stored.has(b)) continue;
        stored.add(b);
        const ids = tokens.ids.slice(b * tokens.ctx, (b + 1) * tokens.ctx);
        const w = windowOfIds(t.tokenizer, ids);
        windows.push({ index: b, docId: `batch ${b}`, text: w.text, ids, offsets: w.offsets });
        tokensAdded += tokens.ctx;
      }
      const list = frequent.get(l) ?? [];
      rows.tokens.push({
        feature,
        items: list
          .slice(0, TOKENS_SHOWN)
          .map((c, rank) => ({ kind: 'frequent', rank, tokenId: c.id, token: t.tokenizer.tokenText(c.id), value: c.count })),
      });
      rows.coverage.push({ feature, uncounted: 0, nextCount: list[TOKENS_SHOWN]?.count ?? 0 });
    }
    commitImport(
      t,
      { ...rows, windows },
      { windows: windows.length, tokens: tokensAdded, features: split.start + to },
      { split: splitIndex, latents: to, rows: progress.rows + n },
    );
    t.onCommit?.(t.cursor);
  }
  progress.rows += n;
}

/** Each latent's tokens by firing count, most first (ties: lower id first). */
function frequentTokens(counts: Map<number, number>, width: number, vocab: number): Map<number, { id: number; count: number }[]> {
  const out = new Map<number, { id: number; count: number }[]>();
  for (const [key, count] of counts) {
    const l = Math.floor(key / vocab);
    if (l >= width) continue;
    const list = out.get(l) ?? [];
    list.push({ id: key - l * vocab, count });
    out.set(l, list);
  }
  for (const list of out.values()) list.sort((a, b) => b.count - a.count || a.id - b.id);
  return out;
}

/**
 * Per latent, the `k` batch rows with the highest maximum activation. delphi writes rows in batch
 * order (torch.nonzero over [batch, seq, latent]), so a latent's rows of one batch row are
 * consecutive among its rows: each run is one window, closed when the batch row changes.
 */
class TopWindows {
  readonly #cur: Int32Array;
  readonly #curMax: Float32Array;
  readonly #b: Int32Array;
  readonly #max: Float32Array;
  readonly #n: Int32Array;

  constructor(
    readonly width: number,
    readonly k: number,
  ) {
    this.#cur = new Int32Array(width).fill(-1);
    this.#curMax = new Float32Array(width);
    this.#b = new Int32Array(width * k);
    this.#max = new Float32Array(width * k);
    this.#n = new Int32Array(width);
  }

  add(l: number, b: number, v: number, file: string, row: number): void {
    const cur = this.#cur[l];
    if (b !== cur) {
      if (b < cur)
        throw new FormatError(
          file,
          `locations row ${row}: batch row ${b} after ${cur} for latent offset ${l}; delphi writes rows in batch order`,
        );
      this.close(l);
      this.#cur[l] = b;
      this.#curMax[l] = v;
    } else if (v > this.#curMax[l]) this.#curMax[l] = v;
  }

  closeAll(): void {
    for (let l = 0; l < this.width; l++) this.close(l);
  }

  private close(l: number): void {
    const b = this.#cur[l];
    if (b < 0) return;
    const v = this.#curMax[l];
    const base = l * this.k;
    let n = this.#n[l];
    if (n === this.k && v <= this.#max[base + n - 1]) return;
    let at = n < this.k ? n++ : n - 1;
    while (at > 0 && this.#max[base + at - 1] < v) {
      this.#max[base + at] = this.#max[base + at - 1];
      this.#b[base + at] = this.#b[base + at - 1];
      at--;
    }
    this.#max[base + at] = v;
    this.#b[base + at] = b;
    this.#n[l] = n;
    this.#cur[l] = -1;
  }

  /** batch rows, strongest first */
  windows(l: number): number[] {
    return Array.from(this.#b.subarray(l * this.k, l * this.k + this.#n[l]));
  }
}
