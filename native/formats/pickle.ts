import { FormatError } from './tensor.js';

/**
 * A pickle reader that never executes anything. Containers become plain data (lists and tuples are
 * arrays, dicts are Maps); every global is looked up through `resolveGlobal`, which returns a safe
 * stand-in or undefined, and undefined refuses the whole file naming the global.
 */
export interface PickleCallable {
  readonly qualifiedName: string;
  /** Called for REDUCE / NEWOBJ with the argument tuple; returns plain data. */
  call?(args: unknown[]): unknown;
}

export interface UnpickleOptions {
  /** the file named in errors */
  source: string;
  resolveGlobal(module: string, name: string): PickleCallable | undefined;
  persistentLoad(pid: unknown): unknown;
  /** what the refusal says is allowed, e.g. "only weights-only globals are allowed" */
  allowedDescription: string;
}

const MARK = Symbol('mark');

export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  return new Machine(bytes, options).run();
}

class Machine {
  private pos = 0;
  private stack: unknown[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly o: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(what: string): never {
    throw new FormatError(this.o.source, `pickle ${what} (at byte ${this.pos})`);
  }

  run(): unknown {
    for (;;) {
      if (this.pos >= this.bytes.length) this.fail('ends without a STOP opcode');
      const op = this.bytes[this.pos++];
      if (op === 0x2e /* STOP */) {
        if (this.stack.length !== 1) this.fail(`stops with ${this.stack.length} values on the stack, expected 1`);
        return this.pop();
      }
      this.step(op);
    }
  }

  private step(op: number): void {
    const s = this.stack;
    switch (op) {
      case 0x80:
        this.u8();
        return; // PROTO: the version only matters to writers
      case 0x95:
        this.take(8);
        return; // FRAME: a length hint
      case 0x28:
        s.push(MARK);
        return;
      case 0x7d:
        s.push(new Map());
        return; // EMPTY_DICT
      case 0x5d:
        s.push([]);
        return; // EMPTY_LIST
      case 0x29:
        s.push([]);
        return; // EMPTY_TUPLE
      case 0x8f:
        s.push([]);
        return; // EMPTY_SET
      case 0x4e:
        s.push(null);
        return;
      case 0x88:
        s.push(true);
        return;
      case 0x89:
        s.push(false);
        return;
      case 0x4b:
        s.push(this.u8());
        return; // BININT1
      case 0x4d:
        s.push(this.u16());
        return; // BININT2
      case 0x4a:
        s.push(this.i32());
        return; // BININT
      case 0x8a:
        s.push(this.long(this.u8()));
        return; // LONG1
      case 0x8b:
        s.push(this.long(this.length(this.i32())));
        return; // LONG4
      case 0x47:
        s.push(this.f64());
        return; // BINFLOAT (big-endian)
      case 0x58:
        s.push(this.text(this.length(this.u32())));
        return; // BINUNICODE
      case 0x8c:
        s.push(this.text(this.u8()));
        return; // SHORT_BINUNICODE
      case 0x8d:
        s.push(this.text(this.u64()));
        return; // BINUNICODE8
      case 0x54:
        s.push(this.latin1(this.length(this.i32())));
        return; // BINSTRING (Python 2 str)
      case 0x55:
        s.push(this.latin1(this.u8()));
        return; // SHORT_BINSTRING
      case 0x42:
        s.push(this.take(this.length(this.u32())).slice());
        return; // BINBYTES
      case 0x43:
        s.push(this.take(this.u8()).slice());
        return; // SHORT_BINBYTES
      case 0x8e:
      case 0x96:
        s.push(this.take(this.u64()).slice());
        return; // BINBYTES8, BYTEARRAY8
      case 0x85:
        s.push(this.popN(1));
        return; // TUPLE1
      case 0x86:
        s.push(this.popN(2));
        return;
      case 0x87:
        s.push(this.popN(3));
        return;
      case 0x74:
      case 0x6c:
      case 0x91:
        s.push(this.popMark());
        return; // TUPLE, LIST, FROZENSET
      case 0x64:
        s.push(this.toDict(this.popMark()));
        return; // DICT
      case 0x61:
        this.appendTo(this.top(1), [this.pop()]);
        return; // APPEND
      case 0x65:
      case 0x90: {
        const items = this.popMark();
        this.appendTo(this.top(1), items);
        return;
      } // APPENDS, ADDITEMS
      case 0x73: {
        const v = this.pop();
        const k = this.pop();
        this.dictOf(this.top(1)).set(k, v);
        return;
      } // SETITEM
      case 0x75: {
        const items = this.popMark();
        this.toDict(items, this.dictOf(this.top(1)));
        return;
      } // SETITEMS
      case 0x71:
        this.put(this.u8());
        return; // BINPUT
      case 0x72:
        this.put(this.u32());
        return; // LONG_BINPUT
      case 0x94:
        this.put(this.memo.size);
        return; // MEMOIZE
      case 0x68:
        s.push(this.get(this.u8()));
        return; // BINGET
      case 0x6a:
        s.push(this.get(this.u32()));
        return; // LONG_BINGET
      case 0x30:
        this.pop();
        return; // POP
      case 0x31:
        this.popMark();
        return; // POP_MARK
      case 0x32:
        s.push(this.top(1));
        return; // DUP
      case 0x63:
        s.push(this.global(this.line(), this.line()));
        return; // GLOBAL
      case 0x93: {
        const name = this.pop();
        const module = this.pop();
        s.push(this.global(module, name));
        return;
      } // STACK_GLOBAL
      case 0x52: {
        const args = this.pop();
        s.push(this.call(this.pop(), args));
        return;
      } // REDUCE
      case 0x81: {
        const args = this.pop();
        s.push(this.call(this.pop(), args));
        return;
      } // NEWOBJ
      case 0x62:
        this.build(this.pop(), this.top(1));
        return; // BUILD
      case 0x51:
        s.push(this.o.persistentLoad(this.pop()));
        return; // BINPERSID
      case 0x69: {
        const g = this.global(this.line(), this.line());
        return this.fail(`uses INST on ${g.qualifiedName}, which this reader does not accept`);
      }
      default:
        return this.unsupported(op, OPCODE_NAMES[op]);
    }
  }

  private unsupported(op: number, name: string | undefined): never {
    this.pos--;
    const hex = `0x${op.toString(16).padStart(2, '0')}`;
    return this.fail(`uses opcode ${hex}${name ? ` (${name})` : ''}, which this reader does not accept`);
  }

  private global(module: unknown, name: unknown): PickleCallable {
    if (typeof module !== 'string' || typeof name !== 'string') this.fail('global names must be strings');
    const g = this.o.resolveGlobal(module, name);
    if (!g) this.fail(`refused global "${module}.${name}": ${this.o.allowedDescription}`);
    return g;
  }

  private call(fn: unknown, args: unknown): unknown {
    if (!isCallable(fn) || !fn.call) this.fail(`calls something that is not an allowed callable (${describe(fn)})`);
    if (!Array.isArray(args)) this.fail(`calls ${fn.qualifiedName} with non-tuple arguments`);
    try {
      return fn.call(args);
    } catch (e) {
      if (e instanceof FormatError) throw e;
      return this.fail(`call to ${fn.qualifiedName} failed: ${(e as Error).message}`);
    }
  }

  /** State is attribute data (e.g. an OrderedDict's `_metadata`); weights need none of it, so it is dropped. */
  private build(_state: unknown, target: unknown): void {
    if (target === null || typeof target !== 'object' || Array.isArray(target) || isCallable(target)) {
      this.fail(`BUILD applied to ${describe(target)}; only dicts and tensors can take state`);
    }
  }

  private appendTo(target: unknown, items: unknown[]): void {
    if (!Array.isArray(target)) this.fail(`appends to ${describe(target)}, expected a list`);
    for (const x of items) target.push(x);
  }

  private dictOf(target: unknown): Map<unknown, unknown> {
    if (!(target instanceof Map)) this.fail(`sets an item on ${describe(target)}, expected a dict`);
    return target;
  }

  private toDict(items: unknown[], into = new Map<unknown, unknown>()): Map<unknown, unknown> {
    if (items.length % 2 !== 0) this.fail('has an odd number of items for a dict');
    for (let i = 0; i < items.length; i += 2) into.set(items[i], items[i + 1]);
    return into;
  }

  private put(index: number): void {
    this.memo.set(index, this.top(1));
  }

  private get(index: number): unknown {
    if (!this.memo.has(index)) this.fail(`reads memo slot ${index}, which was never written`);
    return this.memo.get(index);
  }

  private pop(): unknown {
    const v = this.stack.pop();
    if (v === undefined) this.fail('pops from an empty stack');
    if (v === MARK) this.fail('pops a MARK as a value');
    return v;
  }

  private top(depth: number): unknown {
    const v = this.stack[this.stack.length - depth];
    if (v === undefined || v === MARK) this.fail('needs a value on the stack');
    return v;
  }

  private popN(n: number): unknown[] {
    const out = new Array<unknown>(n);
    for (let i = n - 1; i >= 0; i--) out[i] = this.pop();
    return out;
  }

  private popMark(): unknown[] {
    const at = this.stack.lastIndexOf(MARK);
    if (at < 0) this.fail('has no MARK to pop to');
    const items = this.stack.slice(at + 1);
    this.stack.length = at;
    return items;
  }

  private take(n: number): Uint8Array {
    if (n > this.bytes.length - this.pos) this.fail(`is truncated: needs ${n} bytes, ${this.bytes.length - this.pos} left`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private length(n: number): number {
    if (n < 0) this.fail(`has a negative length ${n}`);
    return n;
  }

  private u8(): number {
    return this.take(1)[0];
  }
  private u16(): number {
    this.take(2);
    return this.view.getUint16(this.pos - 2, true);
  }
  private u32(): number {
    this.take(4);
    return this.view.getUint32(this.pos - 4, true);
  }
  private i32(): number {
    this.take(4);
    return this.view.getInt32(this.pos - 4, true);
  }
  private f64(): number {
    this.take(8);
    return this.view.getFloat64(this.pos - 8, false);
  }

  private u64(): number {
    this.take(8);
    const n = this.view.getBigUint64(this.pos - 8, true);
    if (n > BigInt(this.bytes.length)) this.fail(`declares a length ${n} longer than the pickle`);
    return Number(n);
  }

  /** Little-endian two's complement; a number when it fits exactly, else a bigint. */
  private long(n: number): number | bigint {
    const b = this.take(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  private text(n: number): string {
    const at = this.pos;
    const b = this.take(n);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      this.pos = at;
      return this.fail('has a string that is not valid UTF-8');
    }
  }

  private latin1(n: number): string {
    const b = this.take(n);
    let out = '';
    for (let i = 0; i < b.length; i += 8192) out += String.fromCharCode(...b.subarray(i, i + 8192));
    return out;
  }

  /** A newline-terminated ASCII argument (GLOBAL's module and name). */
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > 1024) this.fail('has an unterminated GLOBAL name');
    const s = this.latin1(end - this.pos);
    this.pos++;
    return s;
  }
}

export function isCallable(v: unknown): v is PickleCallable {
  return typeof v === 'object' && v !== null && typeof (v as PickleCallable).qualifiedName === 'string' && !(v instanceof Map);
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'a list or tuple';
  if (v instanceof Map) return 'a dict';
  if (isCallable(v)) return v.qualifiedName;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Names for opcodes we refuse, so errors say which one. */
const OPCODE_NAMES: Record<number, string> = {
  0x49: 'INT',
  0x4c: 'LONG',
  0x46: 'FLOAT',
  0x53: 'STRING',
  0x56: 'UNICODE',
  0x50: 'PERSID',
  0x70: 'PUT',
  0x67: 'GET',
  0x6f: 'OBJ',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x92: 'NEWOBJ_EX',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};
