/**
 * A streaming UTF-8 decoder that counts the invalid sequences it replaces with U+FFFD.
 * TextDecoder (fatal: false) does the WHATWG replacement; the count is the U+FFFD characters it
 * produced minus those the input spelled out itself (EF BF BD). That subtraction is exact because
 * 0xEF is a lead byte: it is never swallowed by a neighbouring sequence, valid or not.
 */
export class CountingUtf8Decoder {
  #decoder = new TextDecoder('utf-8', { fatal: false });
  /** How many bytes of EF BF BD the previous chunk ended with (0, 1 or 2). */
  #partial = 0;
  #replaced = 0;

  /** Invalid sequences replaced so far. */
  get replaced(): number {
    return this.#replaced;
  }

  /** Decodes the next chunk; pass `final` with the last one (or call `end()`) to flush a cut-off sequence. */
  decode(bytes: Uint8Array, final = false): string {
    const text = this.#decoder.decode(bytes, { stream: !final });
    this.#replaced += countReplacementChars(text) - this.#countLiteral(bytes);
    if (final) this.#partial = 0;
    return text;
  }

  end(): string {
    return this.decode(new Uint8Array(0), true);
  }

  #countLiteral(bytes: Uint8Array): number {
    const pattern = [0xef, 0xbf, 0xbd];
    let matched = this.#partial;
    let count = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === pattern[matched]) matched++;
      else matched = b === 0xef ? 1 : 0;
      if (matched === 3) {
        count++;
        matched = 0;
      }
    }
    this.#partial = matched;
    return count;
  }
}

function countReplacementChars(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) count++;
  return count;
}
