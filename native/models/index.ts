export { parseModelConfig } from './config.js';
export type { ActFn, LayerType, ModelFamily, Normalization, TransformerConfig } from './config.js';
export type { RopeScaling, RopeSpec, RotaryConfig } from './rope.js';
export {
  LAYER_POINTS,
  MODEL_POINTS,
  UnknownHookError,
  describeHooks,
  hookDims,
  hookName,
  hookWidth,
  modelHooks,
  resolveHooks,
} from './hooks.js';
export type { HookRef, LayerPoint, ModelPoint } from './hooks.js';
export { loadTransformer, openStateDict } from './load.js';
export type { LoadedModel } from './load.js';
export { buildForwardGraph } from './forward-graph.js';
export type { ForwardSpec, Splice } from './forward-graph.js';
export { ForwardInputError, checkTokenIds, prepareForward, runForward } from './forward.js';
export type { ForwardOptions, ForwardResult, PreparedForward, TokenIds } from './forward.js';
export { GPT2_SMALL, randomTransformer } from './random.js';
export type {
  AttentionWeights,
  LayerWeights,
  Linear,
  MlpWeights,
  NormWeights,
  StateDict,
  Tensor32,
  TransformerWeights,
  UnembedWeights,
} from './weights.js';
