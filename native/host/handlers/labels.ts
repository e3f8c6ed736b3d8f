import { userInfo } from 'node:os';
import { ApiFailure } from '../../api/errors.js';
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

export function labelHandlers(engine: Engine): Pick<Handlers, 'labels.set' | 'labels.history' | 'labels.undo'> {
  /** The labels store, once the SAE is known: an empty history of a mistyped id would read as "no changes". */
  const labels = (saeId: string) => {
    const ws = engine.workspace;
    if (!ws.saes.get(saeId)) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId');
    return ws.features.labels;
  };
  return {
    'labels.set': ({ saeId, index, label, notes, tags }) => labels(saeId).set({ saeId, index }, { label, notes, tags }, { author: labelAuthor() }).label,
    'labels.history': (query) => labels(query.saeId).history(query),
    'labels.undo': (target) => labels(target.saeId).undo(target, { author: labelAuthor() })?.label ?? null,
  };
}
