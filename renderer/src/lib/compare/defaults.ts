import type { SaeSummary } from '../../../../native/api/types.js';

/**
 * What Compare opens with when the route names no SAEs: the narrowest and widest SAE of the first
 * hook that has at least two, narrowest first.
 */
export function defaultPair(saes: readonly SaeSummary[]): string[] {
  const byHook = new Map<string, SaeSummary[]>();
  for (const s of saes)
    byHook.set(`${s.modelId}\n${s.hookName}\n${s.dIn}`, [...(byHook.get(`${s.modelId}\n${s.hookName}\n${s.dIn}`) ?? []), s]);
  for (const group of byHook.values()) {
    if (group.length < 2) continue;
    const sorted = [...group].sort((a, b) => a.dSae - b.dSae);
    return [sorted[0].id, sorted[sorted.length - 1].id];
  }
  return [];
}

/**
 * Tokens a comparison reads when the narrow SAE has no finished index to take its slice from: enough
 * that a feature of 0.01 % density fires about 26 times, so its correlations mean something.
 */
export const FALLBACK_COMPARE_TOKENS = 262_144;
