import { describe, expect, it } from 'vitest';
import { kwicParts, kwicSlice } from '../../../renderer/src/lib/feature/kwic.js';
import { parseSearch, searchText } from '../../../renderer/src/lib/feature/search-text.js';
import { featureShortcut, isTypingTarget } from '../../../renderer/src/lib/feature/shortcuts.js';
import { tokenBars } from '../../../renderer/src/lib/feature/token-bars.js';
import { normalizeTag, withTag, withoutTag } from '../../../renderer/src/lib/feature/tags.js';

const press = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('kwicSlice', () => {
  it('centres the max token with bounded context on both sides', () => {
    expect(kwicSlice(128, 60, 10, 5)).toEqual({ start: 50, centre: 60, end: 66 });
    expect(kwicSlice(128, 2, 10, 5)).toEqual({ start: 0, centre: 2, end: 8 });
    expect(kwicSlice(128, 126, 10, 5)).toEqual({ start: 116, centre: 126, end: 128 });
    expect(kwicSlice(4, 9, 10, 10)).toEqual({ start: 0, centre: 3, end: 4 });
    expect(kwicSlice(0, 0, 3, 3)).toEqual({ start: 0, centre: 0, end: 0 });
    expect(kwicParts(kwicSlice(10, 4, 2, 2))).toEqual({ left: [2, 3], right: [5, 6] });
  });
});

describe('search box input', () => {
  it('makes the word being typed a prefix, and a finished word whole', () => {
    expect(searchText('determ')).toBe('determ*');
    expect(searchText('past tense')).toBe('past tense*');
    expect(searchText('noun ')).toBe('noun');
    expect(searchText('noun*')).toBe('noun*');
    expect(searchText('it\'s "')).toBe('it\'s "');
  });

  it('tells an index jump, a text search and a token search apart', () => {
    expect(parseSearch('  ')).toEqual({ kind: 'none' });
    expect(parseSearch('#42')).toEqual({ kind: 'index', index: 42 });
    expect(parseSearch('verb')).toEqual({ kind: 'text', text: 'verb*' });
    expect(parseSearch('42')).toEqual({ kind: 'text', text: '42*' });
    expect(parseSearch(' , ')).toEqual({ kind: 'token', token: ',' });
  });
});

describe('feature page shortcuts', () => {
  it('maps j/k/[/]/a/l outside text fields and nothing while typing', () => {
    expect(featureShortcut(press('j'), false)).toBe('next');
    expect(featureShortcut(press(']'), false)).toBe('next');
    expect(featureShortcut(press('k'), false)).toBe('prev');
    expect(featureShortcut(press('['), false)).toBe('prev');
    expect(featureShortcut(press('a'), false)).toBe('accept');
    expect(featureShortcut(press('l'), false)).toBe('focusLabel');
    expect(featureShortcut(press('j'), true)).toBeNull();
    expect(featureShortcut(press('a', { ctrlKey: true }), false)).toBeNull();
  });

  it('undoes on Ctrl+Z or Cmd+Z outside text fields, leaving redo and fields alone', () => {
    expect(featureShortcut(press('z', { ctrlKey: true }), false)).toBe('undo');
    expect(featureShortcut(press('z', { metaKey: true }), false)).toBe('undo');
    expect(featureShortcut(press('Z', { metaKey: true, shiftKey: true }), false)).toBeNull();
    expect(featureShortcut(press('z', { ctrlKey: true }), true)).toBeNull();
  });

  it('treats text inputs, textareas, selects and editable content as typing targets', () => {
    expect(isTypingTarget({ tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(isTypingTarget({ tagName: 'input', type: 'search' })).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTypingTarget({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTypingTarget({ tagName: 'BUTTON' })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe('token bars and tags', () => {
  it('puts boosted and suppressed tokens on one |value| scale', () => {
    const boosted = [
      { tokenId: 1, token: ' a', value: 2 },
      { tokenId: 2, token: ' b', value: 1 },
    ];
    const suppressed = [{ tokenId: 3, token: ' c', value: -4 }];
    expect(tokenBars(boosted, suppressed).map((b) => b.fraction)).toEqual([0.5, 0.25]);
    expect(tokenBars(suppressed, boosted).map((b) => b.fraction)).toEqual([1]);
    expect(tokenBars([{ tokenId: 1, token: 'x', value: 0 }])[0].fraction).toBe(0);
  });

  it('normalises tags as the store does and keeps them a sorted set', () => {
    expect(normalizeTag('  past   tense ')).toBe('past tense');
    expect(normalizeTag('a;b')).toBe('a b');
    expect(normalizeTag(' ; ')).toBeNull();
    expect(normalizeTag('x'.repeat(80))).toHaveLength(64);
    expect(withTag(['syntax'], 'morphology')).toEqual(['morphology', 'syntax']);
    expect(withTag(['syntax'], ' syntax ')).toEqual(['syntax']);
    expect(withoutTag(['a', 'b'], 'a')).toEqual(['b']);
  });
});
