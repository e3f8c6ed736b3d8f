import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelsCsv, labelsJson, replayLabels } from '../../../renderer/src/lib/queue/export.js';
import { mulberry32, seededSample } from '../../../renderer/src/lib/queue/sample.js';
import { mulberry32 as engineMulberry32 } from '../../../native/corpus/shuffle.js';
import { LabelsStore } from '../../../native/store/labels.js';
import { exportLabels, parseLabelsCsv, parseLabelsJson } from '../../../native/store/labels-io.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { registerSae } from '../../integration/store/index-fixtures.js';

const dir = tempDir('queue-export');
afterAll(() => dir.cleanup());

describe('label export in the renderer', () => {
  it('rebuilds from the history exactly what the store holds and writes the CLI\'s files byte for byte', () => {
    const ws = openWorkspace(join(dir.path, 'ws'));
    try {
      registerSae(ws.db, 'sae-a', 64);
      registerSae(ws.db, 'sae-b', 64);
      const labels = new LabelsStore(ws.db);
      const at = (m: number, author = m % 2 ? 'ada' : 'bo') => ({ author, at: `2024-05-01T10:${String(m).padStart(2, '0')}:00.000Z` });
      const a = (index: number) => ({ saeId: 'sae-a', index });
      labels.set(a(5), { label: 'dogs' }, at(1));
      labels.set(a(5), { label: 'dogs, "cats"', notes: 'pets?\nmaybe', tags: ['animal', 'noun'] }, at(2));
      labels.set(a(5), { tags: ['animal'] }, at(3));
      labels.set(a(9), { label: 'commas, quotes " and  spaces ' }, at(4));
      labels.set(a(2), { tags: ['uninterpretable'] }, at(5));
      labels.set(a(3), { label: 'gone soon' }, at(6));
      labels.undo(a(3), at(7));
      labels.set(a(7), { label: 'x' }, at(8));
      labels.set(a(7), { label: 'y', tags: ['b', 'a'] }, at(9));
      labels.undo(a(7), at(10));
      labels.set({ saeId: 'sae-b', index: 1 }, { label: 'other SAE' }, at(11));

      // Paged as the queue pages it: newest first, a few events per call.
      const events = [];
      for (let page = labels.history({ saeId: 'sae-a', limit: 3 }); page.length > 0; page = labels.history({ saeId: 'sae-a', limit: 3, beforeId: page[page.length - 1].id })) events.push(...page);
      const replayed = replayLabels('sae-a', events);
      const stored = labels.listForSae('sae-a');
      expect(replayed).toEqual(stored);
      expect(replayed.map((l) => l.key.index)).toEqual([2, 5, 7, 9]);

      expect(labelsCsv(replayed)).toBe(exportLabels(stored, 'csv', { saeId: 'sae-a', exportedAt: 'now' }));
      const when = '2024-06-01T00:00:00.000Z';
      expect(labelsJson('sae-a', replayed, when)).toBe(exportLabels(stored, 'json', { saeId: 'sae-a', exportedAt: when }));
      expect(parseLabelsCsv(labelsCsv(replayed)).map((r) => r.index)).toEqual([2, 5, 7, 9]);
      expect(parseLabelsJson(labelsJson('sae-a', replayed, when))[1].patch).toEqual({ label: 'dogs, "cats"', notes: 'pets?\nmaybe', tags: ['animal'] });
    } finally {
      ws.close();
    }
  });
});

describe('seeded sample', () => {
  it('is a permutation prefix that depends only on the seed', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const a = seededSample(items, 42, 10);
    expect(seededSample(items, 42, 10)).toEqual(a);
    expect(seededSample(items, 43, 10)).not.toEqual(a);
    expect(new Set(a).size).toBe(10);
    expect(seededSample(items, 42)).toHaveLength(100);
    expect([...seededSample(items, 42)].sort((x, y) => x - y)).toEqual(items);
    expect(seededSample(items, 42, 10)).toEqual(seededSample(items, 42).slice(0, 10));
    expect(items[0]).toBe(0);
  });

  it('draws with the engine\'s mulberry32 (corpus shuffles), so a seed means one thing in Loupe', () => {
    expect(mulberry32).toBe(engineMulberry32);
    const [mine, engine] = [mulberry32(1234), engineMulberry32(1234)];
    for (let i = 0; i < 1000; i++) expect(mine()).toBe(engine());
  });
});
