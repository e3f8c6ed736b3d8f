import { describe, expect, it } from 'vitest';
import { contrastOnText } from '../../../../renderer/src/lib/prompt/contrast.js';

const links = (parents: number[], similarity: number[]) => ({
  nWide: parents.length,
  parents: Int32Array.from(parents),
  similarity: Float32Array.from(similarity),
});
const fv = (index: number, value = 1) => ({ index, label: '', value });

describe('fires in A but not in B', () => {
  // wide 0, 1 → narrow 0 (children of a split); wide 2 → narrow 1 weakly (not a match); wide 3 → narrow 2
  const l = links([0, 0, 1, 2], [0.9, 0.7, 0.3, 0.8]);

  it('lists a narrow feature as one-sided only when none of its matched children fires', () => {
    const c = contrastOnText([fv(0), fv(1), fv(2)], [fv(1), fv(2)], l);
    // narrow 0 has child 1 firing; narrow 1 has no match at all; narrow 2's only child (3) is silent
    expect(c.narrowOnly.map((f) => [f.index, f.matches])).toEqual([
      [1, []],
      [2, [3]],
    ]);
  });

  it('lists a wide feature whose parent is silent, or that matches nothing', () => {
    const c = contrastOnText([fv(0)], [fv(1), fv(2), fv(3)], l);
    expect(c.wideOnly.map((f) => [f.index, f.matches])).toEqual([
      [2, []],
      [3, [2]],
    ]);
  });

  it('keeps the order and values it was given (strongest first)', () => {
    const c = contrastOnText([fv(2, 5), fv(1, 3)], [], l);
    expect(c.narrowOnly.map((f) => f.value)).toEqual([5, 3]);
  });
});
