import { ApiFailure } from '../api/errors.js';
import type { LossEffect } from '../api/types.js';
import { FormatError } from '../formats/tensor.js';
import type { Splice } from '../models/forward-graph.js';
import { loadTransformer } from '../models/load.js';
import { UnknownHookError } from '../models/hooks.js';
import { sessionCache } from '../onnx/session-cache.js';
import type { OrtSession } from '../onnx/ort.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { ABLATION_IO } from '../sae/eval/ablation-graphs.js';
import { TOKEN_LOSS_OUTPUT, lossForwardGraph, targetsFeed } from '../sae/eval/ce-loss.js';
import { loadSae } from '../sae/formats/load.js';
import { ablateFeatureSplice, ablateFeeds } from '../sae/splices.js';
import type { Workspace } from '../store/workspace.js';
import { promptSource } from './prompt-service.js';
import type { RunnerSource } from './prompt-runner.js';

/**
 * sae_vis's per-token loss effect for one example window, on demand: one forward pass of batch 2
 * (the window as read, and the same window with the feature ablated at every position), returning
 * per-token next-token losses only; the [2, seq, dVocab] logits stay in the graph.
 */

interface Loaded {
  sae: CanonicalSae;
  session: OrtSession;
}

const sig6 = (v: number) => (v === 0 ? 0 : Number(v.toPrecision(6)));

/** The clean/ablated pair as one graph: rows flagged in `ablated_rows` get the ablation splice. */
async function load(source: RunnerSource): Promise<Loaded> {
  const { weights } = loadTransformer(source.modelPath);
  const sae = loadSae(source.saePath);
  const ablate = ablateFeatureSplice(sae, { keepError: true });
  const splice: Splice = (g, value) => g.op('Where', [g.input(ABLATION_IO.ablatedRows, 'bool', ['batch', 1, 1]), ablate(g, value), value]);
  const graph = lossForwardGraph(weights, { splices: new Map([[source.hookName, splice]]) });
  return { sae, session: await sessionCache.get(graph) };
}

export class LossEffectService {
  #cached: { key: string; loaded: Promise<Loaded> } | null = null;

  async run(ws: Workspace, request: { saeId: string; index: number; window: number }): Promise<LossEffect> {
    const source = promptSource(ws, request.saeId);
    const sae = ws.saes.get(request.saeId)!;
    if (request.index >= sae.dSae)
      throw new ApiFailure('not_found', `SAE "${request.saeId}" has ${sae.dSae} features; there is no feature ${request.index}`, 'index');
    const run = ws.features.runs.current(request.saeId);
    if (!run) throw new ApiFailure('not_found', `SAE "${sae.name}" has not been indexed, so it has no stored examples`, 'saeId');
    const [window] = ws.features.windows.getMany(run.id, [request.window]);
    if (!window) throw new ApiFailure('not_found', `the index of SAE "${sae.name}" stored no window ${request.window}`, 'window');
    const loaded = await this.#load(source);
    const seq = window.ids.length;
    if (seq < 2) return { key: { saeId: request.saeId, index: request.index }, window: request.window, effect: [null], cleanLoss: [null] };
    const ids = { dims: [2, seq], data: BigInt64Array.from([...window.ids, ...window.ids], (v) => BigInt(v)) };
    const out = await loaded.session.run(
      {
        input_ids: { type: 'int64', dims: ids.dims, data: ids.data },
        loss_targets: targetsFeed(ids),
        [ABLATION_IO.ablatedRows]: { type: 'bool', dims: [2, 1, 1], data: Uint8Array.of(0, 1) },
        ...ablateFeeds(loaded.sae, request.index),
      },
      [TOKEN_LOSS_OUTPUT],
    );
    const loss = out[TOKEN_LOSS_OUTPUT].float32().slice();
    out[TOKEN_LOSS_OUTPUT].dispose();
    const [clean, ablated] = [loss.subarray(0, seq - 1), loss.subarray(seq - 1)];
    return {
      key: { saeId: request.saeId, index: request.index },
      window: request.window,
      effect: [null, ...Array.from(clean, (c, t) => sig6(ablated[t] - c))],
      cleanLoss: [null, ...Array.from(clean, sig6)],
    };
  }

  #load(source: RunnerSource): Promise<Loaded> {
    const key = JSON.stringify([source.saePath, source.saeFingerprint, source.hookName, source.modelPath, source.modelFingerprint]);
    if (this.#cached?.key !== key) {
      const loaded = load(source).catch((e: unknown) => {
        if (this.#cached?.key === key) this.#cached = null;
        if (e instanceof FormatError || e instanceof UnknownHookError)
          throw new ApiFailure('failed', `cannot load SAE "${source.saeId}" or its model: ${e.message}`, 'saeId');
        throw e;
      });
      this.#cached = { key, loaded };
    }
    return this.#cached!.loaded;
  }
}
