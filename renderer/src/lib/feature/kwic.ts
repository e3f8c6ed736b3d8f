/**
 * Keyword-in-context slices of an example window: the tokens before the max-activating token, the
 * token itself, and the tokens after it, so that a column of examples lines their max tokens up
 * (a concordance) and each row stays one line. The slices are bounded so a row never renders a
 * whole long window; CSS clips what does not fit.
 */

export interface KwicSlice {
  /** [start, centre) */
  start: number;
  centre: number;
  /** (centre, end) — end is exclusive */
  end: number;
}

/** The slice around `maxPos` of a window of `nTokens`, at most `before` tokens left and `after` right. */
export function kwicSlice(nTokens: number, maxPos: number, before: number, after: number): KwicSlice {
  if (nTokens <= 0) return { start: 0, centre: 0, end: 0 };
  const centre = Math.min(Math.max(0, Math.trunc(maxPos)), nTokens - 1);
  return { start: Math.max(0, centre - before), centre, end: Math.min(nTokens, centre + after + 1) };
}

/** Index lists for the three parts of a slice (for keyed {#each} blocks). */
export function kwicParts(slice: KwicSlice): { left: number[]; right: number[] } {
  const left: number[] = [];
  for (let i = slice.start; i < slice.centre; i++) left.push(i);
  const right: number[] = [];
  for (let i = slice.centre + 1; i < slice.end; i++) right.push(i);
  return { left, right };
}
