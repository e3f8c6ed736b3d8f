import type { CompareRunSummary } from '../../../../native/api/types.js';
import type { ApiClient } from '../../lib/api/client.js';
import { decodeLinks, type DecodedLinks } from '../../lib/compare/links.js';
import { familiesOf, type MapFamilies } from '../../lib/map/families.js';
import type { MapLayout } from '../../lib/map/layout.js';

/**
 * Families from the newest stored comparison of the map's SAEs (compare.get, then compare.links per
 * pair, by decoder cosine): each wider feature's parent is its best narrower match at
 * ≥ FAMILY_THRESHOLD, and a family is everything that descends from one feature of the narrowest SAE.
 * Null when the map shows one SAE or its SAEs were never compared.
 */
export async function loadFamilies(api: ApiClient, layout: MapLayout, names: Record<string, string>): Promise<MapFamilies | null> {
  if (layout.saeIds.length < 2) return null;
  const run: CompareRunSummary | null = await api.call('compare.get', { saeIds: layout.saeIds });
  if (!run) return null;
  const order = run.saes.map((s) => s.saeId); // narrowest first
  const links: DecodedLinks[] = [];
  for (const p of run.pairs) links.push(decodeLinks(await api.call('compare.links', { runId: run.runId, pair: p.pair, by: 'cosine' })));
  return familiesOf(layout, order, links, run.runId, names[order[0]] ?? order[0]);
}
