import type { FrequentCoverage, SearchMatch } from '../../../../native/api/types.js';
import { formatCount, formatPercentOf } from './format.js';
import { quoteToken } from './token-display.js';

/** A search result's reason as a short phrase: "label", "tag humour", "fires on ␣some 18%", "boosts ␣some". */
export function matchText(match: SearchMatch): string {
  switch (match.kind) {
    case 'label':
      return 'label';
    case 'notes':
      return `note “${match.excerpt}”`;
    case 'tag':
      return `tag ${match.tag}`;
    case 'token':
      return `fires on ${quoteToken(match.token)} ${formatPercentOf(match.share, 1)}`;
    case 'boosted':
      return `boosts ${quoteToken(match.token)}`;
  }
}

/** What the "fires most on" list can be trusted for, in one sentence under it. */
export interface CoverageNote {
  text: string;
  /** exact and complete, exact but possibly incomplete, or approximate (an older index) */
  tone: 'exact' | 'bounded' | 'approximate';
}

/** `listed`: the exact counts shown, most first. */
export function coverageNote(coverage: FrequentCoverage | null | undefined, fires: number, listed: readonly number[]): CoverageNote | null {
  if (coverage === undefined) return null;
  if (coverage === null)
    return { tone: 'approximate', text: 'Approximate counts: this index predates exact token counting. Re-index the SAE for exact ones.' };
  const share = (n: number) => formatPercentOf(n, fires);
  const sum = listed.reduce((a, b) => a + b, 0);
  const these = listed.length > 1 ? ` These ${listed.length} tokens are ${share(sum)} of them` : '';
  const next =
    coverage.nextCount > 0 ? `${these ? '; the next token has' : ' The next token has'} ${share(coverage.nextCount)}.` : these ? '.' : '';
  if (coverage.uncounted === 0) return { tone: 'exact', text: `Exact counts over all ${formatCount(fires)} firings.${these}${next}` };
  const uncounted = `${formatCount(coverage.uncounted)} firings (${share(coverage.uncounted)}) went uncounted when the count table reached its memory cap`;
  if (coverage.complete) return { tone: 'exact', text: `Exact counts; ${uncounted}, too few to change this list.` };
  return {
    tone: 'bounded',
    text: `Exact counts of the tokens listed, but ${uncounted}: a token not listed may have up to ${share(Math.max(coverage.uncounted, coverage.nextCount))}.`,
  };
}
