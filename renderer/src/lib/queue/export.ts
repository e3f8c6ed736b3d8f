import type { FeatureLabel, LabelEvent } from '../../../../native/api/types.js';

/**
 * Labels export in the renderer. The contract has no "all labels of an SAE" call, but the label
 * history is complete (every write, import and undo is an event), so replaying it oldest first
 * rebuilds each feature's label, notes, tags, and who changed it last and when. The files match
 * `loupe labels export` (native/store/labels-io.ts) and re-import with `loupe labels import`.
 */

/** events: any order; returns the features with a label, notes or tags, by index. */
export function replayLabels(saeId: string, events: readonly LabelEvent[]): FeatureLabel[] {
  const byFeature = new Map<number, FeatureLabel>();
  for (const e of [...events].sort((a, b) => a.id - b.id)) {
    if (e.key.saeId !== saeId) continue;
    let l = byFeature.get(e.key.index);
    if (!l) byFeature.set(e.key.index, (l = { key: { saeId, index: e.key.index }, label: '', notes: '', tags: [], updatedAt: null, updatedBy: null }));
    if (e.field === 'label') l.label = e.new ?? '';
    else if (e.field === 'notes') l.notes = e.new ?? '';
    else if (e.new !== null && !l.tags.includes(e.new)) l.tags = [...l.tags, e.new].sort();
    else if (e.new === null) l.tags = l.tags.filter((t) => t !== e.old);
    l.updatedAt = e.at;
    l.updatedBy = e.author;
  }
  return [...byFeature.values()].filter((l) => l.label !== '' || l.notes !== '' || l.tags.length > 0).sort((a, b) => a.key.index - b.key.index);
}

function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/u.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** RFC 4180, CRLF records; the CLI's columns, tags joined by "; ". */
export function labelsCsv(labels: readonly FeatureLabel[]): string {
  const rows = [['index', 'label', 'notes', 'tags', 'updated_at', 'updated_by'], ...labels.map((l) => [String(l.key.index), l.label, l.notes, l.tags.join('; '), l.updatedAt ?? '', l.updatedBy ?? ''])];
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Loupe's labels file, version 1. */
export function labelsJson(saeId: string, labels: readonly FeatureLabel[], exportedAt: string): string {
  const body = labels.map((l) => ({ index: l.key.index, label: l.label, notes: l.notes, tags: l.tags, updatedAt: l.updatedAt, updatedBy: l.updatedBy }));
  return `${JSON.stringify({ format: 'loupe-labels', version: 1, saeId, exportedAt, labels: body }, null, 2)}\n`;
}
