import { bytesOf, int32FromBlob } from './blob-codec.js';
import { StoreValueError, count, jsonList } from './checks.js';
import type { Database } from './database.js';

/**
 * A token window, stored once per run and shared by every example that shows it. Structurally a
 * subset of native/index's `TokenWindow`, so the pipeline can hand its windows over as they are.
 */
export interface StoredWindow {
  /** Position in the run's window stream (`TokenWindow.index`). */
  index: number;
  docId: string;
  text: string;
  /** [nTokens] token ids */
  ids: Int32Array;
  /** [nTokens, 2] [start, end) of each token in `text`, UTF-16 units */
  offsets: Int32Array;
  /** [nTokens] 1 where the position counted in the run's statistics; absent: every position counted */
  counted?: Uint8Array;
}

interface WindowRow {
  window_index: number;
  doc_id: string;
  text: string;
  ids: Uint8Array;
  offsets: Uint8Array;
  counted: Uint8Array | null;
}

export function fromRow(row: WindowRow): StoredWindow {
  const ids = int32FromBlob(row.ids, `window ${row.window_index} ids`);
  if (row.counted !== null && row.counted.length !== ids.length)
    throw new StoreValueError(`window ${row.window_index}: ${ids.length} ids but ${row.counted.length} counted flags`);
  return {
    index: row.window_index,
    docId: row.doc_id,
    text: row.text,
    ids,
    offsets: int32FromBlob(row.offsets, `window ${row.window_index} offsets`),
    ...(row.counted === null ? {} : { counted: Uint8Array.from(row.counted) }),
  };
}

export function toRow(window: StoredWindow): WindowRow {
  const n = window.ids.length;
  if (n === 0 || window.offsets.length !== 2 * n) {
    throw new StoreValueError(`window ${window.index}: ${n} ids need ${2 * n} offsets ([nTokens, 2]), got ${window.offsets.length}`);
  }
  if (window.counted && window.counted.length !== n)
    throw new StoreValueError(`window ${window.index}: ${n} ids need ${n} counted flags, got ${window.counted.length}`);
  return {
    window_index: count(window.index, 'window index'),
    doc_id: window.docId,
    text: window.text,
    ids: bytesOf(window.ids),
    offsets: bytesOf(window.offsets),
    counted: window.counted ? bytesOf(window.counted) : null,
  };
}

/** The text each token covers: what the renderer colours, one string per token. */
export function windowTokens(window: StoredWindow): string[] {
  const tokens = new Array<string>(window.ids.length);
  for (let i = 0; i < tokens.length; i++) tokens[i] = window.text.slice(window.offsets[2 * i], window.offsets[2 * i + 1]);
  return tokens;
}

const selectColumns = 'window_index, doc_id, text, ids, offsets, counted';

/** Reads and writes `windows`. */
export class WindowsTable {
  constructor(private readonly db: Database) {}

  /** Inserts new windows; a window index the run already holds is an error (a batch replayed). */
  insertMany(runId: number, windows: Iterable<StoredWindow>): void {
    this.db.transaction(() => {
      for (const window of windows) {
        const row = toRow(window);
        this.db.run('INSERT INTO windows (run_id, window_index, doc_id, text, ids, offsets, counted) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          runId,
          row.window_index,
          row.doc_id,
          row.text,
          row.ids,
          row.offsets,
          row.counted,
        ]);
      }
    });
  }

  get(runId: number, index: number): StoredWindow | undefined {
    const row = this.db.get<WindowRow>(`SELECT ${selectColumns} FROM windows WHERE run_id = ? AND window_index = ?`, [runId, index]);
    return row && fromRow(row);
  }

  /** The windows with these indices that exist, in ascending index order. */
  getMany(runId: number, indices: readonly number[]): StoredWindow[] {
    if (indices.length === 0) return [];
    return this.db
      .all<WindowRow>(
        `SELECT ${selectColumns} FROM windows WHERE run_id = ? AND window_index IN (SELECT value FROM json_each(?)) ORDER BY window_index`,
        [runId, jsonList(indices)],
      )
      .map(fromRow);
  }

  /** The indices of the windows the run holds. */
  indices(runId: number): number[] {
    return this.db.all<{ window_index: number }>('SELECT window_index FROM windows WHERE run_id = ?', [runId]).map((r) => r.window_index);
  }

  count(runId: number): number {
    return this.db.get<{ n: number }>('SELECT count(*) AS n FROM windows WHERE run_id = ?', [runId])?.n ?? 0;
  }

  /** Drops windows no example refers to any more (top-k lists move on as a run proceeds). */
  pruneUnreferenced(runId: number): number {
    return this.db.run(
      `DELETE FROM windows WHERE run_id = ? AND NOT EXISTS
         (SELECT 1 FROM feature_examples e WHERE e.run_id = windows.run_id AND e.window_index = windows.window_index)`,
      [runId],
    ).changes;
  }
}
