import type { Provider } from '../onnx/ort.js';
import { optionalIntegerFlag } from './args.js';
import { providerFlag } from './user-errors.js';

/** `--provider NAME --threads N`, spread into the flag spec of every command that runs ONNX Runtime. */
export const runtimeFlagSpec = { provider: { type: 'string', default: 'cpu' }, threads: { type: 'string' } } as const;

/** The execution provider (a usage error lists the allowed names) and the intra-op thread count. */
export function runtimeFlags(values: Record<string, unknown>): { provider: Provider; threads: number | undefined } {
  return { provider: providerFlag(String(values.provider)), threads: optionalIntegerFlag(values, 'threads') };
}
