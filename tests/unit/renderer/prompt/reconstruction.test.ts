import { describe, expect, it } from 'vitest';
import type { PromptResult } from '../../../../native/api/types.js';
import { displayToken } from '../../../../renderer/src/lib/feature/token-display.js';
import { formatRatio, reconstructionRow } from '../../../../renderer/src/lib/prompt/reconstruction.js';

function result(relativeError: (number | null)[], overall: number | null): PromptResult {
  return {
    tokens: relativeError.map((_, i) => ({ id: i, text: ` t${i}`, start: 3 * i, end: 3 * i + 3 })),
    reconstruction: { relativeError, errorSq: relativeError.map((v) => v ?? 0), inputSq: relativeError.map(() => 1), overall },
  } as unknown as PromptResult;
}

describe('reconstruction row', () => {
  it('scales bars to 1 at least so SAEs compare, and names the worst token and the median', () => {
    const row = reconstructionRow(result([0.1, 0.5, null, 0.2], 0.25), 40)!;
    expect(row.top).toBe(1);
    expect(row.cells.map((c) => c.height)).toEqual([4, 20, 0, 8]);
    expect(row.worst?.i).toBe(1);
    expect(row.median).toBeCloseTo(0.2, 12);
    expect(row.overallY).toBe(30);
    expect(row.cells[0].text).toBe(displayToken(' t0').text);
  });

  it('stretches the scale for an error above 1, and is absent without reconstruction data', () => {
    const row = reconstructionRow(result([0.5, 2], 1.2), 40)!;
    expect(row.top).toBe(2);
    expect(row.cells.map((c) => c.height)).toEqual([10, 40]);
    expect(reconstructionRow({ tokens: [] } as unknown as PromptResult, 40)).toBeNull();
    expect([0.0312, 0.4249, 1.26, null, 0].map(formatRatio)).toEqual(['0.031', '0.42', '1.3', '—', '0']);
  });
});
