import type { ConceptHeatmap, ConceptVectorInfo } from '../../../api/types.js';
import type { Workspace } from '../../../store/workspace.js';
import type { ConceptEstimate } from '../estimator.js';
import { buildHierarchy, flattenHierarchy } from '../hierarchy.js';
import { cosine, subtract } from '../linalg.js';
import { edgeOrthogonality, verdictAlpha } from '../orthogonality.js';
import { conceptModel } from './model.js';
import type { ConceptModel } from './model.js';
import { requireEnough, resolveSynset, synsetConcept, synsetName, synsetRef, synsetTokens } from './sources.js';
import { conceptVector } from './vectors.js';

export interface HeatmapParams {
  modelId: string;
  root: string;
  depth: number;
  minTokens: number;
  shuffles: number;
  seed: number;
}

/** [n, n] row-major f(i, j) for a symmetric f, computed once per pair. */
function symmetricMatrix<T>(n: number, f: (i: number, j: number) => T): T[] {
  const out = new Array<T>(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = f(i, j);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}

/**
 * The paper's noun heat map for one WordNet hierarchy: cosines between the concepts' vectors, between
 * their parent-to-child differences, and the orthogonality of each edge against a shuffled baseline.
 */
export async function conceptHeatmap(ws: Workspace, params: HeatmapParams): Promise<ConceptHeatmap> {
  const cm = await conceptModel(ws, params.modelId);
  // The shuffled baseline re-estimates every concept per shuffle: a repeated request is served from memory.
  const memo = heatmaps.get(cm) ?? new Map<string, Promise<ConceptHeatmap>>();
  heatmaps.set(cm, memo);
  const key = JSON.stringify([params.root, params.depth, params.minTokens, params.shuffles, params.seed]);
  let entry = memo.get(key);
  if (!entry) {
    entry = computeHeatmap(ws, cm, params);
    memo.set(key, entry);
    entry.catch(() => memo.delete(key));
    while (memo.size > 16) memo.delete(memo.keys().next().value as string);
  }
  return entry;
}

const heatmaps = new WeakMap<ConceptModel, Map<string, Promise<ConceptHeatmap>>>();

async function computeHeatmap(ws: Workspace, cm: ConceptModel, params: HeatmapParams): Promise<ConceptHeatmap> {
  const root = resolveSynset(params.root, 'root');
  const tree = buildHierarchy(synsetTokens(cm), root, { depth: params.depth, minTokens: params.minTokens });
  const all = flattenHierarchy(tree);
  requireEnough(synsetConcept(cm, root), params.minTokens, 'root');
  const nodes = all.filter((n) => n.node.tokenIds.length >= params.minTokens);
  const estimates: ConceptEstimate[] = [];
  for (const n of nodes) estimates.push(await conceptVector(ws, cm, n.node.tokenIds));
  const position = new Map(nodes.map((n, i) => [n.node, i]));
  const parentOf = nodes.map((n) => (n.parent === null ? null : (position.get(all[n.parent].node) ?? null)));
  const concepts = nodes.map((n, i): ConceptVectorInfo & { parent: number | null; depth: number } => ({
    ref: synsetRef(n.node.synset),
    name: synsetName(n.node.synset),
    words: n.node.words,
    found: n.node.found,
    nTokens: n.node.tokenIds.length,
    enough: true,
    norm: estimates[i].norm,
    shrinkage: estimates[i].shrinkage,
    spread: estimates[i].spread,
    parent: parentOf[i],
    depth: n.depth,
  }));
  const vectors = estimates.map((e) => e.vector);
  const diffs = vectors.map((v, i) => (parentOf[i] === null ? null : subtract(v, vectors[parentOf[i] as number])));
  const edges = parentOf.flatMap((p, child) => (p === null ? [] : [{ parent: p, child }]));
  const orthogonality = await edgeOrthogonality(
    nodes.map((n) => n.node.tokenIds),
    vectors,
    edges,
    {
      vocabSize: cm.dVocab,
      shuffles: params.shuffles,
      seed: params.seed,
      estimate: async (ids) => (await conceptVector(ws, cm, ids, false)).vector,
    },
  );
  return {
    modelId: params.modelId,
    depth: params.depth,
    minTokens: params.minTokens,
    concepts,
    cosines: symmetricMatrix(vectors.length, (i, j) => cosine(vectors[i], vectors[j])),
    differences: symmetricMatrix(vectors.length, (i, j) => {
      const a = diffs[i];
      const b = diffs[j];
      return a && b ? cosine(a, b) : null;
    }),
    edges: orthogonality,
    shuffles: params.shuffles,
    alpha: verdictAlpha,
  };
}
