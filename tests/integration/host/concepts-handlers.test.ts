import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName, ParamsOf, ResultOf } from '../../../native/api/methods.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { conceptModel } from '../../../native/maps/concepts/service/model.js';
import { conceptVector } from '../../../native/maps/concepts/service/vectors.js';
import { loadSae } from '../../../native/sae/index.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('concepts-handlers');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
const saePath = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo', 'saes', 'brown-mlp0-topk4096');
let modelId = '';
let saeId = '';

async function call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
  const response = await router.call(method, params);
  if (!response.ok) throw new Error(`${method} failed: ${JSON.stringify(response.error)}`);
  return response.result as ResultOf<M>;
}

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
    expect(roots.map((r) => r.ref)).toEqual(expect.arrayContaining(['wn:organism.n.01', 'wn:person.n.01', 'wn:animal.n.01']));
    expect(roots.every((r) => r.children >= 2 && r.enough)).toBe(true);
    const found = await call('concepts.synsets', { modelId, query: 'anima', limit: 5 });
    expect(found[0]).toMatchObject({ ref: 'wn:animal.n.01', name: 'animal', nTokens: 50, enough: true });
  });

  it('cuts organism into person, animal and plant, and animal into mammal and bird, with word counts', async () => {
    const tree = await call('concepts.hierarchy', { modelId, root: 'organism', depth: 2, minTokens: 8 });
    expect(tree.root).toMatchObject({ ref: 'wn:organism.n.01', nTokens: 308, enough: true });
    expect(tree.root.children.map((c) => c.name)).toEqual(['person', 'animal', 'plant']);
    const animal = tree.root.children[1];
    expect(animal.children.map((c) => [c.name, c.nTokens])).toEqual([['mammal', 26], ['bird', 9]]);
    expect(animal.found).toBeLessThanOrEqual(animal.words);
    expect(animal.refused[0]).toMatchObject({ name: 'aquatic vertebrate', nTokens: 6 });
    expect(animal.sample).toHaveLength(12);
    expect(animal.sample.every((t) => t.startsWith(' '))).toBe(true);
  });

  it('draws the heat map: unit diagonal, symmetric, differences undefined at the root, one edge per child with a baseline', async () => {
    const map = await call('concepts.heatmap', { modelId, root: 'animal.n.01', depth: 1, minTokens: 8, shuffles: 6 });
    const n = map.concepts.length;
    expect(map.concepts.map((c) => c.name)).toEqual(['animal', 'mammal', 'bird']);
    for (let i = 0; i < n; i++) {
      expect(map.cosines[i * n + i]).toBeCloseTo(1, 12);
      for (let j = 0; j < n; j++) expect(map.cosines[i * n + j]).toBe(map.cosines[j * n + i]);
    }
    expect(map.differences.slice(0, n)).toEqual([null, null, null]);
    expect(map.edges.map((e) => [e.parent, e.child])).toEqual([[0, 1], [0, 2]]);
    for (const e of map.edges) expect(e.baseline?.n).toBe(6);
  });

  it('places tokens so a concept’s words sit at ‖ℓ̄‖ on its own axis on average, and features as unit directions × √d', async () => {
    const plane = await call('concepts.plane', { modelId, saeId, x: 'wn:animal.n.01', y: 'wn:mammal.n.01', yMinus: 'wn:animal.n.01', orthogonalize: true, highlight: ['wn:bird.n.01'] });
    expect(plane.y.label).toBe('ℓ̄(mammal) − ℓ̄(animal), orthogonalised against x');
    expect(plane.cloud.n).toBe(4096);
    const xy = float32s(plane.cloud.xy);
    const animal = plane.groups.findIndex((g) => g.ref === 'wn:animal.n.01');
    const mammal = plane.groups.findIndex((g) => g.ref === 'wn:mammal.n.01');
    const bird = plane.groups.findIndex((g) => g.ref === 'wn:bird.n.01');
    const inGroups = (groups: number[]) => plane.cloud.group.flatMap((g, i) => (groups.includes(g) ? [i] : []));
    const animalWords = inGroups([animal, mammal, bird]);
    expect(animalWords.length).toBe(50);
    const meanX = animalWords.reduce((s, i) => s + xy[2 * i], 0) / animalWords.length;
    expect(Math.abs(meanX - plane.x.norm) / plane.x.norm).toBeLessThan(1e-4);
    // Mammal words lie above bird words along ℓ̄_mammal − ℓ̄_animal.
    const meanY = (idx: number[]) => idx.reduce((s, i) => s + xy[2 * i + 1], 0) / idx.length;
    expect(meanY(inGroups([mammal]))).toBeGreaterThan(meanY(inGroups([bird])) + 0.5);
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
    const person = await conceptVector(engine.workspace, cm, [...cm.synsets!.tokens(cm.synsets!.wordnet.byName.get('person.n.01')!.offset)]);
    const wDec = loadSae(saePath).wDec;
    const d = 256;
    for (const f of [aligned.top[0], aligned.bottom[0]]) {
      const mapped = new Float64Array(d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) mapped[i] += cm.whitening.unwhiten[i * d + j] * wDec[f.index * d + j];
      const cos = mapped.reduce((s, v, i) => s + v * person.vector[i], 0) / Math.hypot(...mapped) / Math.hypot(...person.vector);
      expect(f.cosine).toBeCloseTo(cos, 5);
    }
  });

  it('saves a word list, says which words are single tokens, and uses it as a concept', async () => {
    const saved = await call('concepts.saveWords', { name: 'family', words: ['mother', 'father', 'son', 'brother', 'wife', 'husband', 'child', 'girl', 'boy', 'zyzzyva'], modelId });
    expect(saved.match?.missing).toEqual(['zyzzyva']);
    expect(saved.match?.nTokens).toBeGreaterThanOrEqual(8);
    expect((await call('concepts.lists', {})).map((l) => [l.name, l.match])).toEqual([['family', null]]);
    const plane = await call('concepts.plane', { modelId, x: 'list:family', y: 'wn:person.n.01', maxTokens: 500 });
    expect(plane.x.label).toBe('ℓ̄(family)');
    expect(plane.cloud.n).toBe(500);
    expect(await call('concepts.deleteWords', { name: 'family' })).toEqual({ deleted: true });
  });

  it('refuses concepts with too few tokens, unknown names, a degenerate plane and a bad concept reference, saying why', async () => {
    expect(await reason('concepts.aligned', { saeId, concept: 'wn:bird.n.01', minTokens: 10 })).toBe(
      'failed: concept "bird" has 9 single-token word forms in this vocabulary (8 of 1737 words found); at least 10 are needed (concept)',
    );
    expect(await reason('concepts.plane', { modelId, x: 'list:nope', y: 'wn:animal' })).toBe('not_found: no word list named "nope" in this workspace (x)');
    expect(await reason('concepts.hierarchy', { modelId, root: 'qwxzy' })).toContain('not_found: WordNet has no noun "qwxzy"');
    expect(await reason('concepts.plane', { modelId, x: 'wn:animal', y: 'wn:animal.n.01' })).toContain('span no plane (y)');
    expect(await reason('concepts.plane', { modelId, x: 'animal', y: 'wn:animal' })).toContain('invalid_params');
  });
});
