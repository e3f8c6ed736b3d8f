/**
 * GPT-2's `bytes_to_unicode` table. Byte-level BPE vocabularies spell every token as a string of
 * these stand-in characters: printable Latin-1 bytes stand for themselves and the other 68 bytes
 * (controls, space, 0x7f-0xa0, 0xad) are shifted to U+0100 upward, so 'Ġ' is a space and 'Ċ' a newline.
 */
function buildByteToChar(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCharCode(b);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCharCode(256 + shifted++);
  }
  return table;
}

/** Stand-in character for each byte value 0..255. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

const CHAR_TO_BYTE = new Map<string, number>(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** The UTF-8 bytes a byte-level token stands for, or null when it holds a character outside the table. */
export function tokenBytes(token: string): Uint8Array | null {
  const bytes = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = CHAR_TO_BYTE.get(token[i]);
    if (b === undefined) return null;
    bytes[i] = b;
  }
  return bytes;
}

/** A byte-level string as text: 'Ġthe' becomes ' the'; bytes that are not whole UTF-8 characters become U+FFFD. */
export function byteLevelToText(token: string): string {
  const bytes = tokenBytes(token);
  return bytes === null ? token : new TextDecoder('utf-8').decode(bytes);
}
