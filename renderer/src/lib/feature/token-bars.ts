import type { PageToken } from '../../../../native/api/types.js';

/**
 * Bars for the output-token lists (boosted and suppressed logits, frequent tokens): each bar's width
 * is |value| as a fraction of the largest |value| across all the lists it is compared with, so the
 * two columns of a logit table share one scale and a weak suppression looks weak next to a strong boost.
 */
export interface TokenBar extends PageToken {
  /** 0..1 */
  fraction: number;
}

export function tokenBars(tokens: readonly PageToken[], ...compareWith: (readonly PageToken[])[]): TokenBar[] {
  let scale = 0;
  for (const list of [tokens, ...compareWith]) for (const t of list) scale = Math.max(scale, Math.abs(t.value));
  return tokens.map((t) => ({ ...t, fraction: scale > 0 ? Math.abs(t.value) / scale : 0 }));
}
