import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCorpusSpec, parseCorpusSpec } from '../../../native/corpus/index.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('corpus-spec');
afterAll(() => tmp.cleanup());
const file = (name: string, content = 'hello') => {
  const path = join(tmp.path, name);
  writeFileSync(path, content);
  return path;
};

describe('parseCorpusSpec', () => {
  it('reads the built-in Brown corpus whole or by category, document and range', () => {
    const all = parseCorpusSpec('brown');
    expect(all).toMatchObject({ kind: 'brown' });
    expect(all.kind === 'brown' && all.files.length).toBe(500);
    const news = parseCorpusSpec('brown:news');
    expect(news.kind === 'brown' && news.files).toHaveLength(44);
    const mixed = parseCorpusSpec('brown:cb02,ca01-ca03,ca02');
    expect(mixed.kind === 'brown' && mixed.files).toEqual(['ca01', 'ca02', 'ca03', 'cb02']);
    expect(formatCorpusSpec(news)).toBe('brown:news');
  });

  it('rejects an unknown Brown category, listing the categories', () => {
    expect(() => parseCorpusSpec('brown:poetry')).toThrow(/unknown Brown category or document "poetry": expected one of news, .*fiction/);
    expect(() => parseCorpusSpec('brown:ca05-ca01')).toThrow(/backwards/);
    expect(() => parseCorpusSpec('brown:')).toThrow(/empty item/);
  });

  it('rejects an unknown scheme, listing the known ones', () => {
    expect(() => parseCorpusSpec('hf:wikitext')).toThrow(/unknown corpus scheme "hf": expected one of brown, text, jsonl, parquet/);
  });

  it('names a missing file by its absolute path', () => {
    expect(() => parseCorpusSpec(`text:${join(tmp.path, 'nope.txt')}`)).toThrow(`corpus file not found: ${join(tmp.path, 'nope.txt')}`);
    expect(() => parseCorpusSpec(join(tmp.path, 'nope.jsonl'))).toThrow(/corpus file not found/);
    expect(() => parseCorpusSpec('text:')).toThrow(/names no file/);
  });

  it('refuses a folder and an extension it cannot place', () => {
    const dir = join(tmp.path, 'folder');
    mkdirSync(dir);
    expect(() => parseCorpusSpec(`text:${dir}`)).toThrow(/is a folder/);
    expect(() => parseCorpusSpec(file('data.csv'))).toThrow(/cannot tell the format of ".*data\.csv" from its extension: expected brown/);
  });

  it('lets the extension of a bare path decide, with an optional #field', () => {
    const txt = file('a.txt');
    const jsonl = file('b.ndjson');
    const parquet = file('c.parquet');
    expect(parseCorpusSpec(txt)).toEqual({ kind: 'text', path: txt });
    expect(parseCorpusSpec(jsonl)).toEqual({ kind: 'jsonl', path: jsonl, field: 'text' });
    expect(parseCorpusSpec(`${jsonl}#body`)).toEqual({ kind: 'jsonl', path: jsonl, field: 'body' });
    expect(parseCorpusSpec(`${parquet}#content`)).toEqual({ kind: 'parquet', path: parquet, column: 'content' });
    expect(() => parseCorpusSpec(`${txt}#body`)).toThrow(/plain text has no fields/);
  });

  it('takes fields after # and keeps a file whose name holds #', () => {
    const hashed = file('odd#name.jsonl');
    expect(parseCorpusSpec(`jsonl:${hashed}`)).toEqual({ kind: 'jsonl', path: hashed, field: 'text' });
    const plain = file('d.jsonl');
    expect(parseCorpusSpec(`jsonl:${plain}#content`)).toEqual({ kind: 'jsonl', path: plain, field: 'content' });
    expect(() => parseCorpusSpec(`jsonl:${plain}#`)).toThrow(/empty field name/);
    expect(formatCorpusSpec(parseCorpusSpec(`jsonl:${plain}#content`))).toBe(`jsonl:${plain}#content`);
    expect(formatCorpusSpec(parseCorpusSpec(`parquet:${file('e.parquet')}`))).toBe(`parquet:${join(tmp.path, 'e.parquet')}`);
  });

  it('reads a one-letter prefix as a Windows drive, not a scheme', () => {
    expect(() => parseCorpusSpec('C:\\corpora\\missing.txt')).toThrow(/corpus file not found/);
  });

  it('rejects an empty spec', () => {
    expect(() => parseCorpusSpec('  ')).toThrow(/empty corpus spec/);
  });
});
