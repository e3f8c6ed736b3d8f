import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import { shuffledBuffer } from '../../../native/corpus/index.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* numbers(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

describe('shuffledBuffer', () => {
  it('yields every item exactly once', async () => {
    const out = await collect(shuffledBuffer(numbers(1000), 64, 7));
    expect([...out].sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
    expect(out).not.toEqual([...Array(1000).keys()]);
  });

  it('gives the same order for the same seed and another for another seed', async () => {
    const a = await collect(shuffledBuffer(numbers(500), 32, 42));
    const b = await collect(shuffledBuffer(numbers(500), 32, 42));
    const c = await collect(shuffledBuffer(numbers(500), 32, 43));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('keeps order with a buffer of one, and shuffles a stream shorter than the buffer', async () => {
    expect(await collect(shuffledBuffer([1, 2, 3, 4], 1, 0))).toEqual([1, 2, 3, 4]);
    const short = await collect(shuffledBuffer(numbers(10), 100, 3));
    expect([...short].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
  });

  it('moves items no further ahead than the buffer allows', async () => {
    const out = await collect(shuffledBuffer(numbers(300), 16, 1));
    // An item can only be yielded once it has entered the buffer.
    out.forEach((item, position) => expect(item).toBeLessThanOrEqual(position + 16));
  });

  it('rejects a buffer size that is not a positive integer', async () => {
    await expect(collect(shuffledBuffer([1], 0, 1))).rejects.toThrow(/positive integer, got 0/);
  });
});

describe('mulberry32', () => {
  it('is a seeded stream of floats in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
});
