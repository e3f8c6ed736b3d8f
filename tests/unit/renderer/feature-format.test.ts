import { describe, expect, it } from 'vitest';
import {
  formatAct,
  formatCount,
  formatDensity,
  formatOneIn,
  formatPercentOf,
  formatUnit,
} from '../../../renderer/src/lib/feature/format.js';

describe('feature page number formats', () => {
  it('formatAct keeps 3 significant digits without exponents in the usual range', () => {
    expect(formatAct(0)).toBe('0');
    expect(formatAct(3.14159)).toBe('3.14');
    expect(formatAct(0.012345)).toBe('0.0123');
    expect(formatAct(12.345)).toBe('12.3');
    expect(formatAct(1234.5)).toBe('1235');
    expect(formatAct(0.0004)).toBe('4.0e-4');
    expect(formatAct(Number.NaN)).toBe('—');
  });

  it('formatDensity shows a percentage with two significant digits below 10%', () => {
    expect(formatDensity(0.0123)).toBe('1.2%');
    expect(formatDensity(0.00004)).toBe('0.004%');
    expect(formatDensity(0.25)).toBe('25.0%');
    expect(formatDensity(0)).toBe('0%');
  });

  it('formatOneIn rounds "1 in N" to a readable N', () => {
    expect(formatOneIn(1 / 119)).toBe('1 in 119');
    expect(formatOneIn(1 / 3400)).toBe('1 in 3.4k');
    expect(formatOneIn(1 / 2_500_000)).toBe('1 in 2.5M');
    expect(formatOneIn(1)).toBe('every token');
    expect(formatOneIn(0)).toBe('');
  });

  it('formatUnit, formatCount and formatPercentOf', () => {
    expect(formatUnit(0.4567)).toBe('0.46');
    expect(formatUnit(-0.1)).toBe('-0.10');
    expect(formatUnit(null)).toBe('—');
    expect(formatCount(16384)).toBe('16,384');
    expect(formatPercentOf(38, 100)).toBe('38%');
    expect(formatPercentOf(3, 400)).toBe('0.8%');
    expect(formatPercentOf(7, 0)).toBe('7');
  });
});
