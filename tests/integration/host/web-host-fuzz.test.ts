import { connect } from 'node:net';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods, type MethodName } from '../../../native/api/methods.js';
import { mulberry32 } from '../../../native/api/random.js';
import { EngineClient } from '../../../native/host/engine-client.js';
import { startWebHost, type WebHost } from '../../../native/host/web-host.js';
import { Database } from '../../../native/store/database.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';

const methodNames = Object.keys(methods) as MethodName[];

/**
 * A bounded, seeded fuzz of `loupe serve` on loopback: a few thousand random and mutated requests
 * (targets, methods, headers, bodies, params of every contract method). Afterwards the server still
 * answers, the workspace passes integrity_check, and no reply was a 500 other than a deliberate
 * JSON "internal" error with a reason.
 */
const seed = 14;
const requests = 2400;
const rawShare = 0.25;

const dir = tempDir('fuzz');
const engine = new EngineClient();
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
let host: WebHost;
let saeId = 'none';
let modelId = 'none';

beforeAll(async () => {
  const opened = await engine.call('workspace.open', { path: join(dir.path, 'ws') });
  expect(opened.ok).toBe(true);
  const model = await engine.call('models.add', { path: DEMO_MODEL });
  if (!model.ok) throw new Error(JSON.stringify(model.error));
  modelId = (model.result as { id: string }).id;
  const sae = await engine.call('saes.add', {
    path: join(import.meta.dirname, '..', '..', '..', 'resources', 'demo', 'saes', 'brown-mlp0-topk512'),
    modelId,
  });
  if (!sae.ok) throw new Error(JSON.stringify(sae.error));
  saeId = (sae.result as { id: string }).id;
  host = await startWebHost({ engine, staticDir: join(import.meta.dirname, 'static'), port: 0 });
});
afterAll(async () => {
  agent.destroy();
  await host?.close();
  await engine.close();
  dir.cleanup();
});

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

/**
 * Methods that start long work, touch paths outside the workspace, or compute for tens of seconds on
 * the demo model (the concept projections over WordNet) only ever get params their schema refuses:
 * what they do with valid input is their own tests' business, and the fuzz must stay bounded.
 */
const guarded = new Set<string>([
  ...methodNames.filter((m) => methods[m].job),
  'demo.create',
  'workspace.open',
  'models.add',
  'saes.add',
  'concepts.hierarchy',
  'concepts.heatmap',
  'concepts.plane',
  'concepts.aligned',
  'concepts.defaultRoot',
  'concepts.synsets',
]);

function randomString(rng: Rng): string {
  return pick(rng, [
    '',
    'x',
    saeId,
    modelId,
    'brown',
    'brown:ca01',
    'wn:animal.n.01',
    'list:x',
    '../../etc/passwd',
    'a\u0000b',
    'lone \ud800',
    '\udc00',
    '🐈'.repeat(3),
    '"; DROP TABLE jobs; --',
    'NEAR(a b) OR "x',
    '*',
    '%00',
    'x'.repeat(5000),
    '\u202e\u0301',
    'text:/dev/zero',
    '__proto__',
    'constructor',
  ]);
}

function randomValue(rng: Rng, depth = 0): unknown {
  const r = rng();
  if (r < 0.25) return randomString(rng);
  if (r < 0.5) return pick(rng, [0, 1, -1, 2, 7, 0.5, -0.5, 1e308, -1e308, 2 ** 31, 2 ** 53, 4096, 511, 512, 65_536]);
  if (r < 0.6) return pick(rng, [true, false, null]);
  if (depth > 3) return null;
  if (r < 0.8) return Array.from({ length: Math.floor(rng() * 4) }, () => randomValue(rng, depth + 1));
  const keys = [
    'saeId',
    'index',
    'text',
    'label',
    'tags',
    'limit',
    'offset',
    'runId',
    'pair',
    'sort',
    'modelId',
    'root',
    'x',
    'y',
    '__proto__',
    'constructor',
  ];
  return Object.fromEntries(Array.from({ length: Math.floor(rng() * 4) }, () => [pick(rng, keys), randomValue(rng, depth + 1)]));
}

