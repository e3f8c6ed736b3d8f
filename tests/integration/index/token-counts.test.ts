import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeaturePageData } from '../../../native/api/types.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { openCorpus } from '../../../native/corpus/open.js';
import { runIndex } from '../../../native/index/indexer.js';
import type { IndexSummary } from '../../../native/index/indexer.js';
import { tokenWindows } from '../../../native/corpus/windows.js';
import { loadTransformer } from '../../../native/models/load.js';
import { prepareIndexPass } from '../../../native/sae/index-graph.js';
import { prepareForward } from '../../../native/models/forward.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { encodeReference } from '../../../native/sae/reference.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { DEMO_SAE_DIRS } from '../../helpers/indexed-workspace.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { HOOK, RUN, dumpIndex, killIndexAfterCommits, workspaceWithSae } from './index-setup.js';
import { withDatabase } from '../../helpers/workspace-database.js';

/**
 * The "fires most on" lists of the demo's 512-feature SAE (real features of a real model), checked
 * against a brute-force count: the same windows, each encoded on its own by the engine's encode pass
 * (which agrees exactly with the plain reference, native/sae/reference.ts, on the first windows:
 * checked below; the reference is too slow for all of them), and every firing tallied per
 * (feature, token) in a Map.
 */
const tmp = tempDir('token-counts');
afterAll(() => tmp.cleanup());
const saePath = DEMO_SAE_DIRS[0];
/** Eight thousand tokens of news: four commits, tens of thousands of distinct (feature, token) pairs. */
const SLICE = { ...RUN, corpus: 'brown:news', tokens: 8192, commitTokens: 2048 };
/** Small enough that the count tables reach it on this slice. */
const CAP = 96 * 1024;

const REFERENCE_WINDOWS = 8;

let sae: CanonicalSae;
/** feature → token id → firings, over SLICE */
let truth: Map<number, number>[];
let fires: Float64Array;
/** per reference window: "token feature" for every firing, by the engine and by the reference */
const engineFirings: string[][] = [];
const referenceFirings: string[][] = [];

beforeAll(async () => {
  sae = loadSae(saePath);
  const { weights } = loadTransformer(DEMO_MODEL);
  const tokenizer = await loadTokenizer(DEMO_MODEL);
  truth = Array.from({ length: sae.dSae }, () => new Map<number, number>());
  fires = new Float64Array(sae.dSae);
  const pass = await prepareIndexPass(weights, sae, HOOK);
  const forward = await prepareForward(weights, { hooks: [HOOK] });
  const n = SLICE.contextLength;
  for await (const w of tokenWindows(openCorpus(SLICE.corpus), tokenizer, { contextLength: n, maxTokens: SLICE.tokens })) {
    const acts = await pass.run(w.ids, 1, n);
    const seen: string[] = [];
    for (let t = 0; t < n; t++) {
      if (!w.counted[t]) continue; // the BOS, separators, padding and burn-in are read, never counted
      for (let i = acts.rowStart[t]; i < acts.rowStart[t + 1]; i++) {
        const f = acts.features[i];
        fires[f]++;
        truth[f].set(w.ids[t], (truth[f].get(w.ids[t]) ?? 0) + 1);
        seen.push(`${t} ${f}`);
      }
    }
    if (w.index >= REFERENCE_WINDOWS) continue;
    engineFirings.push(seen.sort());
    const x = (await forward.run({ dims: [1, n], data: BigInt64Array.from(w.ids, (v) => BigInt(v)) })).outputs.get(HOOK)!.data;
    const dense = encodeReference(sae, x, n);
    referenceFirings.push(
      Array.from({ length: n * sae.dSae }, (_, j) => j)
        .filter((j) => dense[j] > 0 && w.counted[Math.floor(j / sae.dSae)])
        .map((j) => `${Math.floor(j / sae.dSae)} ${j % sae.dSae}`)
        .sort(),
    );
  }
}, 120_000);

it('the brute force’s firings are the plain reference encoder’s', () => {
  expect(engineFirings).toHaveLength(REFERENCE_WINDOWS);
  expect(engineFirings).toEqual(referenceFirings);
});

/** The true top n of a feature, ties by token id (as the index breaks them). */
function trueTop(f: number, n: number): { tokenId: number; value: number }[] {
  return [...truth[f]]
    .map(([tokenId, value]) => ({ tokenId, value }))
    .sort((a, b) => b.value - a.value || a.tokenId - b.tokenId)
    .slice(0, n);
}

