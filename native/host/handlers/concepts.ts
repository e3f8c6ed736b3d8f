import { conceptAligned, conceptLists, deleteConceptWords, saveConceptWords } from '../../maps/concepts/service/aligned-service.js';
import { conceptHeatmap } from '../../maps/concepts/service/heatmap-service.js';
import { conceptDefaultRoot, conceptHierarchy, conceptSynsets } from '../../maps/concepts/service/hierarchy-service.js';
import { conceptPlane } from '../../maps/concepts/service/plane-service.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

type ConceptMethods =
  | 'concepts.synsets'
  | 'concepts.hierarchy'
  | 'concepts.heatmap'
  | 'concepts.plane'
  | 'concepts.aligned'
  | 'concepts.lists'
  | 'concepts.saveWords'
  | 'concepts.deleteWords'
  | 'concepts.defaultRoot';

/**
 * Hierarchical-concept geometry. Runs in the engine worker: the first call for a model whitens its
 * vocabulary (stored in the workspace, and kept in memory for the next calls).
 */
export function conceptHandlers(engine: Engine): Pick<Handlers, ConceptMethods> {
  return {
    'concepts.synsets': (params) => conceptSynsets(engine.workspace, params),
    'concepts.hierarchy': (params) => conceptHierarchy(engine.workspace, params),
    'concepts.heatmap': (params) => conceptHeatmap(engine.workspace, params),
    'concepts.plane': (params) => conceptPlane(engine.workspace, params),
    'concepts.aligned': (params) => conceptAligned(engine.workspace, params),
    'concepts.lists': ({ modelId }) => conceptLists(engine.workspace, modelId),
    'concepts.saveWords': (params) => saveConceptWords(engine.workspace, params),
    'concepts.deleteWords': ({ name }) => deleteConceptWords(engine.workspace, name),
    'concepts.defaultRoot': (params) => conceptDefaultRoot(engine.workspace, params),
  };
}