/** A value that could pass for this key, so that calls get past validation into the handlers. */
function plausible(rng: Rng, key: string): unknown {
  const words = ['the', ' cat', 'a\u0000b', 'lone \ud800', '🐈', '-ed', 'NEAR(x', '"quoted"', 'label:x', '%', ''];
  switch (key) {
    case 'saeId':
      return pick(rng, [saeId, saeId, 'nope']);
    case 'modelId':
      return pick(rng, [modelId, modelId, 'nope']);
    case 'saeIds':
      return pick(rng, [[saeId], [saeId, saeId], [saeId, 'nope']]);
    case 'index':
      return Math.floor(rng() * 600);
    case 'root':
      return pick(rng, [{ saeId, index: 3 }, 'animal.n.01', 'wn:animal', 'dog']);
    case 'text':
    case 'token':
    case 'label':
    case 'notes':
    case 'query':
    case 'name':
      return pick(rng, words);
    case 'tags':
      return [pick(rng, words)];
    case 'words':
      return [pick(rng, words), pick(rng, words)];
    case 'limit':
      return 1 + Math.floor(rng() * 50);
    case 'offset':
      return Math.floor(rng() * 1000);
    case 'sort':
      return pick(rng, ['index', 'density', 'maxAct', 'label', 'feature', 'cosine', 'x']);
    case 'labelState':
      return pick(rng, ['any', 'labelled', 'unlabelled', 'x']);
    case 'corpus':
      return pick(rng, ['brown:ca01', 'text:/dev/zero', 'jsonl:/nope#x', 'brown:zz']);
    case 'x':
    case 'y':
    case 'yMinus':
    case 'concept':
      return pick(rng, ['wn:animal.n.01', 'list:x', 'wn:zzz']);
    case 'runId':
      return pick(rng, [1, 2, 999]);
    case 'pair':
      return pick(rng, [0, 1]);
    case 'jobId':
      return pick(rng, ['nope', 'x']);
    default:
      return randomValue(rng);
  }
}

/** Params near a method's shape: its own keys with random values, sometimes a key dropped or added. */
function randomParams(rng: Rng, method: string): unknown {
  const shape = Object.hasOwn(methods, method)
    ? (methods as Record<string, { params: { shape?: Record<string, unknown> } }>)[method].params.shape
    : undefined;
  if (!guarded.has(method) && (!shape || rng() < 0.1)) return randomValue(rng);
  const params: Record<string, unknown> = {};
  for (const key of Object.keys(shape ?? {})) if (rng() < 0.8) params[key] = rng() < 0.7 ? plausible(rng, key) : randomValue(rng);
  if (rng() < 0.1) params[pick(rng, ['bogus', '__proto__', 'extra'])] = 1;
  if (guarded.has(method)) params.bogusKeyTheSchemaRefuses = true;
  return params;
}

function randomBody(rng: Rng): string {
  const method = rng() < 0.85 ? pick(rng, methodNames) : randomValue(rng);
  const body = JSON.stringify({ method, params: randomParams(rng, String(method)) });
  const r = rng();
  if (r < 0.75) return body;
  if (r < 0.8) return body.slice(0, Math.floor(rng() * body.length));
  if (r < 0.82) return '['.repeat(1 + Math.floor(rng() * 5000)) + body;
  if (r < 0.85) {
    const n = 1 + Math.floor(rng() * 200_000);
    return `{"method":${JSON.stringify(method)},"params":{"saeId":${'['.repeat(n)}${']'.repeat(n)}}}`;
  }
  if (r < 0.9) return JSON.stringify(randomValue(rng));
  const bytes = Buffer.from(body);
  for (let i = 0; i < 3; i++) bytes[Math.floor(rng() * bytes.length)] = Math.floor(rng() * 256);
  return bytes.toString('latin1');
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
}

function httpCall(rng: Rng): Promise<Reply> {
  const token = rng() < 0.85 ? host.token : pick(rng, ['', 'x', host.token.slice(1), host.token.toUpperCase()]);
  const headers: Record<string, string> = {
    Host: rng() < 0.9 ? `127.0.0.1:${host.port}` : pick(rng, ['evil.example', `localhost:${host.port}`, '', `127.0.0.1:${host.port + 1}`]),
    'Content-Type': rng() < 0.9 ? 'application/json' : pick(rng, ['text/plain', 'application/json; charset=latin1', 'multipart/form-data']),
  };
  if (rng() < 0.9) headers['X-Loupe-Token'] = token;
  if (rng() < 0.2) headers.Cookie = pick(rng, [`loupe_token=${host.token}`, `loupe_page_${host.port}=x`, 'a=b; ; =;']);
  const path =
    rng() < 0.85
      ? '/api/call'
      : pick(rng, [
          '/api/call?token=' + host.token,
          '/api/calls',
          '/api/events',
          '/',
          '/index.html',
          '/%2e%2e/package.json',
          '/api/call/../call',
        ]);
  const method = rng() < 0.9 ? 'POST' : pick(rng, ['GET', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH']);
  const body = randomBody(rng);
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    // The server closes a connection after a refused oversized body or an unparsable request; a
    // kept-alive socket it closed can also race the next request. Counted as status 0.
    req.on('error', () => resolve({ status: 0, contentType: '', body: '' }));
    req.end(method === 'GET' || method === 'HEAD' ? undefined : body);
  });
}

