import type { SaeSummary } from '../../api/types.js';
import { mapKey } from '../../store/maps-table.js';
import type { MapParams } from '../../store/maps-table.js';
import { openWorkspace } from '../../store/workspace.js';
import type { Workspace } from '../../store/workspace.js';
import type { JobKind } from '../job.js';

export interface ComputeMapParams {
  /** 1–3 SAEs on one hook; more than one makes a joint map. */
  saeIds: string[];
  nNeighbors?: number;
  minDist?: number;
  seed?: number;
}

export interface ComputeMapResult {
  mapId: number;
  key: string;
  /** sorted, as stored */
  saeIds: string[];
  /** true when an identical map was already stored and nothing was computed */
  cached: boolean;
  nPoints: number;
  params: MapParams;
  createdAt: string;
}

export const mapDefaults = { nNeighbors: 15, minDist: 0.1, seed: 42 } as const;

/** maps.compute: a (joint) UMAP map of SAE decoder directions, stored, or found stored already. */
export const computeMapJob: JobKind<ComputeMapParams> = {
  title: ({ saeIds }) => (saeIds.length > 1 ? `Joint map of ${saeIds.join(', ')}` : `Map of ${saeIds[0] ?? 'an SAE'}`),
  async run({ params, workspacePath, signal, progress }): Promise<ComputeMapResult> {
    // Imported here: the engine loads this module for `title`, and must not load ONNX Runtime or umap-js with it.
    const { jointMap, checkLayoutParams, mapAlgorithm } = await import('../../maps/joint.js');
    const { defaultEpochs } = await import('../../maps/umap.js');
    const { loadSae } = await import('../../sae/index.js');
    // This job is one of the running jobs the engine owns: marking "interrupted" jobs would mark itself.
    const ws = openWorkspace(workspacePath, { markInterrupted: false });
    try {
      const saes = registeredSaes(ws, params.saeIds);
      const total = saes.reduce((sum, s) => sum + s.dSae, 0);
      const mapParams: MapParams = {
        algorithm: mapAlgorithm,
        nNeighbors: params.nNeighbors ?? mapDefaults.nNeighbors,
        minDist: params.minDist ?? mapDefaults.minDist,
        seed: params.seed ?? mapDefaults.seed,
        nEpochs: defaultEpochs(total),
      };
      checkLayoutParams(mapParams);
      const maps = ws.maps;
      const key = mapKey(saes, mapParams);
      const stored = maps.getByKey(key);
      if (stored) return resultOf(stored, total, true);

      const decoders = saes.map((s, i) => {
        signal.throwIfAborted();
        progress((0.05 * i) / saes.length, `loading ${s.id}`);
        const sae = loadSae(s.path);
        if (sae.dSae !== s.dSae || sae.dIn !== s.dIn) {
          throw new Error(
            `SAE ${s.id}: ${s.path} now holds a [${sae.dSae}, ${sae.dIn}] decoder, registered as [${s.dSae}, ${s.dIn}]: register it again`,
          );
        }
        return { saeId: s.id, dSae: sae.dSae, dIn: sae.dIn, wDec: sae.wDec, hookName: s.hookName };
      });
      const { points, quality } = await jointMap(decoders, mapParams, {
        signal,
        onProgress: (fraction, message) => progress(0.05 + 0.93 * fraction, message),
      });
      progress(0.99, 'saving');
      const map = maps.put({ key, saeIds: saes.map((s) => s.id), params: mapParams, createdAt: new Date().toISOString(), points, quality });
      return resultOf(map, total, false);
    } finally {
      ws.close();
    }
  },
};

/**
 * The SAEs from the workspace's `saes` table, sorted by id (a joint map of A and B is the map of B
 * and A), checked for one width and one hook before any file is read.
 */
function registeredSaes(ws: Workspace, saeIds: readonly string[]): SaeSummary[] {
  if (saeIds.length < 1 || saeIds.length > 3) throw new Error(`a map shows 1 to 3 SAEs, got ${saeIds.length}`);
  const all = new Map(ws.saes.list().map((s) => [s.id, s]));
  const saes = [...new Set(saeIds)].sort().map((id) => {
    const sae = all.get(id);
    if (!sae) throw new Error(`no SAE with id "${id}" in this workspace`);
    return sae;
  });
  if (saes.length !== saeIds.length) throw new Error(`an SAE is listed twice in [${saeIds.join(', ')}]`);
  const [first] = saes;
  for (const s of saes) {
    if (s.hookName !== first.hookName || s.dIn !== first.dIn) {
      throw new Error(
        `SAE ${s.id} reads ${s.hookName} (width ${s.dIn}) and SAE ${first.id} ${first.hookName} (width ${first.dIn}): a joint map needs one hook`,
      );
    }
  }
  return saes;
}

function resultOf(
  map: { id: number; key: string; saeIds: string[]; params: MapParams; createdAt: string },
  nPoints: number,
  cached: boolean,
): ComputeMapResult {
  return { mapId: map.id, key: map.key, saeIds: map.saeIds, cached, nPoints, params: map.params, createdAt: map.createdAt };
}
