import type { PathGrant } from '../../../../native/api/types.js';

/**
 * What a path field sends and what it shows. In the desktop app a path comes from grants.choose as an
 * opaque grant: the field sends the grant (`text:grant:…#field`) and shows the chosen path
 * (`text:/home/me/notes.txt#field`). Typing over the shown text keeps the grant only while the text
 * still starts with the shown path and adds nothing but a `#field` (the part path-grants.ts accepts
 * after a grant); anything else is a typed path again, which `loupe serve` uses as it is.
 */
export type CorpusFormat = 'text' | 'jsonl' | 'parquet';

/** The corpus format a chosen file implies: `.jsonl`/`.json` → jsonl, `.parquet` → parquet, else text. */
export function corpusFormatOf(path: string): CorpusFormat {
  const name = path.toLowerCase();
  if (name.endsWith('.jsonl') || name.endsWith('.json')) return 'jsonl';
  if (name.endsWith('.parquet')) return 'parquet';
  return 'text';
}

/** `text:` + grant (or path) + `#field`; a field only for jsonl and parquet, which read one column. */
export function composeCorpusSpec(format: CorpusFormat, target: string, field = ''): string {
  const column = field.replace(/^#/, '').trim();
  if (column.includes('#') || column.includes('/')) throw new Error(`a corpus field name cannot contain "#" or "/": "${column}"`);
  return `${format}:${target}${format !== 'text' && column !== '' ? `#${column}` : ''}`;
}

/** A chosen grant as a field holds it: what it sends and what it shows. */
export interface ChosenPath {
  /** sent to the engine: the grant, or a corpus spec naming it */
  sent: string;
  /** shown to the user: the chosen path in the same spelling */
  shown: string;
}

/** A field's value for a fresh dialog choice: a plain path field, or a corpus spec in the file's format. */
export function chosenPath(grant: PathGrant, corpus: boolean): ChosenPath {
  if (!corpus) return { sent: grant.grant, shown: grant.path };
  const format = corpusFormatOf(grant.path);
  return { sent: composeCorpusSpec(format, grant.grant), shown: composeCorpusSpec(format, grant.path) };
}

/**
 * The value to send after the user edits the shown text of a chosen path: the grant kept with the
 * `#field` they added (corpus fields only), or null when the edit leaves the chosen path (a typed path).
 */
export function editChosen(chosen: ChosenPath, typed: string, corpus: boolean): string | null {
  if (typed === chosen.shown) return chosen.sent;
  if (!corpus) return null;
  const base = chosen.shown.replace(/#[^#/]*$/, '');
  if (!typed.startsWith(base)) return null;
  const rest = typed.slice(base.length);
  if (!/^#[^#/]*$/.test(rest)) return null;
  return `${chosen.sent.replace(/#[^#/]*$/, '')}${rest === '#' ? '' : rest}`;
}
