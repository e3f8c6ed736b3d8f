import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../native/corpus/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { readAll } from './read-docs.js';

const tmp = tempDir('corpus-jsonl');
afterAll(() => tmp.cleanup());
const file = (name: string, lines: string[]) => {
  const path = join(tmp.path, name);
  writeFileSync(path, lines.join('\r\n'));
  return path;
};

describe('JSON-lines corpora', () => {
  it('reads the text field of each line, skipping blank lines and empty texts, across chunk edges', async () => {
    const path = file('good.jsonl', [
      JSON.stringify({ text: 'first 😀 doc', meta: 1 }),
      '',
      JSON.stringify({ text: '   ' }),
      JSON.stringify({ text: 'third\nwith a newline', body: 'other' }),
    ]);
    for (const chunkSize of [1, 3, 4096]) {
      const corpus = openCorpus(`jsonl:${path}`, { chunkSize });
      const docs = await readAll(corpus);
      expect(docs).toEqual([
        { id: 'line-1', text: 'first 😀 doc' },
        { id: 'line-4', text: 'third\nwith a newline' },
      ]);
      expect(corpus.stats.documents).toBe(2);
    }
  });

  it('reads another field named after #', async () => {
    const path = file('body.jsonl', [JSON.stringify({ body: 'b1' }), JSON.stringify({ body: 'b2' })]);
    expect((await readAll(openCorpus(`${path}#body`))).map((d) => d.text)).toEqual(['b1', 'b2']);
  });

  it('names the line of invalid JSON', async () => {
    const path = file('bad.jsonl', [JSON.stringify({ text: 'ok' }), JSON.stringify({ text: 'ok' }), '{"text": "unterminated']);
    await expect(readAll(openCorpus(path))).rejects.toThrow(new RegExp(`${path.replace(/[.]/g, '\\.')}:3: not valid JSON`));
  });

  it('names a missing field, listing the fields the line has', async () => {
    const path = file('missing.jsonl', [JSON.stringify({ text: 'ok' }), JSON.stringify({ content: 'x', id: 7 })]);
    await expect(readAll(openCorpus(path))).rejects.toThrow(/:2: no "text" field \(the object has fields "content", "id"\)/);
  });

  it('names a field that is not a string, and a line that is not an object', async () => {
    const number = file('number.jsonl', [JSON.stringify({ text: 42 })]);
    await expect(readAll(openCorpus(number))).rejects.toThrow(/:1: field "text" is a number, expected a string/);
    const array = file('array.jsonl', [JSON.stringify(['text'])]);
    await expect(readAll(openCorpus(array))).rejects.toThrow(/:1: expected a JSON object with a "text" field, found an array/);
  });

  it('counts invalid UTF-8 inside JSON strings', async () => {
    const path = join(tmp.path, 'invalid.jsonl');
    writeFileSync(path, Buffer.concat([Buffer.from('{"text": "a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}\n')]));
    const corpus = openCorpus(path);
    expect((await readAll(corpus))[0].text).toBe('a\uFFFD\uFFFDb');
    expect(corpus.stats.invalidUtf8).toBe(2);
  });

  it('fails a file of blank lines as having no text', async () => {
    const path = file('blank.jsonl', ['', '  ', JSON.stringify({ text: '' })]);
    await expect(readAll(openCorpus(path))).rejects.toThrow(`corpus "jsonl:${path}" has no text`);
  });
});