/** The token at the peak of most of a feature's top examples, and how many examples peak on it. */
function topExampleMode(page: FeaturePageData): { tokenId: number; examples: number } | null {
  const counts = new Map<number, number>();
  for (const e of page.top) {
    const id = page.windows[e.window].index;
    counts.set(tokenAt(id, e.maxPos), (counts.get(tokenAt(id, e.maxPos)) ?? 0) + 1);
  }
  const [best] = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return best ? { tokenId: best[0], examples: best[1] } : null;
}
let windowIds: (index: number) => Int32Array;
const tokenAt = (window: number, pos: number) => windowIds(window)[pos];

describe('exact token counts on the demo SAE', () => {
  let ws: Workspace;
  let saeId: string;
  let summary: IndexSummary;
  beforeAll(async () => {
    ({ ws, saeId } = await workspaceWithSae(join(tmp.path, 'whole'), saePath));
    summary = await runIndex(ws, { saeId, ...SLICE });
    const run = ws.features.runs.current(saeId)!;
    windowIds = (index) => ws.features.windows.getMany(run.id, [index])[0].ids;
  }, 120_000);
  afterAll(() => ws.close());

  it('counts every distinct (feature, token) pair, none left uncounted', () => {
    expect(summary.tokenCounts.pairs).toBe(truth.reduce((n, m) => n + m.size, 0));
    expect(summary.tokenCounts).toMatchObject({ uncounted: 0 });
    expect(summary.tokenCounts.bytes).toBeLessThan(20 * summary.tokenCounts.pairs + 128 * sae.dSae);
  });

  it('lists each feature’s true top 10 tokens with their exact counts, dense features included', () => {
    const byDensity = Array.from(fires.keys()).sort((a, b) => fires[b] - fires[a]);
    const checked = [...byDensity.slice(0, 5), byDensity[100], byDensity[300], 0, 245];
    expect(fires[byDensity[0]]).toBeGreaterThan(SLICE.tokens / 20); // the densest fires on over 5 % of tokens
    for (const f of checked) {
      const page = ws.features.page({ saeId, index: f });
      expect(page.stats?.fires, `#${f} fires`).toBe(fires[f]);
      expect(
        page.frequent.map(({ tokenId, value }) => ({ tokenId, value })),
        `#${f}`,
      ).toEqual(trueTop(f, 10));
      const next = trueTop(f, 11)[10]?.value ?? 0;
      expect(page.frequentCoverage).toEqual({ uncounted: 0, nextCount: next, complete: true });
    }
  });

  it('lists every feature’s list exactly, and the top examples’ commonest token whenever its count earns a place', () => {
    let listedModes = 0;
    let modes = 0;
    for (let f = 0; f < sae.dSae; f++) {
      const page = ws.features.page({ saeId, index: f });
      expect(page.frequent.map((t) => t.value)).toEqual(trueTop(f, 10).map((t) => t.value));
      const mode = topExampleMode(page);
      if (!mode) continue;
      modes++;
      const listed = page.frequent.some((t) => t.tokenId === mode.tokenId);
      if (listed) listedModes++;
      const count = truth[f].get(mode.tokenId) ?? 0;
      // Exact lists leave a token off only when ten others fire more often (a tie at the tenth may go either way).
      if (count > (page.frequent[9]?.value ?? 0)) expect(listed, `#${f}: its top examples' token fires ${count} times`).toBe(true);
      else if (!listed) expect(count).toBeLessThanOrEqual(page.frequent[9].value);
    }
    expect(modes).toBeGreaterThan(400);
    expect(listedModes / modes).toBeGreaterThan(0.6);
  });

  it('finds features by the tokens they fire on, ranked by the token’s share of their firings', () => {
    const topShare = (x: number) => trueTop(x, 1)[0].value / fires[x];
    const wordy = (x: number) => /\p{L}/u.test(ws.features.page({ saeId, index: x }).frequent[0].token);
    const [f] = Array.from(fires.keys())
      .filter((x) => fires[x] >= 50 && wordy(x))
      .sort((a, b) => topShare(b) - topShare(a));
    const page = ws.features.page({ saeId, index: f });
    const token = page.frequent[0];
    expect(topShare(f)).toBeGreaterThan(0.3);
    const found = ws.features.query({ saeId, text: `${token.token.trim()} `, limit: 1000 });
    const hit = found.items.find((i) => i.key.index === f);
    expect(hit?.matches).toContainEqual({ kind: 'token', token: token.token, share: token.value / fires[f] });
    const shares = found.items.map((i) => i.relevance ?? 0);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    expect(found.items[0].key.index).toBe(f);
    // Every feature listing the token is found.
    const firing = Array.from(fires.keys()).filter((x) =>
      ws.features.page({ saeId, index: x }).frequent.some((t) => t.tokenId === token.tokenId),
    );
    for (const x of firing)
      expect(
        found.items.some((i) => i.key.index === x),
        `#${x}`,
      ).toBe(true);
  });

  it('finds a dense feature by a token low on its list (as " some" is 5th for the demo’s #0)', () => {
    const densest = Array.from(fires.keys()).sort((a, b) => fires[b] - fires[a])[0];
    const page = ws.features.page({ saeId, index: densest });
    const token = page.frequent.slice(3).find((t) => /^\s?\p{L}+$/u.test(t.token))!;
    expect(token.value / fires[densest]).toBeLessThan(0.1);
    const found = ws.features.query({ saeId, text: `${token.token.trim()} `, limit: 1000 });
    const hit = found.items.find((i) => i.key.index === densest);
    expect(hit?.matches).toContainEqual({ kind: 'token', token: token.token, share: token.value / fires[densest] });
  });
});

