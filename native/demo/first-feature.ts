import type { FeatureKey } from '../api/types.js';
import type { Workspace } from '../store/workspace.js';

/** Fires on 0.2–3% of tokens: rare enough to mean something, common enough to have full example lists. */
const DENSITY = { min: 0.002, max: 0.03 };
const CANDIDATES_LOOKED_AT = 200;

/**
 * A feature worth opening first in the demo: among the SAE's features of moderate density, the one
 * whose best corpus-tag candidate is the most precise (it fires almost only on one part of speech),
 * the strongest activation breaking ties. Null until the SAE has index statistics.
 */
export function firstFeature(ws: Workspace, saeId: string): FeatureKey | null {
  const found = ws.features.query({ saeId, density: DENSITY, sort: 'maxAct', descending: true, limit: CANDIDATES_LOOKED_AT });
  if (found.runId === null || found.items.length === 0) return null;
  let best: { key: FeatureKey; precision: number } | null = null;
  for (const item of found.items) {
    const [top] = ws.features.candidates.listForFeature(found.runId, item.key.index);
    const precision = top && top.tag !== 'other' ? top.precision : 0;
    // Items come strongest first, so a strict `>` keeps the stronger of two equally precise features.
    if (!best || precision > best.precision) best = { key: item.key, precision };
  }
  return best?.key ?? null;
}
