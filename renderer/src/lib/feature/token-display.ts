/**
 * Token text as the strips show it. Tokens are untrusted corpus text: they are only ever rendered as
 * text nodes, and whitespace that would otherwise be invisible (a newline, a tab, a token of spaces)
 * is drawn as a muted symbol so that a feature firing on "\n" has something to colour.
 */

export interface TokenDisplay {
  /** What to render (as text, white-space: pre). */
  text: string;
  /** True when the token is only whitespace (or empty): `text` is all stand-in symbols. */
  symbolic: boolean;
  /** The token ends a line of the source text (a wrapped strip breaks after it). */
  breaksLine: boolean;
}

const SYMBOLS: Record<string, string> = { '\n': '↵', '\r': '␍', '\t': '⇥', ' ': '·', '\u00a0': '⍽' };

/** A character's visible stand-in: the symbols above, U+XXXX for other control characters. */
function symbolFor(char: string): string {
  const symbol = SYMBOLS[char];
  if (symbol) return symbol;
  return `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`;
}

// Control and invisible format characters that would render as nothing (or reorder text: bidi).
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/gu;

/**
 * A token with text keeps its inner and leading spaces (they separate words in a strip) but shows
 * newlines, tabs and invisible characters as symbols; a token of only whitespace becomes symbols
 * entirely. The empty token becomes "∅".
 */
export function displayToken(token: string): TokenDisplay {
  if (token.length === 0) return { text: '∅', symbolic: true, breaksLine: false };
  const breaksLine = token.includes('\n');
  if (/^\s+$/u.test(token)) return { text: Array.from(token, symbolFor).join(''), symbolic: true, breaksLine };
  return { text: token.replace(/[\n\r\t]/gu, symbolFor).replace(INVISIBLE, symbolFor), symbolic: false, breaksLine };
}

/** A token quoted for a tooltip or list, with every space visible: " the" → "␣the". */
export function quoteToken(token: string): string {
  if (token.length === 0) return '∅';
  return Array.from(token, (c) => (c === ' ' ? '␣' : /\s/u.test(c) ? symbolFor(c) : c))
    .join('')
    .replace(INVISIBLE, symbolFor);
}
