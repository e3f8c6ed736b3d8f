import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods, type MethodName } from '../../../native/api/methods.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { tempDir } from '../../helpers/tmp.js';

const methodNames = Object.keys(methods) as MethodName[];

const dir = tempDir('contract');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));

beforeAll(async () => {
  await engine.open(join(dir.path, 'ws'));
});
afterAll(async () => {
  await engine.close();
  dir.cleanup();
});

describe('the contract refuses bad params with a structured error', () => {
  const cases: [string, unknown, unknown, string, RegExp][] = [
    ['a number for a string', 'workspace.open', { path: 42 }, 'path', /expected string/i],
    ['an empty string', 'workspace.open', { path: '' }, 'path', /too small/i],
    ['a missing field', 'workspace.open', {}, 'path', /expected string/i],
    ['an unknown extra field', 'workspace.info', { extra: true }, 'extra', /unrecognized key/i],
    ['params that are an array', 'jobs.list', [1, 2], '(params)', /expected object/i],
    ['params that are a string', 'models.list', 'all', '(params)', /expected object/i],
    ['a fraction where an integer is needed', 'jobs.list', { limit: 2.5 }, 'limit', /expected int/i],
    ['a number out of range', 'jobs.list', { limit: 100000 }, 'limit', /too big/i],
    ['NaN smuggled as a number', 'engine.measureMatmul', { seconds: Number.NaN }, 'seconds', /expected number/i],
    ['an enum value that does not exist', 'jobs.list', { states: ['running', 'exploded'] }, 'states.[1]', /invalid option/i],
    ['a wrong element type in an array', 'jobs.list', { states: [7] }, 'states.[0]', /invalid option/i],
    ['an overlong id', 'jobs.cancel', { jobId: 'x'.repeat(500) }, 'jobId', /too big/i],
    ['a prototype-polluting key', 'saes.list', JSON.parse('{"__proto__": {"polluted": 1}}'), '__proto__', /unrecognized key/i],
  ];
  for (const [what, method, params, field, reason] of cases) {
    it(`${method} refuses ${what}`, async () => {
      const response = await router.call(method, params);
      expect(response.ok).toBe(false);
      if (response.ok) return;
      expect(response.error).toMatchObject({ code: 'invalid_params', method, field });
      expect(response.error.reason).toMatch(reason);
    });
  }

  it('refuses an unknown method by name', async () => {
    const response = await router.call('workspace.delete', {});
    expect(response).toEqual({
      ok: false,
      error: { code: 'unknown_method', method: 'workspace.delete', reason: 'unknown method "workspace.delete"' },
    });
  });

  it('refuses a method name that is not a string', async () => {
    const response = await router.call({ toString: () => 'workspace.info' }, {});
    expect(response.ok).toBe(false);
    if (!response.ok) expect(response.error.code).toBe('unknown_method');
  });

  it('refuses names inherited from Object.prototype', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const response = await router.call(name, {});
      expect(response.ok ? 'ok' : response.error.code).toBe('unknown_method');
    }
  });

  it('declares the params of every method as a strict object, so an extra key is refused', async () => {
    for (const method of methodNames) {
      const params = methods[method].params as unknown as {
        _zod: { def: { type: string; catchall?: { _zod: { def: { type: string } } } } };
      };
      expect(params._zod.def.type, method).toBe('object');
      expect(params._zod.def.catchall?._zod.def.type, `${method} must use z.strictObject`).toBe('never');
    }
    // and the router reports the extra key as the field, for a method whose other params are all optional
    const response = await router.call('jobs.list', { notInTheContract: 1 });
    expect(response.ok ? 'ok' : response.error).toMatchObject({ code: 'invalid_params', method: 'jobs.list', field: 'notInTheContract' });
  });

  it('runs no service when params are invalid', async () => {
    const target = join(dir.path, 'should-not-exist');
    const response = await router.call('workspace.open', { path: target, create: true });
    expect(response.ok).toBe(false);
    expect(existsSync(target)).toBe(false);
    expect((await router.call('jobs.list', {})).ok).toBe(true);
    const jobs = await router.call('engine.measureMatmul', { seconds: 1e9 });
    expect(jobs.ok).toBe(false);
    const list = await router.call('jobs.list', {});
    expect(list.ok && list.result).toEqual([]);
  });
});

describe('service failures come back structured', () => {
  it('cancelling a job that does not exist names the field', async () => {
    const response = await router.call('jobs.cancel', { jobId: 'nope' });
    expect(response).toEqual({
      ok: false,
      error: { code: 'not_found', method: 'jobs.cancel', field: 'jobId', reason: 'no job with id "nope"' },
    });
  });

  it('a call before any workspace is open says so', async () => {
    const fresh = new Router(createHandlers(new Engine(() => {})));
    const response = await fresh.call('models.list', {});
    expect(response.ok ? 'ok' : response.error.code).toBe('no_workspace');
  });

  it('opening a non-empty folder that is not a workspace is refused and leaves it untouched', async () => {
    const response = await router.call('workspace.open', { path: join(import.meta.dirname) });
    expect(response.ok ? 'ok' : response.error).toMatchObject({ code: 'conflict', field: 'path' });
    expect(existsSync(join(import.meta.dirname, 'loupe.db'))).toBe(false);
  });
});
