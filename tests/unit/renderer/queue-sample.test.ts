import { describe, expect, it } from 'vitest';
import { mulberry32, seededSample } from '../../../renderer/src/lib/queue/sample.js';
import { mulberry32 as engineMulberry32 } from '../../../native/api/random.js';

// The label queue's files come from the engine (labels.export, tests/integration/host/labels-export.test.ts).

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

  it("draws the same sequence as the engine's mulberry32 (corpus shuffles), so a seed means one thing in Loupe", () => {
    const [mine, engine] = [mulberry32(1234), engineMulberry32(1234)];
    for (let i = 0; i < 1000; i++) expect(mine()).toBe(engine());
  });
});
