import { userInfo } from 'node:os';
import { gzipSync } from 'node:zlib';
import { ApiFailure } from '../../api/errors.js';
import type { LabelsFile } from '../../api/types.js';
import type { ValidParamsOf } from '../../api/methods.js';
import { LabelsFileError } from '../../store/labels-io.js';
import type { Workspace } from '../../store/workspace.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

/** Who the history says wrote a label: the person logged in to the machine the engine runs on. */
export function labelAuthor(): string {
  try {
    return userInfo().username || 'loupe';
  } catch {
    // userInfo throws where the user has no passwd entry (some containers).
    return 'loupe';
  }
}

/** The file labels.export hands to the renderer: the bytes `loupe labels export` writes, base64 when gzipped. */
export function labelsExportFile(ws: Workspace, params: ValidParamsOf<'labels.export'>): LabelsFile {
  const { saeId, format } = params;
  if (!ws.saes.get(saeId)) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId');
  let neuronpedia;
  if (format === 'neuronpedia' || format === 'neuronpedia-autointerp') {
    const own = ws.saes.neuronpediaSource(saeId);
    const modelId = params.neuronpedia?.modelId ?? own?.modelId;
    const layer = params.neuronpedia?.layer ?? own?.layer;
    if (!modelId || !layer)
      throw new ApiFailure(
        'failed',
        'a Neuronpedia export needs the Neuronpedia model id and source id: this SAE has no neuronpedia_id to take them from',
        'neuronpedia',
      );
    if (!params.neuronpedia?.authorId)
      throw new ApiFailure(
        'failed',
        'a Neuronpedia export needs the id of the Neuronpedia user the explanations are by (authorId)',
        'neuronpedia',
      );
    neuronpedia = { modelId, layer, authorId: params.neuronpedia.authorId };
  }
  try {
    const file = ws.features.labelsFile(saeId, format, { neuronpedia });
    const base = { fileName: file.fileName, mediaType: file.mediaType, features: file.features };
    return file.gzip
      ? { ...base, content: gzipSync(file.text).toString('base64'), encoding: 'base64' }
      : { ...base, content: file.text, encoding: 'utf8' };
  } catch (error) {
    if (error instanceof LabelsFileError) throw new ApiFailure('failed', error.message, 'neuronpedia');
    throw error;
  }
}

export function labelHandlers(engine: Engine): Pick<Handlers, 'labels.set' | 'labels.history' | 'labels.undo' | 'labels.export'> {
  /** The labels store, once the SAE is known: an empty history of a mistyped id would read as "no changes". */
  const labels = (saeId: string) => {
    const ws = engine.workspace;
    if (!ws.saes.get(saeId)) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId');
    return ws.features.labels;
  };
  return {
    'labels.set': ({ saeId, index, label, notes, tags }) =>
      labels(saeId).set({ saeId, index }, { label, notes, tags }, { author: labelAuthor() }).label,
    'labels.history': (query) => labels(query.saeId).history(query),
    'labels.undo': (target) => labels(target.saeId).undo(target, { author: labelAuthor() })?.label ?? null,
    'labels.export': (params) => labelsExportFile(engine.workspace, params),
  };
}
