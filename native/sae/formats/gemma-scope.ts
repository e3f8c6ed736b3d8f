import { gemmaScopeHooks } from '../../formats/sae-hook-names.js';
import type { CanonicalSae } from '../canonical.js';
import { validateSae } from '../canonical.js';
import { clampThreshold } from './fold.js';
import { firstPresent, npzSource, readChecked, shapeOf } from './tensors.js';

export const GEMMA_SCOPE_PARAMS = 'params.npz';

/**
 * A Gemma Scope params.npz (W_enc [d_in, d_sae], W_dec [d_sae, d_in], b_enc, b_dec, threshold; some
 * copies spell the weights w_enc/w_dec). JumpReLU on the raw input: ReLU(pre)·[pre > threshold], no
 * b_dec subtraction. There is no config; the hook and model come from the repo path
 * (gemma-scope-2b-pt-res/layer_12/width_16k/average_l0_82/params.npz, as the hub and its cache lay
 * it out); gemma-scope-*-transcoders hold transcoders from the MLP's input to its output. A path
 * that says neither leaves the hook to be given (`--hook`); the SAE's config says so.
 */
export function readGemmaScope(path: string): CanonicalSae {
  const src = npzSource(path);
  const hooks = gemmaScopeHooks(path);
  const name = (n: string) => firstPresent(src, [n, n.toLowerCase()]) ?? n;
  const [dIn, dSae] = shapeOf(src, name('W_enc'), ['d_in', 'd_sae']);
  const sae: CanonicalSae = {
    source: { path, format: 'gemma-scope' },
    dIn,
    dSae,
    wEnc: readChecked(src, name('W_enc'), [
      ['d_in', dIn],
      ['d_sae', dSae],
    ]),
    bEnc: readChecked(src, 'b_enc', [['d_sae', dSae]]),
    wDec: readChecked(src, name('W_dec'), [
      ['d_sae', dSae],
      ['d_in', dIn],
    ]),
    bDec: readChecked(src, 'b_dec', [['d_in', dIn]]),
    activation: { kind: 'jumprelu', threshold: clampThreshold(readChecked(src, 'threshold', [['d_sae', dSae]])) },
    subtractDecoderBias: false,
    inputNorm: 'none',
    inputScale: 1,
    hookName: hooks?.input ?? null,
    ...(hooks?.output ? { outputHookName: hooks.output } : {}),
    modelName: gemmaModelName(path),
    config: hooks
      ? {}
      : { hook: 'not in the path (expected gemma-scope-<model>-<res|mlp|att|transcoders>/layer_N/...): give the hook the SAE reads' },
  };
  validateSae(sae);
  return sae;
}

/** gemma-scope-2b-pt-res → gemma-2-2b, gemma-scope-9b-it-res → gemma-2-9b-it (as SAELens names them). */
function gemmaModelName(path: string): string | null {
  const m = /gemma-scope-(\d+b)-(pt|it)-/.exec(path);
  if (!m) return null;
  return `gemma-2-${m[1]}${m[2] === 'it' ? '-it' : ''}`;
}
