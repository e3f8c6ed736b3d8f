/**
 * A tiny Parquet writer for tests (hyparquet only reads): uncompressed, PLAIN-encoded v1 data
 * pages, one page per column chunk, OPTIONAL columns of strings (BYTE_ARRAY, UTF8) or INT32.
 * The footer is Thrift compact protocol, written field by field.
 */

type Value = string | Uint8Array | number | null;
export interface ParquetColumn {
  name: string;
  type: 'string' | 'int32';
  values: Value[];
}

const T = { I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

class Compact {
  bytes: number[] = [];
  #last: number[] = [0];

  varint(n: bigint): void {
    let v = n;
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      this.bytes.push(v > 0n ? b | 0x80 : b);
    } while (v > 0n);
  }
  zigzag(n: number | bigint): void {
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
  field(id: number, type: number): void {
    const delta = id - this.#last[this.#last.length - 1];
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(id);
    }
    this.#last[this.#last.length - 1] = id;
  }
  i32(id: number, v: number): void {
    this.field(id, T.I32);
    this.zigzag(v);
  }
  i64(id: number, v: number): void {
    this.field(id, T.I64);
    this.zigzag(v);
  }
  binary(bytes: Uint8Array): void {
    this.varint(BigInt(bytes.length));
    this.bytes.push(...bytes);
  }
  string(id: number, s: string): void {
    this.field(id, T.BINARY);
    this.binary(new TextEncoder().encode(s));
  }
  struct(id: number | null, body: () => void): void {
    if (id !== null) this.field(id, T.STRUCT);
    this.#last.push(0);
    body();
    this.bytes.push(0);
    this.#last.pop();
  }
  list<V>(id: number, type: number, items: V[], write: (item: V) => void): void {
    this.field(id, T.LIST);
    if (items.length < 15) this.bytes.push((items.length << 4) | type);
    else {
      this.bytes.push(0xf0 | type);
      this.varint(BigInt(items.length));
    }
    for (const item of items) write(item);
  }
}

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** Definition levels (1 = present), RLE/bit-packed hybrid as one bit-packed run, 4-byte length first. */
function definitionLevels(values: Value[]): number[] {
  const groups = Math.ceil(values.length / 8);
  const run = [(groups << 1) | 1];
  for (let g = 0; g < groups; g++) {
    let byte = 0;
    for (let i = 0; i < 8; i++) if (g * 8 + i < values.length && values[g * 8 + i] !== null) byte |= 1 << i;
    run.push(byte);
  }
  return [...le32(run.length), ...run];
}

function plainValues(column: ParquetColumn, values: Value[]): number[] {
  const out: number[] = [];
  for (const v of values) {
    if (v === null) continue;
    if (column.type === 'int32') out.push(...le32(v as number));
    else {
      const bytes = typeof v === 'string' ? new TextEncoder().encode(v) : (v as Uint8Array);
      out.push(...le32(bytes.length), ...bytes);
    }
  }
  return out;
}

/** A Parquet file holding `columns` (equal lengths), split into row groups of `rowGroupSize` rows. */
export function writeParquet(columns: ParquetColumn[], rowGroupSize: number): Uint8Array {
  const nRows = columns[0].values.length;
  const file: number[] = [...new TextEncoder().encode('PAR1')];
  const groups: { start: number; rows: number; chunks: { offset: number; size: number; column: ParquetColumn }[] }[] = [];
  for (let start = 0; start < nRows; start += rowGroupSize) {
    const rows = Math.min(rowGroupSize, nRows - start);
    const chunks = columns.map((column) => {
      const values = column.values.slice(start, start + rows);
      const data = [...definitionLevels(values), ...plainValues(column, values)];
      const header = new Compact();
      header.struct(null, () => {
        header.i32(1, 0); // DATA_PAGE
        header.i32(2, data.length);
        header.i32(3, data.length);
        header.struct(5, () => {
          header.i32(1, rows);
          header.i32(2, 0); // PLAIN
          header.i32(3, 3); // RLE
          header.i32(4, 3);
        });
      });
      const offset = file.length;
      file.push(...header.bytes, ...data);
      return { offset, size: file.length - offset, column };
    });
    groups.push({ start, rows, chunks });
  }
  const meta = new Compact();
  meta.struct(null, () => {
    meta.i32(1, 1);
    meta.list(2, T.STRUCT, [null, ...columns], (c) =>
      meta.struct(null, () => {
        if (c === null) {
          meta.string(4, 'schema');
          meta.i32(5, columns.length);
          return;
        }
        meta.i32(1, c.type === 'string' ? 6 : 1); // BYTE_ARRAY | INT32
        meta.i32(3, 1); // OPTIONAL
        meta.string(4, c.name);
        if (c.type === 'string') meta.i32(6, 0); // UTF8
      }),
    );
    meta.i64(3, nRows);
    meta.list(4, T.STRUCT, groups, (g) =>
      meta.struct(null, () => {
        meta.list(1, T.STRUCT, g.chunks, (chunk) =>
          meta.struct(null, () => {
            meta.i64(2, chunk.offset);
            meta.struct(3, () => {
              meta.i32(1, chunk.column.type === 'string' ? 6 : 1);
              meta.list(2, T.I32, [0, 3], (e) => meta.zigzag(e));
              meta.list(3, T.BINARY, [chunk.column.name], (n) => meta.binary(new TextEncoder().encode(n)));
              meta.i32(4, 0); // UNCOMPRESSED
              meta.i64(5, g.rows);
              meta.i64(6, chunk.size);
              meta.i64(7, chunk.size);
              meta.i64(9, chunk.offset);
            });
          }),
        );
        meta.i64(
          2,
          g.chunks.reduce((s, c) => s + c.size, 0),
        );
        meta.i64(3, g.rows);
      }),
    );
  });
  file.push(...meta.bytes, ...le32(meta.bytes.length), ...new TextEncoder().encode('PAR1'));
  return Uint8Array.from(file);
}