describe('exact token counts under a memory cap', () => {
  let capped: Record<string, unknown[]>;
  let ws: Workspace;
  let saeId: string;
  let summary: IndexSummary;
  beforeAll(async () => {
    ({ ws, saeId } = await workspaceWithSae(join(tmp.path, 'capped'), saePath));
    summary = await runIndex(ws, { saeId, ...SLICE, tokenCountsMaxBytes: CAP });
    capped = withDatabase(ws, dumpIndex);
  }, 120_000);
  afterAll(() => ws.close());

  it('keeps every listed count exact, says how many firings went uncounted, and bounds every unlisted token', () => {
    let uncounted = 0;
    let incomplete = 0;
    for (let f = 0; f < sae.dSae; f++) {
      const page = ws.features.page({ saeId, index: f });
      const coverage = page.frequentCoverage!;
      for (const t of page.frequent) expect(t.value, `#${f} ${t.token}`).toBe(truth[f].get(t.tokenId));
      const listed = new Set(page.frequent.map((t) => t.tokenId));
      const bound = Math.max(coverage.uncounted, coverage.nextCount);
      for (const [token, count] of truth[f])
        if (!listed.has(token)) expect(count, `#${f} unlisted token ${token}`).toBeLessThanOrEqual(bound);
      // "complete" is a proof: no unlisted token can outnumber the last listed one.
      const best = Math.max(0, ...[...truth[f]].filter(([token]) => !listed.has(token)).map(([, count]) => count));
      if (coverage.complete) expect(best).toBeLessThanOrEqual(page.frequent.at(-1)?.value ?? 0);
      uncounted += coverage.uncounted;
      if (!coverage.complete) incomplete++;
    }
    expect(uncounted).toBeGreaterThan(0);
    expect(summary.tokenCounts.uncounted).toBe(uncounted);
    expect(summary.tokenCounts.bytes).toBeLessThanOrEqual(CAP);
    expect(incomplete).toBeGreaterThan(0);
  });

  it('resumes a run killed by SIGKILL to exactly the lists and bounds of an uninterrupted one', async () => {
    const dir = join(tmp.path, 'capped-killed');
    (await workspaceWithSae(dir, saePath)).ws.close();
    await killIndexAfterCommits(dir, saePath, 2, {
      corpus: SLICE.corpus,
      tokens: SLICE.tokens,
      commitTokens: SLICE.commitTokens,
      tokenCountsMaxBytes: CAP,
    });
    const resumed = await workspaceWithSae(dir, saePath);
    try {
      const open = resumed.ws.features.runs.resumable(resumed.saeId);
      expect(open?.batchesDone).toBeGreaterThanOrEqual(2);
      const summary = await runIndex(resumed.ws, { saeId: resumed.saeId, ...SLICE, tokenCountsMaxBytes: CAP });
      expect(summary.resumedAtWindow).toBe(open?.windowsDone);
      expect(withDatabase(resumed.ws, dumpIndex)).toEqual(capped);
    } finally {
      resumed.ws.close();
    }
  }, 120_000);
});
