import { hierarchy, tree } from 'd3-hierarchy';
import { linkHorizontal } from 'd3-shape';
import type { MatchMeasure, SplitTreeNode } from '../../../../native/api/types.js';
import { featureKey } from '../../../../native/api/feature-key.js';

/** Sizes of a node card and the gaps between them, in CSS pixels. */
export const treeBox = { width: 206, height: 60, rowGap: 10, columnGap: 64 } as const;

export interface PlacedNode {
  /** "saeId/index": unique within a tree (each feature has one parent) */
  id: string;
  node: SplitTreeNode;
  depth: number;
  /** top-left corner */
  x: number;
  y: number;
  /** similarity to the parent by the tree's measure; null at the root */
  similarity: number | null;
}

export interface PlacedLink {
  id: string;
  /** SVG path from the parent's right edge to the child's left edge */
  path: string;
  similarity: number;
  /** stroke width, 1–6 px, growing with similarity */
  width: number;
  /** where the similarity label goes */
  labelAt: [number, number];
}

export interface TreeLayout {
  nodes: PlacedNode[];
  links: PlacedLink[];
  width: number;
  height: number;
  /** children left out by the threshold */
  hidden: number;
}

/** The similarity an edge has by a measure; an uncomputable correlation sorts below every threshold. */
export function edgeSimilarity(node: SplitTreeNode, by: MatchMeasure): number | null {
  if (!node.edge) return null;
  return by === 'cosine' ? node.edge.cosine : (node.edge.correlation ?? Number.NEGATIVE_INFINITY);
}

/**
 * A left-to-right tidy tree (Reingold–Tilford, d3-hierarchy) of the nodes whose edges reach the
 * threshold: depth runs along x, siblings along y. Pure geometry; SplitTree.svelte draws it.
 */
export function layoutTree(root: SplitTreeNode, by: MatchMeasure, threshold: number): TreeLayout {
  let hidden = 0;
  const kept = (n: SplitTreeNode) => {
    const children = n.children.filter((c) => (edgeSimilarity(c, by) ?? 1) >= threshold);
    hidden += n.children.length - children.length;
    return children;
  };
  const h = hierarchy(root, kept);
  const step = { x: treeBox.height + treeBox.rowGap, y: treeBox.width + treeBox.columnGap };
  const placed = tree<SplitTreeNode>()
    .nodeSize([step.x, step.y])
    .separation(() => 1)(h);
  let minBreadth = Number.POSITIVE_INFINITY;
  let maxBreadth = Number.NEGATIVE_INFINITY;
  placed.each((n) => {
    minBreadth = Math.min(minBreadth, n.x);
    maxBreadth = Math.max(maxBreadth, n.x);
  });
  const top = (n: { x: number }) => n.x - minBreadth;
  const nodes: PlacedNode[] = placed.descendants().map((n) => ({
    id: featureKey(n.data.key),
    node: n.data,
    depth: n.depth,
    x: n.y,
    y: top(n),
    similarity: edgeSimilarity(n.data, by),
  }));
  const link = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();
  const links: PlacedLink[] = placed.links().map(({ source, target }) => {
    const from: [number, number] = [source.y + treeBox.width, top(source) + treeBox.height / 2];
    const to: [number, number] = [target.y, top(target) + treeBox.height / 2];
    const similarity = edgeSimilarity(target.data, by) ?? 0;
    return {
      id: `${featureKey(source.data.key)}>${featureKey(target.data.key)}`,
      path: link({ source: from, target: to }) ?? '',
      similarity,
      width: 1 + 5 * Math.max(0, Math.min(1, similarity)),
      // Near the child, where edges have fanned out, so labels of siblings do not overlap.
      labelAt: [to[0] - 20, to[1] - 5],
    };
  });
  const depth = placed.height;
  return { nodes, links, width: depth * step.y + treeBox.width, height: maxBreadth - minBreadth + treeBox.height, hidden };
}
