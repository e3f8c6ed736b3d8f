// Rows and deterministic index data shared by the feature-index store tests and the index writer child.
import type { Database } from '../../../native/store/database.js';
import type { Workspace } from '../../../native/store/workspace.js';
import type { FeatureStats } from '../../../native/store/feature-stats-table.js';
import type { StoredWindow } from '../../../native/store/windows-table.js';

/** Registers an SAE row without files behind it (the store tests need only the row). */
export function registerSae(ws: Workspace, id: string, dSae: number, config: Record<string, unknown> = {}): void {
  ws.saes.insert({
    id,
    name: id,
    path: `/saes/${id}`,
    format: 'saelens',
    modelId: null,
    hookName: 'blocks.0.hook_resid_post',
    dIn: 16,
    dSae,
    activation: 'relu',
    k: null,
    fingerprint: 'f00d',
    addedAt: '2024-01-01T00:00:00.000Z',
    config,
  });
}

/** The same row written with SQL into a database of an older schema (migration tests): no SaesTable there. */
export function registerOldSae(db: Database, id: string, dSae: number): void {
  db.run(
    `INSERT INTO saes (id, name, path, format, model_id, hook_name, d_in, d_sae, activation, k, config_json, fingerprint, added_at)
     VALUES (?, ?, ?, 'saelens', NULL, 'blocks.0.hook_resid_post', 16, ?, 'relu', NULL, '{}', 'f00d', '2024-01-01T00:00:00.000Z')`,
    [id, id, `/saes/${id}`, dSae],
  );
}

/** A window of `n` tokens "w{index}t{i}" separated by spaces; offsets cover each token's text. */
export function syntheticWindow(index: number, n: number, docId = `doc-${Math.floor(index / 4)}`): StoredWindow {
  const ids = new Int32Array(n);
  const offsets = new Int32Array(2 * n);
  let text = '';
  for (let i = 0; i < n; i++) {
    ids[i] = (index * 31 + i * 7) % 4096;
    const token = `${i === 0 ? '' : ' '}w${index}t${i}`;
    offsets[2 * i] = text.length;
    text += token;
    offsets[2 * i + 1] = text.length;
  }
  return { index, docId, text, ids, offsets };
}

// The index writer child's "model": activations are a fixed function of (feature, window, token),
// quarter-integers so that float32, float16 and sums of them are all exact.
export const crashFeatures = 48;
export const crashContext = 16;
export const crashWindowsPerBatch = 8;
export const crashBatches = 10;
export const crashTopN = 3;
export const crashHistogram = { log10Min: -1, log10Max: 1.5, bins: 10 };

export function activation(feature: number, window: number, token: number): number {
  const h = (feature * 131 + window * 71 + token * 29 + ((feature * window) % 13)) % 97;
  return h % 6 === 0 ? (h + 1) / 4 : 0;
}

/** [crashContext] one feature's activations over one window */
export function windowActs(feature: number, window: number): Float32Array {
  return Float32Array.from({ length: crashContext }, (_, i) => activation(feature, window, i));
}

export function histogramBin(act: number): number {
  const { log10Min, log10Max, bins } = crashHistogram;
  const at = Math.floor(((Math.log10(act) - log10Min) / (log10Max - log10Min)) * bins);
  return Math.min(bins - 1, Math.max(0, at));
}

/** Stats of one feature over windows [0, windowsDone), computed from scratch. */
export function expectedStats(feature: number, windowsDone: number): FeatureStats {
  const counts = new Uint32Array(crashHistogram.bins);
  let fires = 0;
  let sum = 0;
  let max = 0;
  for (let w = 0; w < windowsDone; w++) {
    for (let i = 0; i < crashContext; i++) {
      const a = activation(feature, w, i);
      if (a <= 0) continue;
      fires++;
      sum += a;
      max = Math.max(max, a);
      counts[histogramBin(a)]++;
    }
  }
  return {
    feature,
    tokensSeen: windowsDone * crashContext,
    fires,
    meanAct: fires === 0 ? 0 : sum / fires,
    maxAct: max,
    histogram: { log10Min: crashHistogram.log10Min, log10Max: crashHistogram.log10Max, counts },
    bandEdges: new Float32Array(0),
  };
}

/** The top windows of a feature over windows [0, windowsDone): highest max activation, then lowest index. */
export function expectedTop(feature: number, windowsDone: number): { windowIndex: number; maxAct: number }[] {
  const all = Array.from({ length: windowsDone }, (_, w) => ({ windowIndex: w, maxAct: Math.max(...windowActs(feature, w)) }));
  return all
    .filter((e) => e.maxAct > 0)
    .sort((a, b) => b.maxAct - a.maxAct || a.windowIndex - b.windowIndex)
    .slice(0, crashTopN);
}
