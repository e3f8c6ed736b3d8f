import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../native/corpus/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { writeParquet } from './parquet-writer.js';
import { readAll } from './read-docs.js';

const tmp = tempDir('corpus-parquet');
afterAll(() => tmp.cleanup());

const texts = Array.from({ length: 23 }, (_, i) => (i % 5 === 2 ? null : `row ${i}: café 😀 ${'x'.repeat(i)}`));
const path = join(tmp.path, 'docs.parquet');
writeFileSync(
  path,
  writeParquet(
    [
      { name: 'id', type: 'int32', values: texts.map((_, i) => i) },
      { name: 'text', type: 'string', values: texts },
      { name: 'body', type: 'string', values: texts.map((_, i) => (i === 0 ? Uint8Array.of(0x68, 0xff, 0x69) : `body ${i}`)) },
    ],
    5,
  ),
);

describe('Parquet corpora', () => {
  it('reads the text column row group by row group, skipping nulls', async () => {
    const corpus = openCorpus(`parquet:${path}`);
    const docs = await readAll(corpus);
    const expected = texts.flatMap((t, i) => (t === null ? [] : [{ id: `row-${i}`, text: t }]));
    expect(docs).toEqual(expected);
    expect(corpus.stats).toEqual({
      documents: expected.length,
      characters: expected.reduce((s, d) => s + d.text.length, 0),
      invalidUtf8: 0,
    });
  });

  it('reads another column named after #, counting invalid UTF-8', async () => {
    const corpus = openCorpus(`${path}#body`);
    const docs = await readAll(corpus);
    expect(docs[0]).toEqual({ id: 'row-0', text: 'h\uFFFDi' });
    expect(docs).toHaveLength(23);
    expect(corpus.stats.invalidUtf8).toBe(1);
  });

  it('names a missing column and lists the columns', async () => {
    await expect(readAll(openCorpus(`${path}#content`))).rejects.toThrow(/no column "content" \(columns: "id", "text", "body"\)/);
  });

  it('refuses a column that does not hold strings', async () => {
    await expect(readAll(openCorpus(`${path}#id`))).rejects.toThrow(/column "id" is INT32, expected a string \(BYTE_ARRAY\) column/);
  });

  it('refuses a file that is not Parquet', async () => {
    const fake = join(tmp.path, 'fake.parquet');
    writeFileSync(fake, 'this is not parquet at all');
    await expect(readAll(openCorpus(fake))).rejects.toThrow(/fake\.parquet: not a readable Parquet file/);
  });

  it('fails a file whose text column is all null as having no text', async () => {
    const nulls = join(tmp.path, 'nulls.parquet');
    writeFileSync(nulls, writeParquet([{ name: 'text', type: 'string', values: [null, null, '  '] }], 2));
    await expect(readAll(openCorpus(nulls))).rejects.toThrow(`corpus "parquet:${nulls}" has no text`);
  });
});
