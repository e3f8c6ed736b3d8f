import type { LabelEvent } from '../../../../native/api/types.js';
import type { ApiClient } from '../../lib/api/client.js';
import { labelsCsv, labelsJson, replayLabels } from '../../lib/queue/export.js';

export type ExportFormat = 'json' | 'csv';

/** The contract's largest labels.history page. */
const historyPage = 10_000;

/**
 * Every label of the SAE as `loupe labels export` writes it, rebuilt from the full label history
 * (paged newest first with beforeId), then handed to the browser as a file download.
 */
export async function exportLabelsFile(api: ApiClient, saeId: string, format: ExportFormat): Promise<{ features: number; fileName: string }> {
  const events: LabelEvent[] = [];
  for (let beforeId: number | undefined; ; ) {
    const page = await api.call('labels.history', { saeId, limit: historyPage, ...(beforeId !== undefined ? { beforeId } : {}) });
    events.push(...page);
    if (page.length < historyPage) break;
    beforeId = page[page.length - 1].id;
  }
  const labels = replayLabels(saeId, events);
  const text = format === 'csv' ? labelsCsv(labels) : labelsJson(saeId, labels, new Date().toISOString());
  const fileName = `${saeId}-labels.${format}`;
  download(new Blob([text], { type: format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json' }), fileName);
  return { features: labels.length, fileName };
}

function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the URL to the download; revoke it on the next turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
