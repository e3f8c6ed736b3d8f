/** The label queue's keyboard: one table, shown to the user and read by the handler. */
export const queueKeys = [
  { keys: ['n', 'ArrowRight'], action: 'next', about: 'next feature' },
  { keys: ['p', 'ArrowLeft'], action: 'previous', about: 'previous feature' },
  { keys: ['l', 'Enter'], action: 'edit', about: 'edit the label · Enter saves and moves on · Esc saves and stays' },
  { keys: ['a'], action: 'accept', about: 'accept the best candidate label' },
  { keys: ['u'], action: 'uninterpretable', about: 'mark or unmark as uninterpretable' },
  { keys: ['t'], action: 'tag', about: 'add a tag' },
  { keys: ['z'], action: 'undo', about: 'undo the last label change (back to that feature, to change it)' },
] as const;

export type QueueAction = (typeof queueKeys)[number]['action'];

const byKey = new Map<string, QueueAction>(queueKeys.flatMap((k) => k.keys.map((key) => [key, k.action] as [string, QueueAction])));

const keyNames: Record<string, string> = { ArrowRight: '→', ArrowLeft: '←', Enter: '↵' };

/** How a key is printed on a keycap. */
export function keyName(key: string): string {
  return keyNames[key] ?? key;
}

/**
 * The action for a key press outside text fields, or null: modified keys (Ctrl+L, ⌘-anything) stay
 * the browser's, and typing in a field is never a command.
 */
export function queueAction(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; inField: boolean }): QueueAction | null {
  if (e.inField || e.ctrlKey || e.metaKey || e.altKey) return null;
  return byKey.get(e.key.length === 1 ? e.key.toLowerCase() : e.key) ?? null;
}
