import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ConceptsTable } from '../../../native/store/concepts-table.js';
import type { StoredWhitening } from '../../../native/store/concepts-table.js';
import { migrations } from '../../../native/store/migrations.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('concepts-store');
afterAll(() => dir.cleanup());
let n = 0;
let ws: Workspace;
let table: ConceptsTable;

beforeEach((context) => {
  ws = openWorkspace(join(dir.path, `ws-${++n}`));
  table = ws.concepts;
  context.onTestFinished(() => ws.close());
});

/** Values that float32 would round: the store must keep float64. */
const exact = (count: number, salt: number) => Float64Array.from({ length: count }, (_, i) => Math.sin(i * 1.000000001 + salt) / 3);

function whitening(d: number): StoredWhitening {
  return {
    fingerprint: 'fp-model',
    algorithm: 'test/v1',
    dModel: d,
    dVocab: 100,
    rank: d,
    mean: exact(d, 1),
    whiten: exact(d * d, 2),
    unwhiten: exact(d * d, 3),
    eigenvalues: exact(d, 4),
    createdAt: '2024-05-01T10:00:00.000Z',
  };
}

describe('concept store (migration 6)', () => {
  it('is a numbered migration after the ones before it', () => {
    const concepts = migrations.find((m) => m.name === 'concepts');
    expect(concepts).toBeDefined();
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(ws.schemaVersion).toBeGreaterThanOrEqual(concepts?.version ?? Infinity);
  });

  it('saves word lists trimmed and without repeats, replaces them by name, keeps their creation time, deletes them', () => {
    const first = table.saveList('  birds ', [' robin', 'crow', '', 'crow', 'wren '], '2024-05-01T10:00:00.000Z');
    expect(first).toEqual({
      name: 'birds',
      words: ['robin', 'crow', 'wren'],
      createdAt: '2024-05-01T10:00:00.000Z',
      updatedAt: '2024-05-01T10:00:00.000Z',
    });
    const second = table.saveList('birds', ['owl'], '2024-05-02T10:00:00.000Z');
    expect(second).toMatchObject({ words: ['owl'], createdAt: '2024-05-01T10:00:00.000Z', updatedAt: '2024-05-02T10:00:00.000Z' });
    table.saveList('Animals', ['dog']);
    expect(table.lists().map((l) => l.name)).toEqual(['Animals', 'birds']);
    expect(table.deleteList('birds')).toBe(true);
    expect(table.deleteList('birds')).toBe(false);
    expect(table.getList('birds')).toBeUndefined();
  });

  it('refuses a list without a name or with too many words', () => {
    expect(() => table.saveList('   ', ['a'])).toThrow('a word list needs a name of 1 to 100 characters');
    expect(() =>
      table.saveList(
        'big',
        Array.from({ length: 5001 }, (_, i) => `w${i}`),
      ),
    ).toThrow('word list "big": 5001 words, at most 5000');
  });

  it('keeps a whitening and a concept vector bit for bit in float64', () => {
    const w = whitening(5);
    table.putWhitening(w);
    expect(table.getWhitening('fp-model', 'test/v1')).toEqual(w);
    expect(table.getWhitening('fp-model', 'other/v2')).toBeUndefined();
    const vector = {
      fingerprint: 'fp-model',
      key: 'est/v1#abc',
      nTokens: 12,
      shrinkage: 0.25,
      spread: 0.1,
      vector: exact(5, 9),
      createdAt: '2024-05-01T10:00:00.000Z',
    };
    table.putVector(vector);
    expect(table.getVector('fp-model', 'est/v1#abc', 5)).toEqual(vector);
  });

  it('refuses NaN in a whitening and reads a vector of the wrong width as an error, not garbage', () => {
    const bad = whitening(3);
    bad.mean[1] = Number.NaN;
    expect(() => table.putWhitening(bad)).toThrow('whitening mean[1] must be a finite number, got NaN');
    table.putVector({
      fingerprint: 'fp',
      key: 'k',
      nTokens: 3,
      shrinkage: 0,
      spread: 0,
      vector: exact(4, 1),
      createdAt: '2024-05-01T10:00:00.000Z',
    });
    expect(() => table.getVector('fp', 'k', 5)).toThrow('concept k vector: 32 bytes, expected 40 (5 float64 values)');
  });
});
