import { prepareDecoder } from '../models/decode.js';
import type { DecodeOptions, Decoder } from '../models/decode.js';
import type { Splice } from '../models/forward-graph.js';
import { hookWidth } from '../models/hooks.js';
import type { TransformerWeights } from '../models/weights.js';
import type { Feed } from '../onnx/ort.js';
import { assertHookWidth } from '../sae/canonical.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { maskedSplice, steeringFeeds, steeringSplice } from '../sae/splices.js';
import { steerFeeds, steerSplice } from '../sae/steer-splice.js';
import type { SteerEdit } from '../sae/steer-splice.js';

/** One SAE's edits, at the hook it reads. */
export interface SaeEdits {
  sae: CanonicalSae;
  hookName: string;
  edits: readonly SteerEdit[];
}

/** A raw direction added at a hook (a CAA steering vector): coefficient × values [width]. */
export interface VectorEdit {
  hookName: string;
  values: Float32Array;
  coefficient: number;
}

export interface SteeringDecoder {
  decoder: Decoder;
  /** the edits' feature indices and amounts, for steerGenerate */
  feeds: Record<string, Feed>;
}

/**
 * A decoder whose graph edits the features of one or more SAEs (several may share a hook: their
 * edits apply in the order given), each behind the position mask steerGenerate feeds.
 */
export async function prepareSteeringDecoder(
  model: TransformerWeights,
  groups: readonly SaeEdits[],
  keepError: boolean,
  options: DecodeOptions = {},
  vector?: VectorEdit,
): Promise<SteeringDecoder> {
  const byHook = new Map<string, Splice[]>();
  const feeds: Record<string, Feed> = {};
  if (vector) {
    const width = hookWidth(model.config, vector.hookName);
    if (vector.values.length !== width)
      throw new RangeError(`the steering vector has ${vector.values.length} values, ${vector.hookName} is ${width} wide`);
    byHook.set(vector.hookName, [steeringSplice(vector.values)]);
    Object.assign(feeds, steeringFeeds(vector.coefficient));
  }
  groups.forEach(({ sae, hookName, edits }, tag) => {
    assertHookWidth(sae, hookWidth(model.config, hookName), model.config.family, hookName);
    const list = byHook.get(hookName) ?? [];
    list.push(steerSplice(sae, tag, keepError));
    byHook.set(hookName, list);
    Object.assign(feeds, steerFeeds(sae, tag, edits));
  });
  const splices = new Map<string, Splice>();
  for (const [hook, list] of byHook)
    splices.set(
      hook,
      maskedSplice((g, v) => list.reduce((x, s) => s(g, x), v)),
    );
  return { decoder: await prepareDecoder(model, { splices }, options), feeds };
}
