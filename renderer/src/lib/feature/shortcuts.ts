/**
 * The feature page's keys. Single letters act only outside text fields (a label may contain "j");
 * Ctrl/⌘+Z outside text fields undoes the last saved label change (inside one, the field's own
 * undo runs as usual).
 */
export type FeatureShortcut = 'next' | 'prev' | 'accept' | 'undo' | 'focusLabel';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** Whether an event target is somewhere a person types (so single-letter shortcuts must not fire). */
export function isTypingTarget(target: { tagName?: string; isContentEditable?: boolean; type?: string } | null): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset'].includes((target.type ?? 'text').toLowerCase());
}

export function featureShortcut(press: KeyPress, typing: boolean): FeatureShortcut | null {
  if (typing) return null;
  const command = press.ctrlKey || press.metaKey;
  if (command && !press.altKey && !press.shiftKey && press.key.toLowerCase() === 'z') return 'undo';
  if (command || press.altKey) return null;
  switch (press.key) {
    case 'j':
    case ']':
      return 'next';
    case 'k':
    case '[':
      return 'prev';
    case 'a':
      return 'accept';
    case 'l':
      return 'focusLabel';
    default:
      return null;
  }
}
