// Compare: matching a 32,768-feature SAE to a 4,096-feature one (decoder cosine candidates, one
// blocked Gemm + TopK in ONNX Runtime) against the MatMul limit of its 2·nWide·nNarrow·d FLOPs; then
// what keeps the Compare view responsive at that size: storing the 32,768 matches, and the reads the
// view makes (a sorted page, the one-to-many groups, the links for the joint map, a splitting tree).
import { join } from 'node:path';
import { parentCandidates } from '../native/maps/matching.js';
import type { ParentCandidates } from '../native/maps/matching.js';
import { measureMatmulRate, randomUniform } from '../native/onnx/matmul-rate.js';
import type { PairMatches } from '../native/store/compare-table.js';
import { openWorkspace } from '../native/store/workspace.js';
import { tempDir } from '../tests/helpers/tmp.js';
import type { BenchResult } from './types.js';

const N_NARROW = 4_096;
const N_WIDE = 32_768;
const D = 256;
const CANDIDATES = 8;

export async function benchCompare(): Promise<BenchResult[]> {
  const narrow = { dSae: N_NARROW, dIn: D, wDec: randomUniform(N_NARROW * D, 5) };
  const wide = { dSae: N_WIDE, dIn: D, wDec: randomUniform(N_WIDE * D, 6) };
  const before = await measureMatmulRate({ seconds: 2 });
  let start = performance.now();
  const candidates = await parentCandidates(narrow, wide, CANDIDATES);
  const seconds = (performance.now() - start) / 1000;
  const after = await measureMatmulRate({ seconds: 2 });
  const gflops = (before.gflops + after.gflops) / 2;
  const limit = (2 * N_WIDE * N_NARROW * D) / (gflops * 1e9);
  const results: BenchResult[] = [
    {
      name: `compare matching ${N_WIDE.toLocaleString('en-US')} → ${N_NARROW.toLocaleString('en-US')} x ${D}`,
      value: seconds,
      unit: 's',
      limit,
      ratio: limit / seconds,
      note: `top ${CANDIDATES} parents by cosine; limit: 2·nWide·nNarrow·d FLOPs at ${gflops.toFixed(0)} GFLOP/s; includes normalising and session creation; ratio = limit / time`,
    },
  ];
  const dir = tempDir('bench-compare');
  const ws = openWorkspace(join(dir.path, 'ws'));
  try {
    start = performance.now();
    const run = ws.compare.put({
      key: 'bench',
      saeIds: ['narrow', 'wide'],
      params: { algorithm: 'bench', corpus: 'brown', tokens: 1, contextLength: 1, candidates: CANDIDATES },
      tokens: 1,
      jobId: null,
      createdAt: new Date().toISOString(),
      densities: [new Float32Array(N_NARROW).fill(0.01), new Float32Array(N_WIDE).fill(0.001)],
      pairs: [syntheticMatches(candidates)],
    });
    results.push(
      timing(`compare store ${N_WIDE.toLocaleString('en-US')} matches`, performance.now() - start, 'one transaction, rows and indexes'),
    );
    const reads: [string, () => unknown][] = [
      [
        'compare page sorted by correlation',
        () => ws.compare.matchPage({ runId: run.id, pair: 0, sort: 'correlation', descending: true, offset: 16_000, limit: 100 }),
      ],
      [
        'compare one-to-many groups',
        () => ws.compare.groups({ runId: run.id, pair: 0, by: 'cosine', threshold: 0.2, kind: 'oneToMany', limit: 50 }),
      ],
      [
        'compare unmatched narrow',
        () => ws.compare.groups({ runId: run.id, pair: 0, by: 'correlation', threshold: 0.5, kind: 'unmatchedNarrow', limit: 50 }),
      ],
      ['compare links for the joint map', () => ws.compare.links(run.id, 0, 'cosine')],
      [
        'compare splitting tree',
        () => ws.compare.tree({ runId: run.id, root: { saeId: 'narrow', index: 7 }, by: 'cosine', minSimilarity: 0, maxChildren: 32 }),
      ],
    ];
    for (const [name, read] of reads) {
      read();
      start = performance.now();
      for (let i = 0; i < 5; i++) read();
      results.push(
        timing(name, (performance.now() - start) / 5, `${N_WIDE.toLocaleString('en-US')} matches stored; mean of 5 after a warm-up`),
      );
    }
  } finally {
    ws.close();
    dir.cleanup();
  }
  return results;
}

function timing(name: string, ms: number, note: string): BenchResult {
  return { name, value: ms, unit: 'ms', limit: 0, ratio: 0, note };
}

/** The cosine candidates as matches, with made-up correlations (the stored shape is what is timed). */
function syntheticMatches(c: ParentCandidates): PairMatches {
  const n = c.nWide;
  const m: PairMatches = {
    cosParent: new Int32Array(n),
    cos: new Float32Array(n),
    cosParentCorr: new Float32Array(n),
    corrParent: new Int32Array(n),
    corr: new Float32Array(n),
    corrParentCos: new Float32Array(n),
    cosParentCofire: new Int32Array(n),
    corrParentCofire: new Int32Array(n),
  };
  for (let w = 0; w < n; w++) {
    const r = w % c.n;
    m.cosParent[w] = c.parents[w * c.n];
    m.cos[w] = c.cosines[w * c.n];
    m.cosParentCorr[w] = ((w * 7919) % 1000) / 1000;
    m.corrParent[w] = c.parents[w * c.n + r];
    m.corr[w] = ((w * 104_729) % 1000) / 1000;
    m.corrParentCos[w] = c.cosines[w * c.n + r];
    m.cosParentCofire[w] = w % 50;
    m.corrParentCofire[w] = w % 40;
  }
  return m;
}
