import { concatBytes } from './tmp.js';

/**
 * Raw safetensors bytes from a header given as JSON text (so tests can write duplicates, bad JSON or
 * odd keys) and a data section. `declaredLength` overrides the 8-byte header length.
 */
export function rawSafetensors(headerJson: string, data: Uint8Array, declaredLength?: bigint): Uint8Array {
  const header = new TextEncoder().encode(headerJson);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, declaredLength ?? BigInt(header.length), true);
  return concatBytes([prefix, header, data]);
}

/** Little-endian float32 bytes of the values. */
export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}
