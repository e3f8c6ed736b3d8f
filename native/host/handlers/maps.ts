import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

export function mapHandlers(engine: Engine): Pick<Handlers, 'maps.compute' | 'maps.get'> {
  return {
    'maps.compute': (params) => engine.runner.start('maps.compute', params),
    'maps.get': ({ saeIds }) => {
      const map = engine.workspace.maps.latestFor(saeIds);
      if (!map) return null;
      return {
        mapId: map.id,
        key: map.key,
        saeIds: map.saeIds,
        params: map.params,
        createdAt: map.createdAt,
        points: map.saeIds.map((saeId) => {
          const xy = map.points.get(saeId) ?? new Float32Array(0);
          return { saeId, nPoints: xy.length / 2, xy: Buffer.from(xy.buffer, xy.byteOffset, xy.byteLength).toString('base64') };
        }),
        quality: map.quality ?? null,
      };
    },
  };
}
