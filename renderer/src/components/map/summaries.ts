import type { FeatureSummary } from '../../../../native/api/types.js';
import type { ApiClient } from '../../lib/api/client.js';
import { pointOf, type MapLayout } from '../../lib/map/layout.js';
import type { PointAttributes } from '../../lib/map/colour.js';

export { uninterpretableTag } from '../../../../native/api/types.js';
import { uninterpretableTag } from '../../../../native/api/types.js';

/** features.list / features.search page size: the contract's maximum. */
const pageSize = 1000;

/** Every item of a features.list or features.search, paging until `total` is reached. */
export async function allFeatures(
  fetchPage: (offset: number) => Promise<{ total: number; items: FeatureSummary[] }>,
): Promise<FeatureSummary[]> {
  const items: FeatureSummary[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await fetchPage(offset);
    items.push(...page.items);
    if (page.items.length === 0 || offset + pageSize >= page.total) return items;
  }
}

/** Per point: the label text and the colour modes' attributes. */
export interface PointSummaries {
  labels: string[];
  attrs: PointAttributes;
}

/** Every feature's label, density, label state, top token and best candidate (features.list, 1,000 at a time: 33 calls at 32k features). */
export async function loadSummaries(api: ApiClient, layout: MapLayout): Promise<PointSummaries> {
  const labels = new Array<string>(layout.n).fill('');
  const attrs: PointAttributes = {
    density: new Float32Array(layout.n).fill(NaN),
    labelState: new Uint8Array(layout.n),
    sae: layout.sae,
    topToken: new Array<string>(layout.n).fill(''),
    candidate: new Array<string>(layout.n).fill(''),
    family: null,
  };
  await Promise.all(
    layout.saeIds.map(async (saeId) => {
      const listed = await allFeatures((offset) => api.call('features.list', { saeId, sort: 'index', offset, limit: pageSize }));
      for (const f of listed) {
        const p = pointOf(layout, saeId, f.key.index);
        if (p < 0) continue;
        labels[p] = f.label;
        attrs.density[p] = f.density ?? NaN;
        attrs.labelState[p] = f.tags.includes(uninterpretableTag) ? 2 : f.label.trim() !== '' ? 1 : 0;
        attrs.topToken[p] = f.topTokens[0] ?? '';
        attrs.candidate[p] = f.bestCandidate?.tag ?? '';
      }
    }),
  );
  return { labels, attrs };
}

/** Points whose feature matches `text` (label, notes, tags, top tokens), as a [n] 0/1 mask, and how many. */
export async function searchPoints(api: ApiClient, layout: MapLayout, text: string): Promise<{ mask: Uint8Array; count: number }> {
  const mask = new Uint8Array(layout.n);
  let count = 0;
  await Promise.all(
    layout.saeIds.map(async (saeId) => {
      const found = await allFeatures((offset) => api.call('features.search', { saeId, text, offset, limit: pageSize }));
      for (const f of found) {
        const p = pointOf(layout, saeId, f.key.index);
        if (p >= 0 && mask[p] === 0) {
          mask[p] = 1;
          count++;
        }
      }
    }),
  );
  return { mask, count };
}