/** Bytes node's client would refuse to send: broken request lines, odd targets, bad header bytes. */
function rawRequestBytes(rng: Rng): string {
  const target = pick(rng, [
    'http://[/',
    '/api/call',
    '//',
    '/?token=' + host.token,
    '*',
    'http://127.0.0.1/api/events',
    '/\u00ff',
    '/%',
    '/..',
    `/api/call?token=${'%'.repeat(50)}`,
    'x'.repeat(9000),
  ]);
  const method = pick(rng, ['GET', 'POST', 'G\u0000T', 'CONNECT', '', 'BREW']);
  const version = pick(rng, ['HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', '']);
  const lines = [`${method} ${target} ${version}`, `Host: 127.0.0.1:${host.port}`];
  if (rng() < 0.5) lines.push(`X-Loupe-Token: ${host.token}`);
  if (rng() < 0.3)
    lines.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  if (rng() < 0.2)
    lines.push(
      pick(rng, [
        'Content-Length: -1',
        'Content-Length: 99999999999',
        'Transfer-Encoding: chunked',
        'Bad\u0001Header: x',
        'X: \u00ff\u00fe',
      ]),
    );
  const body = rng() < 0.5 ? randomBody(rng) : '';
  if (rng() < 0.5) lines.push(`Content-Length: ${Buffer.byteLength(body)}`, 'Content-Type: application/json');
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

function rawExchange(bytes: string): Promise<Reply> {
  return new Promise((resolve) => {
    const socket = connect(host.port, '127.0.0.1', () => socket.end(Buffer.from(bytes, 'latin1')));
    let reply = '';
    const done = () => {
      const [head = '', ...rest] = reply.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      const contentType = /content-type: *([^\r\n]*)/i.exec(head)?.[1] ?? '';
      resolve({ status, contentType, body: rest.join('\r\n\r\n') });
    };
    socket.setTimeout(20_000, () => socket.destroy());
    socket.on('data', (c: Buffer) => (reply += c.toString('latin1')));
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

/** A 500 is allowed only as a deliberate engine error: JSON, code "internal", with a reason. */
function deliberateInternal(reply: Reply): boolean {
  if (!reply.contentType.startsWith('application/json')) return false;
  try {
    const body = JSON.parse(reply.body) as { ok?: boolean; error?: { code?: string; reason?: string } };
    return body.ok === false && body.error?.code === 'internal' && typeof body.error.reason === 'string' && body.error.reason.length > 0;
  } catch {
    return false;
  }
}

describe('loupe serve under a seeded fuzz of requests', () => {
  it(`answers ${requests} random and mutated requests without a stray 500, and keeps a sound workspace`, async () => {
    const rng = mulberry32(seed);
    const statuses = new Map<number, number>();
    const stray: string[] = [];
    const internals: string[] = [];
    const batch = 4;
    for (let sent = 0; sent < requests; sent += batch) {
      const work = Array.from({ length: batch }, () => {
        if (rng() < rawShare) {
          const bytes = rawRequestBytes(rng);
          return rawExchange(bytes).then((reply) => ({ reply, what: bytes.slice(0, 200) }));
        }
        const local = mulberry32(Math.floor(rng() * 2 ** 32));
        return httpCall(local).then((reply) => ({ reply, what: `http call ${sent}` }));
      });
      for (const { reply, what } of await Promise.all(work)) {
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.status >= 500) {
          if (deliberateInternal(reply)) internals.push(reply.body.slice(0, 300));
          else stray.push(`${reply.status} ${reply.contentType} ${reply.body.slice(0, 200)} ← ${JSON.stringify(what)}`);
        }
      }
    }
    console.info(
      'fuzz replies by status:',
      Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])),
      `deliberate internal errors: ${internals.length}`,
    );
    expect(stray).toEqual([]);
    expect(internals).toEqual([]);
    // Every request was answered with an HTTP status (0: the socket closed without one).
    expect([...statuses.keys()].filter((s) => s !== 0).length).toBeGreaterThan(3);

    const info = await engine.call('workspace.info', {});
    expect(info.ok).toBe(true);
    const alive = await httpCallExact('workspace.info');
    expect(alive.status).toBe(200);
    const db = new Database(join(dir.path, 'ws', 'loupe.db'), { readonly: true });
    try {
      expect(db.integrityCheck()).toEqual(['ok']);
    } finally {
      db.close();
    }
  });
});

function httpCallExact(method: MethodName): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        path: '/api/call',
        method: 'POST',
        headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json', 'X-Loupe-Token': host.token },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type']),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ method, params: {} }));
  });
}
