import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName } from '../../../native/api/methods.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { conceptModel } from '../../../native/maps/concepts/service/model.js';
import { conceptVector } from '../../../native/maps/concepts/service/vectors.js';
import { loadSae } from '../../../native/sae/index.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { routerCalls } from '../../helpers/router-calls.js';

const dir = tempDir('concepts-handlers');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
const saePath = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo', 'saes', 'brown-mlp0-topk4096');
let modelId = '';
let saeId = '';

const { call } = routerCalls(router);

async function reason(method: MethodName, params: unknown): Promise<string> {
  const response = await router.call(method, params);
  if (response.ok) throw new Error(`${method} should have failed`);
  return `${response.error.code}: ${response.error.reason} (${response.error.field ?? ''})`;
}

function float32s(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
  modelId = (await call('models.add', { path: DEMO_MODEL })).id;
  saeId = (await call('saes.add', { path: saePath, modelId })).id;
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('concepts.* on the demo model (vocabulary 4,096, d_model 256)', () => {
  it('suggests WordNet roots the vocabulary can split, and finds synsets by prefix', async () => {
    const roots = await call('concepts.synsets', { modelId });
    expect(roots.map((r) => r.ref)).toEqual(
      expect.arrayContaining(['wn:organism.n.01', 'wn:person.n.01', 'wn:whole.n.02', 'wn:artifact.n.01']),
    );
    expect(roots.every((r) => r.children >= 2 && r.enough)).toBe(true);
    const found = await call('concepts.synsets', { modelId, query: 'anima', limit: 5 });
    // dog, horse, cat, cattle, bird, bat, cow: "animal" itself is two tokens (an·imal).
    expect(found[0]).toMatchObject({ ref: 'wn:animal.n.01', name: 'animal', nTokens: 7, enough: false });
  });

  it('opens on the first candidate root the vocabulary holds, saying why the others do not', async () => {
    const chosen = await call('concepts.defaultRoot', { modelId });
    expect(chosen).toMatchObject({ ref: 'wn:whole.n.02', name: 'whole', holds: true });
    expect(chosen.tried.map((t) => [t.name, t.holds, t.why])).toEqual([
      ['animal', false, 'animal has 7 whole-word tokens, needs 8'],
      ['organism', false, 'no child of organism splits into two concepts of 8+ tokens'],
      ['person', false, 'no child of person splits into two concepts of 8+ tokens'],
      ['artifact', false, 'no child of artifact splits into two concepts of 8+ tokens'],
      ['whole', true, 'whole → artifact → instrumentality, structure'],
    ]);
    // With 6 tokens a concept, organism → person, animal → placental holds.
    expect((await call('concepts.defaultRoot', { modelId, minTokens: 6 })).ref).toBe('wn:organism.n.01');
  });

  it('holds the default hierarchy with at least 8 whole-word tokens per node, and says which words it dropped', async () => {
    const tree = await call('concepts.hierarchy', { modelId, root: 'wn:whole.n.02', depth: 2, minTokens: 8 });
    const rows: [string, number][] = [];
    const walk = (n: typeof tree.root, depth: number) => {
      rows.push([`${'  '.repeat(depth)}${n.name}`, n.nTokens]);
      n.children.forEach((c) => walk(c, depth + 1));
    };
    walk(tree.root, 0);
    expect(rows).toEqual([
      ['whole', 127],
      ['  artifact', 70],
      ['    instrumentality', 25],
      ['    structure', 22],
      ['  living thing', 50],
      ['    adult', 8],
      ['    relative', 8],
    ]);
    expect(tree.wordRule).toEqual({ minLetters: 3, minWholeShare: 0.1, minUses: 3, minNounShare: 0.5 });
    const relative = tree.root.children[1].children[1];
    expect(relative.sample.map((t) => t.trim()).sort()).toEqual(['brother', 'father', 'husband', 'mother', 'parent', 'pop', 'son', 'wife']);
    expect(relative.found).toBe(8);
    const reasons = new Map((tree.root.dropped ?? []).map((d) => [d.reason, d]));
    expect([...reasons.keys()]).toEqual(['phrase', 'pieces', 'not-letters', 'short', 'word-piece', 'rare', 'not-noun', 'other-sense']);
    expect(reasons.get('word-piece')?.examples.every((e) => /^whole in \d+% of its [\d,]+ Brown uses$/.test(e.detail))).toBe(true);
    expect(reasons.get('pieces')?.examples[0].detail).toMatch(/^\d tokens: \S+·\S+/);
  });

  it('cuts organism into person and animal, every kept word a whole word', async () => {
    const tree = await call('concepts.hierarchy', { modelId, root: 'organism', depth: 2, minTokens: 6 });
    expect(tree.root).toMatchObject({ ref: 'wn:organism.n.01', nTokens: 50, enough: true });
    expect(tree.root.children.map((c) => [c.name, c.nTokens])).toEqual([
      ['person', 43],
      ['animal', 7],
    ]);
    const animal = tree.root.children[1];
    expect(animal.sample.map((t) => t.trim()).sort()).toEqual(['bat', 'bird', 'cat', 'cattle', 'cow', 'dog', 'horse']);
    expect(animal.children.map((c) => c.name)).toEqual(['placental']);
    for (const t of tree.root.sample) expect(t).toMatch(/^ \p{L}{3,}$/u);
  });

  it('draws the heat map: unit diagonal, symmetric, and a permutation verdict per edge against 40 shuffles', async () => {
    const map = await call('concepts.heatmap', { modelId, root: 'whole.n.02', depth: 2, minTokens: 8 });
    const n = map.concepts.length;
    expect(map.concepts.map((c) => c.name)).toEqual([
      'whole',
      'artifact',
      'instrumentality',
      'structure',
      'living thing',
      'adult',
      'relative',
    ]);
    for (let i = 0; i < n; i++) {
      expect(map.cosines[i * n + i]).toBeCloseTo(1, 12);
      for (let j = 0; j < n; j++) expect(map.cosines[i * n + j]).toBe(map.cosines[j * n + i]);
    }
    expect(map.differences.slice(0, n)).toEqual(Array(n).fill(null));
    expect(map.edges.map((e) => [e.parent, e.child])).toEqual([
      [0, 1],
      [1, 2],
      [1, 3],
      [0, 4],
      [4, 5],
      [4, 6],
    ]);
    expect(map).toMatchObject({ shuffles: 40, alpha: 0.05 });
    for (const e of map.edges) {
      const b = e.baseline;
      if (!b || b.p5 === undefined || b.p95 === undefined || !e.verdict || e.cosine === null) throw new Error('edge without a baseline');
      expect(b.n).toBe(40);
      expect(b.p5).toBeLessThan(b.mean);
      expect(b.p95).toBeGreaterThan(b.mean);
      // Nested shuffled sets are near-orthogonal too: about 1/√d_model = 0.0625 of spread around 0.
      expect(Math.abs(b.mean)).toBeLessThan(0.06);
      expect(b.std).toBeGreaterThan(0.04);
      expect(b.std).toBeLessThan(0.1);
      // On this 2-layer model no edge is more orthogonal than shuffled words (measured: p from 0.24 to 0.63).
      expect(e.verdict.kind).toBe('not-distinguishable');
      expect(e.verdict.p).toBeGreaterThan(0.05);
    }
    const few = await call('concepts.heatmap', { modelId, root: 'whole.n.02', depth: 1, minTokens: 8, shuffles: 10 });
    expect(few.edges[0].verdict).toMatchObject({ kind: 'too-few-shuffles', needed: 19 });
  });

  it('places tokens so a concept’s words sit at ‖ℓ̄‖ on its own axis on average, and features as unit directions × √d', async () => {
    const plane = await call('concepts.plane', {
      modelId,
      saeId,
      x: 'wn:artifact.n.01',
      y: 'wn:instrumentality.n.03',
      yMinus: 'wn:artifact.n.01',
      orthogonalize: true,
      highlight: ['wn:structure.n.01'],
    });
    expect(plane.y.label).toBe('ℓ̄(instrumentality) − ℓ̄(artifact), orthogonalised against x');
    expect(plane.cloud.n).toBe(4096);
    const xy = float32s(plane.cloud.xy);
    const artifact = plane.groups.findIndex((g) => g.ref === 'wn:artifact.n.01');
    const instrument = plane.groups.findIndex((g) => g.ref === 'wn:instrumentality.n.03');
    const structure = plane.groups.findIndex((g) => g.ref === 'wn:structure.n.01');
    const inGroups = (groups: number[]) => plane.cloud.group.flatMap((g, i) => (groups.includes(g) ? [i] : []));
    const artifactWords = inGroups([artifact, instrument, structure]);
    expect(artifactWords.length).toBe(70);
    const meanX = artifactWords.reduce((s, i) => s + xy[2 * i], 0) / artifactWords.length;
    expect(Math.abs(meanX - plane.x.norm) / plane.x.norm).toBeLessThan(1e-4);
    // Instrument words lie above structure words along ℓ̄_instrumentality − ℓ̄_artifact.
    const meanY = (idx: number[]) => idx.reduce((s, i) => s + xy[2 * i + 1], 0) / idx.length;
    expect(meanY(inGroups([instrument]))).toBeGreaterThan(meanY(inGroups([structure])) + 0.5);
    const features = plane.features;
    expect(features?.n).toBe(4096);
    const fxy = float32s(features?.xy ?? '');
    const inPlane = float32s(features?.inPlane ?? '');
    for (let i = 0; i < 4096; i++) {
      expect(Math.hypot(fxy[2 * i], fxy[2 * i + 1]) / 16).toBeCloseTo(inPlane[i], 5);
      expect(inPlane[i]).toBeLessThanOrEqual(1);
    }
  });

  it('ranks features by the cosine of Cov(γ)^(1/2)·d_i with the concept, as a direct computation does', async () => {
    const aligned = await call('concepts.aligned', { saeId, concept: 'wn:person.n.01', limit: 10 });
    expect(aligned.top.map((f) => f.cosine)).toEqual([...aligned.top.map((f) => f.cosine)].sort((a, b) => b - a));
    expect(aligned.bottom[0].cosine).toBeLessThan(aligned.top[9].cosine);
    const cm = await conceptModel(engine.workspace, modelId);
    const tokens = (await call('concepts.hierarchy', { modelId, root: 'person.n.01', depth: 0 })).root;
    expect(tokens.nTokens).toBe(aligned.concept.nTokens);
    const person = await conceptVector(engine.workspace, cm, [
      ...cm.synsets!.tokens(cm.synsets!.wordnet.byName.get('person.n.01')!.offset),
    ]);
    const wDec = loadSae(saePath).wDec;
    const d = 256;
    for (const f of [aligned.top[0], aligned.bottom[0]]) {
      const mapped = new Float64Array(d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) mapped[i] += cm.whitening.unwhiten[i * d + j] * wDec[f.index * d + j];
      const cos = mapped.reduce((s, v, i) => s + v * person.vector[i], 0) / Math.hypot(...mapped) / Math.hypot(...person.vector);
      expect(f.cosine).toBeCloseTo(cos, 5);
    }
  });

  it('saves a word list, says which words are whole-word tokens and why the others are not, and uses it as a concept', async () => {
    const saved = await call('concepts.saveWords', {
      name: 'family',
      words: ['mother', 'father', 'son', 'brother', 'wife', 'husband', 'child', 'girl', 'boy', 'zyzzyva', 'con'],
      modelId,
    });
    expect(saved.match?.missing).toEqual(['zyzzyva', 'con']);
    expect(saved.match?.dropped?.map((d) => d.reason)).toEqual(['pieces', 'word-piece']);
    expect(saved.match?.nTokens).toBeGreaterThanOrEqual(8);
    expect((await call('concepts.lists', {})).map((l) => [l.name, l.match])).toEqual([['family', null]]);
    const plane = await call('concepts.plane', { modelId, x: 'list:family', y: 'wn:person.n.01', maxTokens: 500 });
    expect(plane.x.label).toBe('ℓ̄(family)');
    expect(plane.cloud.n).toBe(500);
    expect(await call('concepts.deleteWords', { name: 'family' })).toEqual({ deleted: true });
  });

  it('refuses concepts with too few tokens, unknown names, a degenerate plane and a bad concept reference, saying why', async () => {
    expect(await reason('concepts.aligned', { saeId, concept: 'wn:bird.n.01', minTokens: 10 })).toBe(
      'failed: concept "bird" has 1 whole-word token in this vocabulary (1 of 1737 words kept); at least 10 are needed (concept)',
    );
    expect(await reason('concepts.plane', { modelId, x: 'list:nope', y: 'wn:animal' })).toBe(
      'not_found: no word list named "nope" in this workspace (x)',
    );
    expect(await reason('concepts.hierarchy', { modelId, root: 'qwxzy' })).toContain('not_found: WordNet has no noun "qwxzy"');
    expect(await reason('concepts.plane', { modelId, x: 'wn:person', y: 'wn:person.n.01' })).toContain('span no plane (y)');
    expect(await reason('concepts.plane', { modelId, x: 'animal', y: 'wn:animal' })).toContain('invalid_params');
  });
});
