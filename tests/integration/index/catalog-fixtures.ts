// SAE folders for the catalog and host tests: real SAELens files with seeded random weights.
import { mulberry32 } from '../../../native/api/random.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { writeSaeLens } from '../../../native/sae/saelens-writer.js';

export interface TestSaeSpec {
  dIn?: number;
  dSae?: number;
  k?: number;
  hook?: string;
  seed?: number;
}

/** [n] uniform in [-scale, scale) */
function uniform(n: number, next: () => number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => (2 * next() - 1) * scale);
}

/** Writes a TopK SAE (default: 64 latents on the demo model's blocks.0.hook_resid_post) and returns it. */
export function writeTestSae(path: string, spec: TestSaeSpec = {}): CanonicalSae {
  const { dIn = 256, dSae = 64, k = 4, hook = 'blocks.0.hook_resid_post', seed = 1 } = spec;
  const next = mulberry32(seed);
  const sae: CanonicalSae = {
    source: { path, format: 'loupe' },
    dIn,
    dSae,
    wEnc: uniform(dIn * dSae, next, 0.2),
    bEnc: uniform(dSae, next, 0.01),
    wDec: uniform(dSae * dIn, next, 0.2),
    bDec: uniform(dIn, next, 0.01),
    activation: { kind: 'topk', k },
    subtractDecoderBias: true,
    inputNorm: 'none',
    inputScale: 1,
    hookName: hook,
    modelName: 'demo-model',
    config: {},
  };
  writeSaeLens(path, sae, { neuronpedia_id: 'demo-model/0-res-test' });
  return sae;
}
