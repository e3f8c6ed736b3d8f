import { describe, expect, it } from 'vitest';
import {
  MIN_TINT,
  TINT_LEVELS,
  activationBackground,
  activationIntensity,
  isStrongTint,
  tintLevel,
} from '../../../renderer/src/lib/feature/activation-color.js';
import { stripTokens, tokenClass } from '../../../renderer/src/lib/feature/strip.js';

describe('activation colouring', () => {
  it('gives no tint to zero, negative or NaN activations and to a missing scale', () => {
    expect(activationIntensity(0, 5)).toBe(0);
    expect(activationIntensity(-1, 5)).toBe(0);
    expect(activationIntensity(Number.NaN, 5)).toBe(0);
    expect(activationIntensity(2, 0)).toBe(0);
    expect(activationBackground(0)).toBe('');
  });

  it('tints any positive activation at least MIN_TINT and the maximum fully, linearly between', () => {
    expect(activationIntensity(1e-6, 5)).toBeCloseTo(MIN_TINT, 6);
    expect(activationIntensity(5, 5)).toBe(1);
    expect(activationIntensity(9, 5)).toBe(1);
    expect(activationIntensity(2.5, 5)).toBeCloseTo(MIN_TINT + (1 - MIN_TINT) / 2, 12);
    expect(activationIntensity(1, 5)).toBeLessThan(activationIntensity(2, 5));
  });

  it('mixes the theme colour with transparency so one rule serves light and dark themes', () => {
    expect(activationBackground(1)).toBe('color-mix(in srgb, var(--act) 100%, transparent)');
    expect(activationBackground(0.456)).toBe('color-mix(in srgb, var(--act) 46%, transparent)');
    expect(isStrongTint(0.9)).toBe(true);
    expect(isStrongTint(0.3)).toBe(false);
  });

  it('stripTokens colours the chosen positions on the shared scale and shows whitespace', () => {
    const strip = stripTokens(['The', ' cat', '\n', ' sat'], [0, 4, 1, 0], [1, 2, 3], 4);
    expect(strip.map((t) => t.i)).toEqual([1, 2, 3]);
    expect(strip[0]).toMatchObject({ text: ' cat', strong: true, tint: TINT_LEVELS });
    expect(strip[1]).toMatchObject({ text: '↵', symbolic: true, breaksLine: true, strong: false, tint: 7 });
    expect(strip[2].tint).toBe(0);
    expect(strip.map((t) => tokenClass(t, 1))).toEqual(['tok tint-20 strong max', 'tok tint-7 sym', 'tok tint-0']);
  });

  it('stripTokens shows tokens the index read but did not count (the BOS, a burn-in) as context, untinted', () => {
    const strip = stripTokens(['', ' burn', ' in', ' cat'], [0, 3, 2, 4], [0, 1, 2, 3], 4, [0, 0, 0, 1]);
    expect(strip.map((t) => t.context)).toEqual([true, true, true, false]);
    expect(strip[0]).toMatchObject({ text: '⟨bos⟩', bos: true, symbolic: true });
    expect(strip.slice(0, 3).map((t) => t.tint)).toEqual([0, 0, 0]);
    expect(tokenClass(strip[1], 3)).toBe('tok tint-0 ctx');
    expect(tokenClass(strip[3], 3)).toBe('tok tint-20 strong max');
  });

  it('tintLevel steps intensities into classes, never rounding a real activation down to none', () => {
    expect(tintLevel(0)).toBe(0);
    expect(tintLevel(0.001)).toBe(1);
    expect(tintLevel(MIN_TINT)).toBe(2);
    expect(tintLevel(0.5)).toBe(10);
    expect(tintLevel(1)).toBe(TINT_LEVELS);
    expect(tintLevel(2)).toBe(TINT_LEVELS);
  });
});
