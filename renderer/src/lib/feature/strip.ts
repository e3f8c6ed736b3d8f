import { activationIntensity, isStrongTint, tintLevel } from './activation-color.js';
import { displayToken } from './token-display.js';

/** One token of a strip, ready to render as a text node with an inline background. */
export interface StripToken {
  /** Position in the window. */
  i: number;
  text: string;
  symbolic: boolean;
  breaksLine: boolean;
  /** Tint step, 0 (none) to TINT_LEVELS: the span gets class `tint-<level>` (styles.css). */
  tint: number;
  strong: boolean;
  /** Read by the model as left context but not counted (a burn-in token): shown muted, never tinted. */
  context: boolean;
  /** The window's BOS (context too). */
  bos: boolean;
}

/**
 * The tokens at `positions` of a window ([nTokens] strings and [nTokens] activations), coloured on
 * the scale of `scaleMax` (the feature's max activation, so strips of one page compare). With
 * `counted` ([nTokens], 0 for tokens the index read but did not count), those are context.
 */
export function stripTokens(
  tokens: readonly string[],
  acts: readonly number[],
  positions: readonly number[],
  scaleMax: number,
  counted?: readonly number[],
): StripToken[] {
  return positions.map((i) => {
    const context = counted !== undefined && counted[i] === 0;
    // A window's first position, uncounted and empty, is the BOS the model reads before the text.
    const bos = context && i === 0 && tokens[0] === '';
    const shown = bos ? { text: '⟨bos⟩', symbolic: true, breaksLine: false } : displayToken(tokens[i] ?? '');
    const intensity = context ? 0 : activationIntensity(acts[i] ?? 0, scaleMax);
    return {
      i,
      text: shown.text,
      symbolic: shown.symbolic,
      breaksLine: shown.breaksLine,
      tint: tintLevel(intensity),
      strong: isStrongTint(intensity),
      context,
      bos,
    };
  });
}

/** 0, 1, …, n − 1 */
export function range(n: number): number[] {
  return Array.from({ length: Math.max(0, n) }, (_, i) => i);
}

/** The class list of a token's span: tint step, whitespace symbol, strong-tint text, the max token. */
export function tokenClass(t: StripToken, maxPos: number): string {
  return `tok tint-${t.tint}${t.symbolic ? ' sym' : ''}${t.strong ? ' strong' : ''}${t.context ? ' ctx' : ''}${t.i === maxPos ? ' max' : ''}`;
}

/** One top example as the components that draw it take it (the feature page's strip, Compare's snippet). */
export interface ExampleTokens {
  /** [nTokens] the window's tokens as text */
  tokens: readonly string[];
  /** [nTokens] the feature's activation on each token */
  acts: readonly number[];
  /** index of the strongest activation in the window */
  maxPos: number;
  /** the activation drawn at full tint */
  scaleMax: number;
}
