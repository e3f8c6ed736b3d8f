import { describe, expect, it } from 'vitest';
import { keyName, queueAction, queueKeys } from '../../../renderer/src/lib/queue/keys.js';

const press = (key: string, extra: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; inField: boolean }> = {}) =>
  queueAction({ key, ctrlKey: false, metaKey: false, altKey: false, inField: false, ...extra });

describe('label queue keys', () => {
  it('maps each documented key to its action, either case', () => {
    for (const { keys, action } of queueKeys) for (const key of keys) expect(press(key)).toBe(action);
    expect(press('N')).toBe('next');
    expect(press('U')).toBe('uninterpretable');
  });

  it('leaves typing, modified keys and other keys alone', () => {
    expect(press('n', { inField: true })).toBeNull();
    expect(press('l', { ctrlKey: true })).toBeNull();
    expect(press('a', { metaKey: true })).toBeNull();
    expect(press('t', { altKey: true })).toBeNull();
    expect(press('x')).toBeNull();
    expect(press('Escape')).toBeNull();
  });

  it('prints arrow and enter keys as symbols', () => {
    expect(['ArrowRight', 'ArrowLeft', 'Enter', 'n'].map(keyName)).toEqual(['→', '←', '↵', 'n']);
  });
});
