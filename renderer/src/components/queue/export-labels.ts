import type { LabelFileFormat, LabelsFile } from '../../../../native/api/types.js';
import type { ParamsOf } from '../../../../native/api/methods.js';
import type { ApiClient } from '../../lib/api/client.js';

export type NeuronpediaIds = NonNullable<ParamsOf<'labels.export'>['neuronpedia']>;

/**
 * The SAE's labels as the engine writes them (labels.export, the same bytes as `loupe labels
 * export`), handed to the browser as a file download. The renderer builds nothing itself.
 */
export async function exportLabelsFile(
  api: ApiClient,
  saeId: string,
  format: LabelFileFormat,
  neuronpedia?: NeuronpediaIds,
): Promise<LabelsFile> {
  const file = await api.call('labels.export', { saeId, format, ...(neuronpedia ? { neuronpedia } : {}) });
  download(new Blob([bytesOf(file)], { type: file.mediaType }), file.fileName);
  return file;
}

function bytesOf(file: LabelsFile): BlobPart {
  if (file.encoding === 'utf8') return file.content;
  const binary = atob(file.content);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
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
