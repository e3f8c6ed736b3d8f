import { describe, expect, it } from 'vitest';
import { displayToken, quoteToken } from '../../../renderer/src/lib/feature/token-display.js';

describe('displayToken', () => {
  it('keeps ordinary tokens, leading spaces included, as they are', () => {
    expect(displayToken(' the')).toEqual({ text: ' the', symbolic: false, breaksLine: false });
    expect(displayToken('<script>')).toEqual({ text: '<script>', symbolic: false, breaksLine: false });
  });

  it('draws whitespace-only tokens as visible symbols', () => {
    expect(displayToken('\n')).toEqual({ text: '↵', symbolic: true, breaksLine: true });
    expect(displayToken('\n\n')).toEqual({ text: '↵↵', symbolic: true, breaksLine: true });
    expect(displayToken('  ')).toEqual({ text: '··', symbolic: true, breaksLine: false });
    expect(displayToken('\t')).toEqual({ text: '⇥', symbolic: true, breaksLine: false });
    expect(displayToken('')).toEqual({ text: '∅', symbolic: true, breaksLine: false });
  });

  it('shows newlines, tabs, control and bidi characters inside a token', () => {
    expect(displayToken('.\n')).toEqual({ text: '.↵', symbolic: false, breaksLine: true });
    expect(displayToken('a\u0007b').text).toBe('a\\u0007b');
    expect(displayToken('x\u202ey').text).toBe('x\\u202ey');
  });

  it('quoteToken makes every space visible for tooltips and lists', () => {
    expect(quoteToken(' the')).toBe('␣the');
    expect(quoteToken('\n')).toBe('↵');
    expect(quoteToken('')).toBe('∅');
  });
});
