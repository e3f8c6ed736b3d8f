import { afterAll, describe, expect, it } from 'vitest';
import { jsonLimits, readFirstJsonlObjectSync } from '../../../native/formats/strict-json.js';
import { scratchDir } from './fixtures-writers/tmp.js';

const tmp = scratchDir('jsonl-first');
afterAll(() => tmp.remove());
const limits = jsonLimits.jsonlRecord;

const file = (name: string, content: string): string => tmp.write(name, content);

describe('readFirstJsonlObjectSync (Neuronpedia source.jsonl)', () => {
  it('reads the first record only: a file far over the cap is fine when its first line is not', () => {
    const rest = `${JSON.stringify({ filler: 'x'.repeat(1000) })}\n`.repeat(4 * 1024);
    const path = file('big.jsonl', `${JSON.stringify({ id: '6-res-jb', modelId: 'gpt2-small', dataset: 'brown' })}\r\n${rest}`);
    expect(rest.length).toBeGreaterThan(3 * limits.maxBytes);
    expect(readFirstJsonlObjectSync(path, limits)).toEqual({ id: '6-res-jb', modelId: 'gpt2-small', dataset: 'brown' });
    expect(readFirstJsonlObjectSync(file('one.jsonl', '{"id": "a"}'), limits)).toEqual({ id: 'a' });
  });

  it('refuses, naming the file and line 1: a first line over the cap, not JSON, not an object, empty', () => {
    const long = file('long.jsonl', `{"id": "${'x'.repeat(limits.maxBytes)}"}\n{}\n`);
    expect(() => readFirstJsonlObjectSync(long, limits)).toThrow(`${long}: line 1 is over the 1048576-byte limit for one record`);
    const broken = file('broken.jsonl', '{"id": "6-res-jb", "modelId": \n{"id": 1}\n');
    expect(() => readFirstJsonlObjectSync(broken, limits)).toThrow(new RegExp(`^${broken}: line 1: not valid JSON`));
    const list = file('list.jsonl', '[{"id": "6-res-jb"}]\n');
    expect(() => readFirstJsonlObjectSync(list, limits)).toThrow(`${list}: line 1: expected a JSON object`);
    const empty = file('empty.jsonl', '\n{"id": "a"}\n');
    expect(() => readFirstJsonlObjectSync(empty, limits)).toThrow(`${empty}: line 1 is empty: expected a JSON object`);
  });
});
