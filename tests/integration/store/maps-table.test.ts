import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../native/api/types.js';
import type { ComputeMapResult } from '../../../native/jobs/kinds/compute-map.js';
import { JobRunner } from '../../../native/jobs/runner.js';
import { Database } from '../../../native/store/database.js';
import { MapsTable, fromRow, mapKey, toRow } from '../../../native/store/maps-table.js';
import type { MapParams, NewMap } from '../../../native/store/maps-table.js';
import { migrations } from '../../../native/store/migrations.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { FIXTURES } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { withDatabase } from '../../helpers/workspace-database.js';

const dir = tempDir('maps');
afterAll(() => dir.cleanup());
let n = 0;
let ws: Workspace;
let maps: MapsTable;

beforeEach((context) => {
  ws = openWorkspace(join(dir.path, `ws-${++n}`));
  maps = ws.maps;
  context.onTestFinished(() => ws.close());
});

const params: MapParams = { algorithm: 'test/v1', nNeighbors: 15, minDist: 0.1, seed: 42, nEpochs: 500 };
/** [count, 2] distinct float32 coordinates in [0, 1]² (not all exactly representable in float64 decimals) */
const coords = (count: number, salt: number) =>
  Float32Array.from({ length: 2 * count }, (_, i) => ((i * 7919 + salt * 104729) % 10007) / 10007);
const newMap = (key: string, points: Record<string, Float32Array>, createdAt = '2024-05-01T10:00:00.000Z'): NewMap => ({
  key,
  saeIds: Object.keys(points),
  params,
  createdAt,
  points: new Map(Object.entries(points)),
});

/** Registers an SAE the way the SAE catalog does, pointing at a real file. */
function registerSae(
  ws: Workspace,
  id: string,
  path: string,
  dSae: number,
  hook = 'blocks.1.hook_resid_pre',
  fingerprint = `fp-${id}`,
): void {
  ws.saes.insert({
    id,
    name: id,
    path,
    format: 'saelens',
    modelId: null,
    hookName: hook,
    dIn: 64,
    dSae,
    activation: 'relu',
    k: null,
    fingerprint,
    addedAt: '2024-01-01T00:00:00.000Z',
    config: {},
  });
}

describe('maps table', () => {
  it('round trips a map through toRow and fromRow, bit for bit', () => {
    const map = newMap('a+b@1', { a: coords(5, 1), b: coords(3, 2) });
    const { map: row, points } = toRow(map);
    expect(fromRow({ id: 9, ...row }, points)).toEqual({ ...map, id: 9 });
    expect(() => toRow(newMap('x', { a: Float32Array.of(0.5, NaN) }))).toThrow(
      'map x, SAE a, feature 0 y must be a finite number, got NaN',
    );
    expect(() => toRow(newMap('x', { a: Float32Array.of(0.5) }))).toThrow('1 values are not (x, y) pairs');
    expect(() => toRow({ ...newMap('x', { a: coords(2, 1) }), saeIds: ['a', 'b'] })).toThrow('map x: no points for SAE b');
  });

  it('stores a joint map in one put and reads it back by key and by its SAEs in any order', () => {
    const a = coords(32_768, 1);
    const b = coords(4_096, 2);
    const stored = maps.put(newMap('b+a@1', { b, a }));
    expect(stored.saeIds).toEqual(['a', 'b']);
    const byKey = maps.getByKey('b+a@1')!;
    expect(byKey).toEqual(stored);
    expect(byKey.points.get('a')).toEqual(a);
    expect(byKey.points.get('b')).toEqual(b);
    expect(maps.latestFor(['b', 'a'])?.id).toBe(stored.id);
    expect(maps.latestFor(['a'])).toBeUndefined();
    expect(maps.getByKey('nope')).toBeUndefined();
  });

  it('replaces a map with the same key, keeps the newest per SAE set, and deletes points with their map', () => {
    const first = maps.put(newMap('a@1', { a: coords(4, 1) }, '2024-05-01T00:00:00.000Z'));
    const other = maps.put(newMap('a@2', { a: coords(4, 2) }, '2024-05-02T00:00:00.000Z'));
    expect(maps.latestFor(['a'])?.key).toBe('a@2');
    const again = maps.put(newMap('a@1', { a: coords(4, 3) }, '2024-05-03T00:00:00.000Z'));
    expect(again.id).not.toBe(first.id);
    expect(maps.getByKey('a@1')?.points.get('a')).toEqual(coords(4, 3));
    expect(maps.latestFor(['a'])?.key).toBe('a@1');
    expect(maps.delete(other.id)).toBe(true);
    expect(withDatabase(ws, (db) => db.get<{ n: number }>('SELECT count(*) AS n FROM map_points'))?.n).toBe(1);
  });

  it('keys a map by its SAEs’ ids and fingerprints and its parameters, not by their order', () => {
    const a = { id: 'a', fingerprint: 'f1' };
    const b = { id: 'b', fingerprint: 'f2' };
    const key = mapKey([a, b], params);
    expect(key).toMatch(/^a\+b@[0-9a-f]{16}$/);
    expect(mapKey([b, a], params)).toBe(key);
    expect(mapKey([a, { ...b, fingerprint: 'f3' }], params)).not.toBe(key);
    expect(mapKey([a, b], { ...params, seed: 1 })).not.toBe(key);
    expect(mapKey([a, b], { ...params, algorithm: 'test/v2' })).not.toBe(key);
  });

  it('upgrades a version 2 workspace, keeping its SAEs, jobs and labels', () => {
    const path = join(dir.path, 'old');
    const file = join(path, 'loupe.db');
    openWorkspace(path).close();
    writeFileSync(file, '');
    const db = new Database(file);
    for (const m of migrations.filter((m) => m.version <= 2)) db.exec(m.sql);
    db.exec('PRAGMA user_version = 2');
    db.run(
      `INSERT INTO saes (id, name, path, format, model_id, hook_name, d_in, d_sae, activation, k, config_json, fingerprint, added_at)
       VALUES ('old-sae', 'old-sae', '/saes/old', 'saelens', NULL, 'blocks.1.hook_resid_pre', 64, 32, 'relu', NULL, '{}', 'fp-old-sae', '2024-01-01T00:00:00.000Z')`,
    );
    db.run(`INSERT INTO jobs (id, kind, title, params_json, state, created_at) VALUES ('j1', 'index', 'old', '{}', 'done', '2024-01-01')`);
    db.run(
      `INSERT INTO feature_labels (sae_id, feature, label, notes, updated_at, updated_by) VALUES ('old-sae', 3, 'kept', '', '2024-01-01', 'ada')`,
    );
    db.close();

    const upgraded = openWorkspace(path);
    try {
      expect(upgraded.schemaVersion).toBe(migrations[migrations.length - 1].version);
      expect(upgraded.saes.list().map((s) => s.id)).toEqual(['old-sae']);
      expect(upgraded.jobs.get('j1')?.state).toBe('done');
      expect(
        withDatabase(upgraded, (db) =>
          db.get<{ label: string }>(`SELECT label FROM feature_labels WHERE sae_id = 'old-sae' AND feature = 3`),
        )?.label,
      ).toBe('kept');
      const table = upgraded.maps;
      table.put(newMap('old-sae@1', { 'old-sae': coords(32, 1) }));
      expect(table.latestFor(['old-sae'])?.points.get('old-sae')).toEqual(coords(32, 1));
      expect(withDatabase(upgraded, (db) => db.integrityCheck())).toEqual(['ok']);
    } finally {
      upgraded.close();
    }
  });
});

