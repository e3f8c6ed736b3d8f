import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { registerModel, registerSae } from '../../../native/registry/catalog.js';
import type { IndexConfig } from '../../../native/index/indexer.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import type { Database } from '../../../native/store/database.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { writeTiedRandomSae } from '../../helpers/random-sae.js';

export const HOOK = 'blocks.0.hook_mlp_out';
export const CORPUS = 'brown:ca01-ca03';
/** Small enough for a test, several commits and batches long. */
export const RUN = {
  corpus: CORPUS,
  tokens: 6144,
  contextLength: 64,
  batchTokens: 512,
  commitTokens: 1024,
  commitSeconds: 0,
  chunkFeatures: 40,
};

/** A random TopK SAE on the demo model's MLP output: real features of nothing, but a real index. */
export function randomSae(path: string, dSae = 96, k = 6, seed = 11): CanonicalSae {
  return writeTiedRandomSae(path, {
    dIn: 256,
    dSae,
    seed,
    scale: 0.2,
    activation: { kind: 'topk', k },
    subtractDecoderBias: true,
    hookName: HOOK,
    modelName: 'demo-model',
  });
}

/** A workspace at `dir` with the demo model and the SAE at `saePath` registered. */
export async function workspaceWithSae(
  dir: string,
  saePath: string,
  options: { markInterrupted?: boolean } = {},
): Promise<{ ws: Workspace; saeId: string }> {
  const ws = openWorkspace(join(dir), options);
  const model = await registerModel(ws, DEMO_MODEL);
  const sae = registerSae(ws, saePath, model.id);
  return { ws, saeId: sae.id };
}

/** Every row an index run leaves, without run ids and timestamps, for exact comparisons. */
export function dumpIndex(db: Database): Record<string, unknown[]> {
  const q = (sql: string) => db.all<Record<string, unknown>>(sql);
  return {
    stats: q('SELECT feature, tokens_seen, fires, density, mean_act, max_act, hist_counts, band_edges FROM feature_stats ORDER BY feature'),
    examples: q(
      'SELECT feature, kind, band, rank, window_index, max_act, max_pos, acts FROM feature_examples ORDER BY feature, kind, band, rank',
    ),
    tokens: q('SELECT feature, kind, rank, token_id, value FROM feature_logits ORDER BY feature, kind, rank'),
    coverage: q('SELECT feature, uncounted, next_count FROM feature_frequent_coverage ORDER BY feature'),
    neighbours: q('SELECT feature, other_feature, rank, cosine, correlation FROM feature_neighbours ORDER BY feature, other_sae_id, rank'),
    candidates: q('SELECT feature, rank, tag, precision, recall, f1 FROM feature_candidates ORDER BY feature, rank'),
    windows: q('SELECT window_index, doc_id, text, ids, offsets FROM windows ORDER BY window_index'),
  };
}

/**
 * Starts RUN (with `overrides`) on the SAE at `saePath` in a child process (index-child.ts) and
 * SIGKILLs it once it has reported `commits` commits.
 */
export function killIndexAfterCommits(
  dir: string,
  saePath: string,
  commits: number,
  overrides: Partial<Omit<IndexConfig, 'saeId'>> = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'index-child.ts'), dir, saePath, JSON.stringify(overrides)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let seen = 0;
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      seen += text.split('\n').filter((line) => line.startsWith('commit ')).length;
      if (seen >= commits) child.kill('SIGKILL');
      if (text.includes('done')) reject(new Error('the index job finished before it was killed'));
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`index child exited without being killed (${signal})`)),
    );
  });
}
