import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FormatError } from '../../formats/tensor.js';

/** An export's layout, found by its file names (no file is parsed here). */
export type ExportLayout =
  /** Neuronpedia's bulk layout (neuronpedia_export.py): `features/` and `activations/`, `batch-N.jsonl[.gz]` in each, paired by name */
  | { format: 'neuronpedia'; dir: string; batches: { name: string; features: string; activations: string | null }[] }
  /** SAEDashboard's NeuronpediaRunner output: `batch-N.json` files */
  | { format: 'saedashboard'; dir: string; files: string[] }
  /** delphi's latent cache of one hookpoint: `{start}_{end}.safetensors` splits (end inclusive) */
  | { format: 'delphi'; dir: string; hookpoint: string; splits: { start: number; end: number; path: string }[] };

const batchNumber = (name: string): number => Number(/^batch-(\d+)/.exec(name)?.[1] ?? Number.NaN);
const byBatch = (a: string, b: string): number => batchNumber(a) - batchNumber(b) || (a < b ? -1 : a > b ? 1 : 0);

/** What `path` holds; throws naming what was expected when it is none of the layouts. */
export function detectExport(path: string): ExportLayout {
  const dir = resolve(path);
  if (!existsSync(dir)) throw new FormatError(dir, 'no such file or folder');
  if (!statSync(dir).isDirectory())
    throw new FormatError(
      dir,
      'an export is a folder (features/ + activations/, batch-N.json files, or delphi {start}_{end}.safetensors splits)',
    );
  const names = readdirSync(dir);
  if (names.includes('features') && statSync(join(dir, 'features')).isDirectory()) return bulkLayout(dir);
  const batches = names.filter((n) => /^batch-\d+\.json$/.test(n)).sort(byBatch);
  if (batches.length > 0) return { format: 'saedashboard', dir, files: batches.map((n) => join(dir, n)) };
  const splits = names.map((n) => /^(\d+)_(\d+)\.safetensors$/.exec(n)).filter((m) => m !== null);
  if (splits.length > 0) {
    const list = splits.map((m) => ({ start: Number(m[1]), end: Number(m[2]), path: join(dir, m[0]) })).sort((a, b) => a.start - b.start);
    for (const s of list) if (s.end < s.start) throw new FormatError(s.path, `split ${s.start}_${s.end} ends before it starts`);
    for (let i = 1; i < list.length; i++) {
      if (list[i].start <= list[i - 1].end)
        throw new FormatError(
          list[i].path,
          `latents ${list[i].start}–${list[i].end} overlap ${list[i - 1].path} (${list[i - 1].start}–${list[i - 1].end})`,
        );
    }
    return { format: 'delphi', dir, hookpoint: dir.split(/[\\/]/).filter(Boolean).at(-1) ?? '', splits: list };
  }
  const sources = names.filter((n) => statSync(join(dir, n)).isDirectory() && existsSync(join(dir, n, 'features')));
  const hint = sources.length > 0 ? `; it holds sources ${sources.slice(0, 5).join(', ')}: import one of them` : '';
  throw new FormatError(
    dir,
    `not an export Loupe reads: expected features/ and activations/ (Neuronpedia), batch-N.json (SAEDashboard) or {start}_{end}.safetensors (delphi, one hookpoint's folder)${hint}`,
  );
}

function bulkLayout(dir: string): ExportLayout {
  const listed = (sub: string) => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)).filter((n) => /\.jsonl(\.gz)?$/.test(n)) : []);
  const features = listed('features').sort(byBatch);
  if (features.length === 0) throw new FormatError(join(dir, 'features'), 'no .jsonl or .jsonl.gz files');
  const activations = new Map(listed('activations').map((n) => [n.replace(/\.jsonl(\.gz)?$/, ''), n]));
  const batches = features.map((n) => {
    const name = n.replace(/\.jsonl(\.gz)?$/, '');
    const a = activations.get(name);
    return { name, features: join(dir, 'features', n), activations: a === undefined ? null : join(dir, 'activations', a) };
  });
  return { format: 'neuronpedia', dir, batches };
}

/** Bytes of the layout's files: what progress counts. */
export function layoutFiles(layout: ExportLayout): string[] {
  if (layout.format === 'neuronpedia') return layout.batches.flatMap((b) => (b.activations ? [b.features, b.activations] : [b.features]));
  if (layout.format === 'saedashboard') return layout.files;
  return layout.splits.map((s) => s.path);
}