describe('the maps.compute job', () => {
  it('maps two fixture SAEs jointly in a worker, then serves the same map from the store', async () => {
    registerSae(ws, 'relu', join(FIXTURES, 'saes', 'saelens-relu'), 512);
    registerSae(ws, 'topk', join(FIXTURES, 'saes', 'saelens-topk'), 1024);
    const events: JobSummary[] = [];
    const runner = new JobRunner(ws.jobs, ws.path, (job) => events.push(job));
    try {
      const first = await runner.start('maps.compute', { saeIds: ['topk', 'relu'], nNeighbors: 10 });
      await runner.whenIdle();
      const done = ws.jobs.get(first.id)!;
      expect(done.error).toBeNull();
      expect(done.state).toBe('done');
      const result = done.result as ComputeMapResult;
      expect(result).toMatchObject({
        saeIds: ['relu', 'topk'],
        cached: false,
        nPoints: 1536,
        params: { nNeighbors: 10, minDist: 0.1, seed: 42, nEpochs: 500 },
      });
      const running = events.filter((e) => e.id === first.id && e.state === 'running').map((e) => e.progress);
      expect(running.length).toBeGreaterThan(3);
      expect([...running].sort((x, y) => x - y)).toEqual(running);

      const map = maps.getByKey(result.key)!;
      expect(map.points.get('relu')).toHaveLength(2 * 512);
      expect(map.points.get('topk')).toHaveLength(2 * 1024);
      for (const xy of map.points.values()) expect(xy.every((v) => v >= 0 && v <= 1)).toBe(true);

      const second = await runner.start('maps.compute', { saeIds: ['relu', 'topk'], nNeighbors: 10 });
      await runner.whenIdle();
      expect(ws.jobs.get(second.id)?.result).toEqual({ ...result, cached: true });
    } finally {
      await runner.close();
    }
  });

  it('fails with a message naming the SAE when one is unknown or on another hook', async () => {
    registerSae(ws, 'relu', join(FIXTURES, 'saes', 'saelens-relu'), 512);
    registerSae(ws, 'elsewhere', join(FIXTURES, 'saes', 'saelens-topk'), 1024, 'blocks.0.hook_resid_post');
    const runner = new JobRunner(ws.jobs, ws.path, () => {});
    try {
      const unknown = await runner.start('maps.compute', { saeIds: ['relu', 'ghost'] });
      const mixed = await runner.start('maps.compute', { saeIds: ['relu', 'elsewhere'] });
      await runner.whenIdle();
      expect(ws.jobs.get(unknown.id)).toMatchObject({ state: 'failed', error: 'no SAE with id "ghost" in this workspace' });
      expect(ws.jobs.get(mixed.id)?.error).toMatch(
        /SAE relu reads blocks\.1\.hook_resid_pre .* and SAE elsewhere blocks\.0\.hook_resid_post/,
      );
    } finally {
      await runner.close();
    }
  });
});
