import type { CompareLinks } from '../../../../native/api/types.js';

/** A pair's links decoded: [nWide] parents (−1 none) and similarities. */
export interface DecodedLinks {
  nWide: number;
  /** [nWide] */ parents: Int32Array;
  /** [nWide] */ similarity: Float32Array;
}

function bytesOf(base64: string, expected: number, what: string): DataView {
  const binary = atob(base64);
  if (binary.length !== expected) throw new Error(`${what}: expected ${expected} bytes, got ${binary.length}`);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new DataView(bytes.buffer);
}

/** The engine's little-endian base64 arrays (native/store/compare-query.ts compareLinks), read with a DataView. */
export function decodeLinks(links: CompareLinks): DecodedLinks {
  const n = links.nWide;
  const p = bytesOf(links.parents, n * 4, 'link parents');
  const s = bytesOf(links.similarity, n * 4, 'link similarities');
  const parents = new Int32Array(n);
  const similarity = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    parents[i] = p.getInt32(i * 4, true);
    similarity[i] = s.getFloat32(i * 4, true);
  }
  return { nWide: n, parents, similarity };
}
