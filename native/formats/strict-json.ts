/**
 * A JSON parser for untrusted headers. Unlike JSON.parse it refuses duplicate keys (JSON.parse keeps
 * the last one silently, so two tensors could claim one name) and builds objects with a null prototype
 * (so a key named "__proto__" is just a key). Strings and numbers are still decoded by JSON.parse.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {}

const MAX_DEPTH = 64;

export function parseStrictJson(text: string): JsonValue {
  const p = new Parser(text);
  p.skipSpace();
  const value = p.value(0);
  p.skipSpace();
  if (p.pos !== text.length) p.fail('unexpected text after the top-level value');
  return value;
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at character ${this.pos}`);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.number();
  }

  object(depth: number): JsonObject {
    const out: JsonObject = Object.create(null);
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      if (Object.hasOwn(out, key)) throw new JsonSyntaxError(`duplicate key "${key}"`);
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      this.skipSpace();
      out[key] = this.value(depth + 1);
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === '}') return out;
      if (sep !== ',') this.fail('expected "," or "}"');
    }
  }

  array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth + 1));
      this.skipSpace();
      const sep = this.text[this.pos++];
      if (sep === ']') return out;
      if (sep !== ',') this.fail('expected "," or "]"');
    }
  }

  string(): string {
    const t = this.text;
    const start = this.pos;
    let i = start + 1;
    while (i < t.length && t[i] !== '"') i += t[i] === '\\' ? 2 : 1;
    if (i >= t.length) this.fail('unterminated string');
    this.pos = i + 1;
    return this.decode(t.slice(start, i + 1), start) as string;
  }

  number(): number {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!m) this.fail('unexpected character');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  decode(token: string, at: number): unknown {
    try {
      return JSON.parse(token);
    } catch {
      this.pos = at;
      return this.fail('invalid string literal');
    }
  }
}
