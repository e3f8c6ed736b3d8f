import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { readAt } from './read-at.js';
import { FormatError } from './tensor.js';

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
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
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

/** What a JSON file may hold before any parser builds it: its bytes, its nesting, its containers and values. */
export interface JsonLimits {
  maxBytes: number;
  maxDepth: number;
  /** arrays and objects: each costs an allocation, and `[],` is three bytes (8M of them: 3 s and 640 MB in JSON.parse) */
  maxContainers: number;
  /** arrays, objects and the members in them */
  maxValues: number;
}

/**
 * Limits per kind of JSON, in one place. A tokenizer.json is the largest we read: Gemma 3's is 33 MB
 * with about 1.8 million values (262k vocabulary entries, 515k merges as pairs, so as many arrays)
 * nested 5 deep; the caps leave it room twice over, so a hostile file costs at most what the largest
 * real one does. A request body is the renderer's params: a few levels, a few thousand values.
 */
export const jsonLimits = {
  tokenizer: { maxBytes: 64 << 20, maxDepth: 32, maxContainers: 2_000_000, maxValues: 8_000_000 },
  config: { maxBytes: 4 << 20, maxDepth: 32, maxContainers: 100_000, maxValues: 200_000 },
  /** model.safetensors.index.json: one name per tensor (DeepSeek-V3's names 91k tensors in 9 MB) */
  shardIndex: { maxBytes: 32 << 20, maxDepth: 8, maxContainers: 1000, maxValues: 2_000_000 },
  requestBody: { maxBytes: 1 << 20, maxDepth: 32, maxContainers: 100_000, maxValues: 200_000 },
  /** the reference reader's 100 MB; a tensor is about six values, a large shard a few thousand tensors */
  safetensorsHeader: { maxBytes: 100_000_000, maxDepth: 64, maxContainers: 500_000, maxValues: 1_000_000 },
  /**
   * A training checkpoint.json: a few scalars and the run's log. A log record (TrainPoint, ten numbers)
   * is at most 279 bytes (every number at its longest, 199 in a real run), and the trainer keeps about
   * 200 records whatever the step count (fewer than 400 for any run); 4 MB holds 15,000 worst-case
   * records, one a step for a 15,000-step run, 37 times the longest log a run writes.
   */
  trainingCheckpoint: { maxBytes: 4 << 20, maxDepth: 8, maxContainers: 20_000, maxValues: 200_000 },
  /** one record of a JSON Lines metadata file (Neuronpedia's source.jsonl: a source's name, model and dataset) */
  jsonlRecord: { maxBytes: 1 << 20, maxDepth: 32, maxContainers: 100_000, maxValues: 200_000 },
} as const satisfies Record<string, JsonLimits>;

export type JsonShapeLimits = Pick<JsonLimits, 'maxDepth' | 'maxContainers' | 'maxValues'>;

/**
 * Checks JSON text against depth, container and value limits in one pass, building nothing, so a
 * hostile file (50 MB of nested arrays) is refused in milliseconds instead of costing a parse.
 * Strings are skipped whole (escapes included); what is not JSON is left for the parser to name.
 */
export function checkJsonShape(text: string, limits: JsonShapeLimits): void {
  let depth = 0;
  let containers = 0;
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i++;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limits.maxDepth) throw new JsonSyntaxError(`nesting deeper than ${limits.maxDepth} at character ${i}`);
      if (++containers > limits.maxContainers) throw new JsonSyntaxError(`more than ${limits.maxContainers} arrays and objects`);
      if (++values > limits.maxValues) throw new JsonSyntaxError(`more than ${limits.maxValues} values`);
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0x2c) {
      if (++values > limits.maxValues) throw new JsonSyntaxError(`more than ${limits.maxValues} values`);
    }
  }
}

/** Parses untrusted JSON text after checking its shape; JsonSyntaxError names what is wrong. */
export function parseCheckedJson(text: string, limits: JsonShapeLimits): unknown {
  checkJsonShape(text, limits);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new JsonSyntaxError((e as Error).message);
  }
}

/** Size and kind before a byte is read: opening a FIFO blocks, a device (a link to /dev/zero) never ends. */
function checkFile(path: string, stat: { size: number; isFile(): boolean }, limits: JsonLimits): void {
  if (!stat.isFile()) throw new FormatError(path, 'is not a regular file');
  if (stat.size > limits.maxBytes)
    throw new FormatError(path, `is ${stat.size} bytes, over the ${limits.maxBytes}-byte limit for this kind of JSON file`);
}

function parseFileText(path: string, text: string, limits: JsonLimits): unknown {
  if (text.charCodeAt(0) === 0xfeff) throw new FormatError(path, 'starts with a byte-order mark (U+FEFF): JSON must not (RFC 8259)');
  try {
    return parseCheckedJson(text, limits);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new FormatError(path, `not valid JSON (${e.message})`);
    throw e;
  }
}

/** Reads a JSON file capped by size (checked before reading), nesting and values (before parsing). */
export async function readCappedJson(path: string, limits: JsonLimits): Promise<unknown> {
  checkFile(path, await stat(path), limits);
  return parseFileText(path, await readFile(path, 'utf8'), limits);
}

/** readCappedJson for synchronous callers, with the text read (a fingerprint may hash it). */
export function readCappedJsonSync(path: string, limits: JsonLimits): { text: string; value: unknown } {
  checkFile(path, statSync(path), limits);
  const text = readFileSync(path, 'utf8');
  return { text, value: parseFileText(path, text, limits) };
}

/** The one test for "a JSON object": not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function jsonObject(path: string, value: unknown): Record<string, unknown> {
  if (!isJsonObject(value)) throw new FormatError(path, 'expected a JSON object');
  return value;
}

/** readCappedJson for a file that must hold one JSON object (a config, a vocabulary, a tokenizer). */
export async function readCappedJsonObject(path: string, limits: JsonLimits): Promise<Record<string, unknown>> {
  return jsonObject(path, await readCappedJson(path, limits));
}

/** readCappedJsonObject for synchronous callers (SAE configs, discovery). */
export function readCappedJsonObjectSync(path: string, limits: JsonLimits): Record<string, unknown> {
  return jsonObject(path, readCappedJsonSync(path, limits).value);
}

/**
 * The first record of a JSON Lines file, which must be a JSON object: only its first line is read, up to
 * `limits.maxBytes` (a longer first line is refused by size), so a large file costs no more than its head.
 */
export function readFirstJsonlObjectSync(path: string, limits: JsonLimits): Record<string, unknown> {
  const stat = statSync(path);
  if (!stat.isFile()) throw new FormatError(path, 'is not a regular file');
  const fd = openSync(path, 'r');
  let head: Uint8Array;
  try {
    head = readAt(path, fd, 0, Math.min(stat.size, limits.maxBytes + 1));
  } finally {
    closeSync(fd);
  }
  const newline = head.indexOf(0x0a);
  const end = newline === -1 ? head.length : newline;
  if (end > limits.maxBytes) throw new FormatError(path, `line 1 is over the ${limits.maxBytes}-byte limit for one record`);
  const line = Buffer.from(head.buffer, head.byteOffset, end).toString('utf8').replace(/\r$/, '');
  if (line.trim() === '') throw new FormatError(path, 'line 1 is empty: expected a JSON object');
  try {
    return jsonObject(path, parseFileText(path, line, limits));
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(path, `line 1: ${e.reason}`);
    throw e;
  }
}
