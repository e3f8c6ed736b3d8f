import { join } from 'node:path';
import { registerModel, registerSae } from '../../../native/index/catalog.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { writeSaeLens } from '../../../native/sae/saelens-writer.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { randomUniform } from '../../../native/onnx/matmul-rate.js';
import { DEMO_MODEL } from '../../helpers/shared.js';

export const HOOK = 'blocks.0.hook_mlp_out';
export const CORPUS = 'brown:ca01-ca03';
/** Small enough for a test, several commits and batches long. */
export const RUN = { corpus: CORPUS, tokens: 6144, contextLength: 64, batchTokens: 512, commitTokens: 1024, commitSeconds: 0, chunkFeatures: 40 };

/** A random TopK SAE on the demo model's MLP output: real features of nothing, but a real index. */
export function randomSae(path: string, dSae = 96, k = 6, seed = 11): CanonicalSae {
  const dIn = 256;
  const wDec = randomUniform(dSae * dIn, seed, 0.2);
  const wEnc = new Float32Array(dIn * dSae);
  for (let j = 0; j < dSae; j++) for (let i = 0; i < dIn; i++) wEnc[i * dSae + j] = wDec[j * dIn + i];
  const sae: CanonicalSae = {
    source: { path, format: 'loupe' }, dIn, dSae, wEnc, bEnc: new Float32Array(dSae), wDec, bDec: new Float32Array(dIn),
    activation: { kind: 'topk', k }, subtractDecoderBias: true, inputNorm: 'none', inputScale: 1, hookName: HOOK, modelName: 'demo-model', config: {},
  };
  writeSaeLens(path, sae);
  return sae;
}

/** A workspace at `dir` with the demo model and the SAE at `saePath` registered. */
export function workspaceWithSae(dir: string, saePath: string, options: { markInterrupted?: boolean } = {}): { ws: Workspace; saeId: string } {
  const ws = openWorkspace(join(dir), options);
  const model = registerModel(ws, DEMO_MODEL);
  const sae = registerSae(ws, saePath, model.id);
  return { ws, saeId: sae.id };
}
