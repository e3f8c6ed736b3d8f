import { StoreValueError, count, finite } from './checks.js';
import type { Database } from './database.js';

/**
 * Per-feature token lists. `boosted` / `suppressed`: the output tokens whose logits the decoder
 * direction raises / lowers most through the unembedding (value = logit change). `frequent`: the
 * tokens the feature fires on most often (value = fires on that token). Same shape, one table.
 */
export const tokenListKinds = ['boosted', 'suppressed', 'frequent'] as const;
export type TokenListKind = (typeof tokenListKinds)[number];

export interface FeatureToken {
  kind: TokenListKind;
  /** Order within the kind, 0 first. */
  rank: number;
  tokenId: number;
  /** The token's text as displayed (" the", not "Ġthe"). */
  token: string;
  value: number;
}

interface TokenRow {
  kind: TokenListKind;
  rank: number;
  token_id: number;
  token: string;
  token_key: string;
  value: number;
}

/**
 * What a token filter matches on: case-folded, surrounding spaces dropped, so "The" finds " the".
 * A token that is only whitespace keeps its whitespace (a newline feature must stay findable).
 */
export function tokenKey(token: string): string {
  const trimmed = token.trim();
  return (trimmed.length > 0 ? trimmed : token).normalize('NFC').toLowerCase();
}

export function fromRow(row: TokenRow): FeatureToken {
  return { kind: row.kind, rank: row.rank, tokenId: row.token_id, token: row.token, value: row.value };
}

export function toRow(t: FeatureToken): TokenRow {
  if (!(tokenListKinds as readonly string[]).includes(t.kind)) {
    throw new StoreValueError(`token list kind "${t.kind}": expected one of ${tokenListKinds.join(', ')}`);
  }
  return {
    kind: t.kind,
    rank: count(t.rank, 'token rank'),
    token_id: count(t.tokenId, 'tokenId'),
    token: t.token,
    token_key: tokenKey(t.token),
    value: finite(t.value, `${t.kind} token ${t.tokenId} value`),
  };
}

/** Reads and writes `feature_logits`. */
export class FeatureLogitsTable {
  constructor(private readonly db: Database) {}

  replaceForFeature(runId: number, feature: number, tokens: readonly FeatureToken[]): void {
    this.db.transaction(() => {
      this.db.run('DELETE FROM feature_logits WHERE run_id = ? AND feature = ?', [runId, feature]);
      for (const t of tokens) {
        const r = toRow(t);
        this.db.run(
          'INSERT INTO feature_logits (run_id, feature, kind, rank, token_id, token, token_key, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [runId, feature, r.kind, r.rank, r.token_id, r.token, r.token_key, r.value],
        );
      }
    });
  }

  /** Ordered by kind (boosted, frequent, suppressed), then rank. */
  listForFeature(runId: number, feature: number): FeatureToken[] {
    return this.db
      .all<TokenRow>(
        'SELECT kind, rank, token_id, token, token_key, value FROM feature_logits WHERE run_id = ? AND feature = ? ORDER BY kind, rank',
        [runId, feature],
      )
      .map(fromRow);
  }
}
