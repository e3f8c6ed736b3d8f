import { createHash } from 'node:crypto';
import { bytesOf, float32FromBlob } from './blob-codec.js';
import { StoreValueError, count, finite } from './checks.js';
import type { MapQuality } from '../api/types.js';
import type { Database } from './database.js';

/** How a map was computed; all of it goes into the map's key. */
export interface MapParams {
  /** Names the kNN and layout code, so a change to either gets new maps instead of old cached ones. */
  algorithm: string;
  /** UMAP's n_neighbors, the point itself included (umap-learn's convention). */
  nNeighbors: number;
  minDist: number;
  seed: number;
  nEpochs: number;
}

/** A map to store: each SAE's coordinates in the order of `saeIds`. */
export interface NewMap {
  key: string;
  saeIds: string[];
  params: MapParams;
  createdAt: string;
  /** per SAE id: [dSae, 2] row-major (x, y) of each feature, in [0, 1]² */
  points: Map<string, Float32Array>;
  /** measured when the map was made; null for maps stored before migration 12 */
  quality?: MapQuality | null;
}

export interface StoredMap extends NewMap {
  id: number;
}

interface MapRow {
  id: number;
  key: string;
  sae_ids_json: string;
  params_json: string;
  created_at: string;
  quality_json: string | null;
}

interface MapPointsRow {
  sae_id: string;
  n_points: number;
  xy: Uint8Array;
}

/** An SAE as a map's key sees it: the fingerprint changes when its weights do. */
export interface MapSae {
  id: string;
  fingerprint: string;
}

/**
 * The cache key of a map: the SAE ids (readable, for people looking at the table) and a hash of the
 * ids, fingerprints and parameters. SAEs in a joint map are sorted, so A+B and B+A are one map.
 */
export function mapKey(saes: readonly MapSae[], params: MapParams): string {
  const sorted = [...saes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { algorithm, nNeighbors, minDist, seed, nEpochs } = params;
  const canonical = JSON.stringify({
    saes: sorted.map((s) => [s.id, s.fingerprint]),
    params: [algorithm, nNeighbors, minDist, seed, nEpochs],
  });
  return `${sorted.map((s) => s.id).join('+')}@${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

export function toRow(map: NewMap): { map: Omit<MapRow, 'id'>; points: MapPointsRow[] } {
  if (map.saeIds.length === 0) throw new StoreValueError(`map ${map.key}: no SAEs`);
  if (new Set(map.saeIds).size !== map.saeIds.length)
    throw new StoreValueError(`map ${map.key}: an SAE is listed twice in [${map.saeIds.join(', ')}]`);
  const extra = [...map.points.keys()].filter((id) => !map.saeIds.includes(id));
  if (extra.length > 0) throw new StoreValueError(`map ${map.key}: points for ${extra.join(', ')}, which is not among its SAEs`);
  const p = map.params;
  const params: MapParams = {
    algorithm: p.algorithm,
    nNeighbors: count(p.nNeighbors, `map ${map.key} nNeighbors`),
    minDist: finite(p.minDist, `map ${map.key} minDist`),
    seed: count(p.seed, `map ${map.key} seed`),
    nEpochs: count(p.nEpochs, `map ${map.key} nEpochs`),
  };
  const points = map.saeIds.map((saeId) => {
    const xy = map.points.get(saeId);
    if (!xy) throw new StoreValueError(`map ${map.key}: no points for SAE ${saeId}`);
    if (xy.length % 2 !== 0) throw new StoreValueError(`map ${map.key}, SAE ${saeId}: ${xy.length} values are not (x, y) pairs`);
    for (let i = 0; i < xy.length; i++) finite(xy[i], `map ${map.key}, SAE ${saeId}, feature ${i >> 1} ${i % 2 ? 'y' : 'x'}`);
    return { sae_id: saeId, n_points: xy.length / 2, xy: bytesOf(xy) };
  });
  return {
    map: {
      key: map.key,
      sae_ids_json: JSON.stringify(map.saeIds),
      params_json: JSON.stringify(params),
      created_at: map.createdAt,
      quality_json: map.quality ? JSON.stringify(map.quality) : null,
    },
    points,
  };
}

export function fromRow(row: MapRow, pointRows: readonly MapPointsRow[]): StoredMap {
  const saeIds = JSON.parse(row.sae_ids_json) as string[];
  const byId = new Map(pointRows.map((r) => [r.sae_id, r]));
  const points = new Map<string, Float32Array>();
  for (const saeId of saeIds) {
    const r = byId.get(saeId);
    if (!r) throw new StoreValueError(`map ${row.key}: no stored points for SAE ${saeId}`);
    points.set(saeId, float32FromBlob(r.xy, `map ${row.key}, SAE ${saeId} points`));
  }
  const quality = row.quality_json === null ? null : (JSON.parse(row.quality_json) as MapQuality);
  return {
    id: row.id,
    key: row.key,
    saeIds,
    params: JSON.parse(row.params_json) as MapParams,
    createdAt: row.created_at,
    points,
    ...(quality ? { quality } : {}),
  };
}

/** One statement per read, so a map and its points come from one snapshot even while a job writes. */
const selectWithPoints = `SELECT m.id, m.key, m.sae_ids_json, m.params_json, m.created_at, m.quality_json, p.sae_id, p.n_points, p.xy
  FROM maps m JOIN map_points p ON p.map_id = m.id`;

type JoinedRow = MapRow & MapPointsRow;

/** Reads and writes `maps` and `map_points`. */
export class MapsTable {
  constructor(private readonly db: Database) {}

  getByKey(key: string): StoredMap | undefined {
    return joined(this.db.all<JoinedRow>(`${selectWithPoints} WHERE m.key = ?`, [key]));
  }

  /** The newest map of exactly these SAEs (in any order), whatever its parameters. */
  latestFor(saeIds: readonly string[]): StoredMap | undefined {
    const sorted = JSON.stringify([...saeIds].sort());
    return joined(
      this.db.all<JoinedRow>(
        `${selectWithPoints} WHERE m.id = (SELECT id FROM maps WHERE sae_ids_json = ? ORDER BY created_at DESC, id DESC LIMIT 1)`,
        [sorted],
      ),
    );
  }

  /** Stores a map and all its points in one transaction, replacing a map with the same key. */
  put(map: NewMap): StoredMap {
    const sorted: NewMap = { ...map, saeIds: [...map.saeIds].sort() };
    const { map: row, points } = toRow(sorted);
    const id = this.db.transaction(() => {
      this.db.run('DELETE FROM maps WHERE key = ?', [row.key]);
      const inserted = this.db.run('INSERT INTO maps (key, sae_ids_json, params_json, created_at, quality_json) VALUES (?, ?, ?, ?, ?)', [
        row.key,
        row.sae_ids_json,
        row.params_json,
        row.created_at,
        row.quality_json,
      ]);
      const mapId = Number(inserted.lastInsertRowid);
      for (const p of points)
        this.db.run('INSERT INTO map_points (map_id, sae_id, n_points, xy) VALUES (?, ?, ?, ?)', [mapId, p.sae_id, p.n_points, p.xy]);
      return mapId;
    });
    return { ...sorted, id };
  }

  delete(id: number): boolean {
    return this.db.run('DELETE FROM maps WHERE id = ?', [id]).changes > 0;
  }
}

function joined(rows: JoinedRow[]): StoredMap | undefined {
  return rows.length === 0 ? undefined : fromRow(rows[0], rows);
}
