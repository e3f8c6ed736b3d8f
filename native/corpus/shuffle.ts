import { mulberry32 } from '../api/random.js';

/** murmur3's 32-bit finaliser over two integers: neighbouring inputs give unrelated outputs. */
export function mix32(a: number, b: number): number {
  let h = Math.imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul((b + 1) >>> 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Shuffles a stream through a buffer of `size` items: once the buffer is full, each new item
 * replaces a randomly chosen one, which is yielded; at the end the rest come out in random order.
 * Memory stays at `size` items; the larger the buffer, the better the mixing. Deterministic for a
 * given seed and input order.
 */
export async function* shuffledBuffer<T>(items: AsyncIterable<T> | Iterable<T>, size: number, seed: number): AsyncGenerator<T> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`shuffle buffer size must be a positive integer, got ${size}`);
  const random = mulberry32(seed);
  const buffer: T[] = [];
  for await (const item of items) {
    if (buffer.length < size) {
      buffer.push(item);
      continue;
    }
    const j = Math.floor(random() * size);
    const out = buffer[j];
    buffer[j] = item;
    yield out;
  }
  for (let i = buffer.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [buffer[i], buffer[j]] = [buffer[j], buffer[i]];
  }
  yield* buffer;
}
