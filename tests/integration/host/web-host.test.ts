import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { migrations } from '../../../native/store/migrations.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EngineClient } from '../../../native/host/engine-client.js';
import { startWebHost, type WebHost } from '../../../native/host/web-host.js';
import { rawRequest } from '../../helpers/http.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('webhost');
const engine = new EngineClient();
let host: WebHost;

/** POSTs `body` as it is to /api/call, as JSON from our own host unless `headers` say otherwise. */
function post(body: string, headers: Record<string, string> = {}) {
  return rawRequest({
    port: host.port,
    path: '/api/call',
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Host: `127.0.0.1:${host.port}`, ...headers },
    body,
  });
}

function call(method: string, params: unknown, headers: Record<string, string> = {}) {
  return post(JSON.stringify({ method, params }), headers);
}

function openSocket(path: string, headers: Record<string, string>): Promise<{ socket: WebSocket; status: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, { headers });
    socket.on('open', () => resolve({ socket, status: 101 }));
    socket.on('unexpected-response', (_req, res) => resolve({ socket, status: res.statusCode ?? 0 }));
    socket.on('error', () => resolve({ socket, status: -1 }));
  });
}

beforeAll(async () => {
  const opened = await engine.call('workspace.open', { path: join(dir.path, 'ws') });
  expect(opened.ok).toBe(true);
  host = await startWebHost({ engine, staticDir: join(import.meta.dirname, 'static'), port: 0 });
});
afterAll(async () => {
  await host.close();
  await engine.close();
  dir.cleanup();
});

describe('loupe serve refuses what is not ours', () => {
  it('refuses a call without the token', async () => {
    const response = await call('workspace.info', {});
    expect(response.status).toBe(403);
    expect(response.body).toMatch(/missing or wrong token/);
  });

  it('refuses a call with a wrong token of the right length', async () => {
    const wrong = host.token.replace(/./, (c) => (c === 'a' ? 'b' : 'a'));
    expect((await call('workspace.info', {}, { 'X-Loupe-Token': wrong })).status).toBe(403);
  });

  it('answers a call with the token in the header or the query, never from a cookie', async () => {
    const viaHeader = await call('workspace.info', {}, { 'X-Loupe-Token': host.token });
    expect(viaHeader.status).toBe(200);
    expect(JSON.parse(viaHeader.body)).toMatchObject({
      ok: true,
      result: { name: 'ws', schemaVersion: migrations[migrations.length - 1].version },
    });
    const viaQuery = await rawRequest({
      port: host.port,
      path: `/api/call?token=${host.token}`,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Host: `127.0.0.1:${host.port}` },
      body: JSON.stringify({ method: 'models.list', params: {} }),
    });
    expect(JSON.parse(viaQuery.body)).toEqual({ ok: true, result: [] });
    // Cookies reach every port of 127.0.0.1: a cookie, even one holding the token, never admits a call.
    const viaCookie = await call('models.list', {}, { Cookie: `loupe_token=${host.token}; loupe_page_${host.port}=${host.token}` });
    expect(viaCookie.status).toBe(403);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const response = await call('workspace.info', {}, { 'X-Loupe-Token': host.token, Host: `evil.example:${host.port}` });
    expect(response.status).toBe(403);
    expect(response.body).toMatch(/unexpected Host header/);
  });

  it('listens on loopback only: a non-loopback address of this machine is refused', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) {
      console.warn('no non-loopback IPv4 interface on this machine: checked the bind address instead');
      return;
    }
    await expect(rawRequest({ host: external.address, port: host.port, path: '/' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('returns structured errors for bad bodies', async () => {
    const notJson = await post('{oops', { 'X-Loupe-Token': host.token });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    const invalid = await call('jobs.list', { limit: -1 }, { 'X-Loupe-Token': host.token });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body)).toMatchObject({ ok: false, error: { code: 'invalid_params', method: 'jobs.list', field: 'limit' } });
    const form = await post('{}', { 'Content-Type': 'text/plain', 'X-Loupe-Token': host.token });
    expect(form.status).toBe(415);
    const huge = await call('workspace.open', { path: 'x'.repeat(2 << 20) }, { 'X-Loupe-Token': host.token });
    expect(huge.status).toBe(413);
  });

  it('serves no file outside the renderer folder', async () => {
    for (const path of ['/..%2f..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/static/../../package.json']) {
      const response = await rawRequest({
        port: host.port,
        path,
        headers: { Host: `127.0.0.1:${host.port}`, 'X-Loupe-Token': host.token },
      });
      expect(response.status, path).toBe(404);
    }
  });

  it('sets a strict CSP and a page cookie that admits the renderer files only, not the token', async () => {
    const response = await rawRequest({ port: host.port, path: `/?token=${host.token}`, headers: { Host: `127.0.0.1:${host.port}` } });
    expect(response.status).toBe(200);
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^loupe_page_${host.port}=[0-9a-f]{48}; HttpOnly; SameSite=Strict; Path=/$`));
    expect(setCookie).not.toContain(host.token);
    expect(response.body).toContain('test page');

    // What another service on another port of 127.0.0.1 receives from the browser: this cookie.
    const cookie = setCookie.split(';')[0];
    const page = await rawRequest({ port: host.port, path: '/', headers: { Host: `127.0.0.1:${host.port}`, Cookie: cookie } });
    expect(page.status).toBe(200);
    const apiCall = await call('workspace.info', {}, { Cookie: cookie });
    expect(apiCall.status).toBe(403);
    const socket = await openSocket('/api/events', { Origin: `http://127.0.0.1:${host.port}`, Cookie: cookie });
    expect(socket.status).toBe(403);
    // A wrong token in the query sets no cookie.
    const wrong = await rawRequest({ port: host.port, path: '/?token=nope', headers: { Host: `127.0.0.1:${host.port}`, Cookie: cookie } });
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a WebSocket without the token or from another origin, and streams events to ours', async () => {
    const origin = `http://127.0.0.1:${host.port}`;
    expect((await openSocket('/api/events', { Origin: origin })).status).toBe(403);
    expect((await openSocket(`/api/events?token=${host.token}`, { Origin: 'http://evil.example' })).status).toBe(403);
    const { socket, status } = await openSocket(`/api/events?token=${host.token}`, { Origin: origin });
    expect(status).toBe(101);
    const firstEvent = new Promise<{ event: string; payload: { id: string; kind: string } }>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    const started = JSON.parse((await call('engine.measureMatmul', { seconds: 0.5 }, { 'X-Loupe-Token': host.token })).body) as {
      ok: boolean;
      result: { id: string };
    };
    expect(started.ok).toBe(true);
    const event = await firstEvent;
    expect(event).toMatchObject({ event: 'job.progress', payload: { id: started.result.id, kind: 'engine.measureMatmul' } });
    socket.close();
    await call('jobs.cancel', { jobId: started.result.id }, { 'X-Loupe-Token': host.token });
  });
});

/** Raw bytes over TCP and the first line of the reply: node's http client would refuse these targets itself. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    socket.on('end', () => resolve(reply.split('\r\n')[0]));
    socket.on('close', () => resolve(reply.split('\r\n')[0]));
    socket.on('error', reject);
  });
}

describe('loupe serve survives what a client sends', () => {
  it('answers 400 to request targets that are not URLs, on plain requests and WebSocket upgrades, and keeps answering', async () => {
    const targets = ['http://[/', 'http://[::1', '//[', 'http://a:99999999/', 'http://%zz/'];
    for (const target of targets) {
      const host_ = `Host: 127.0.0.1:${host.port}`;
      expect(await rawExchange(host.port, `GET ${target} HTTP/1.1\r\n${host_}\r\nConnection: close\r\n\r\n`)).toBe(
        'HTTP/1.1 400 Bad Request',
      );
      const upgrade = `GET ${target} HTTP/1.1\r\n${host_}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
      expect(await rawExchange(host.port, upgrade)).toBe('HTTP/1.1 400 Bad Request');
    }
    const after = await call('workspace.info', {}, { 'X-Loupe-Token': host.token });
    expect(after.status).toBe(200);
  });

  it('answers a JSON 400 to a body nested too deep, a method that is not a string, NUL in search text and lone surrogates in labels', async () => {
    const withToken = (body: string) => post(body, { 'X-Loupe-Token': host.token });
    const deep = await withToken(`{"method":"labels.set","params":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    expect(deep.status).toBe(400);
    expect(deep.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(deep.body)).toMatchObject({
      ok: false,
      error: { code: 'invalid_params', reason: expect.stringContaining('nesting deeper than 32') },
    });
    for (const method of [['workspace.info'], 7, null, { name: 'workspace.info' }]) {
      const response = await withToken(JSON.stringify({ method, params: {} }));
      expect(response.status, JSON.stringify(method)).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({
        ok: false,
        error: { code: 'invalid_params', reason: expect.stringContaining('"method" must be a string') },
      });
    }
    const nul = await call('features.search', { saeId: 'any', text: 'a\u0000b' }, { 'X-Loupe-Token': host.token });
    expect(nul.status).toBe(400);
    expect(JSON.parse(nul.body)).toMatchObject({ error: { code: 'invalid_params', field: 'text', reason: 'contains a NUL character' } });
    for (const [field, value] of [
      ['label', 'a\ud800'],
      ['notes', '\udc00b'],
      ['tags', ['ok', 'x\ud83d']],
    ] as const) {
      // JSON.stringify writes a lone surrogate as the escape \udXXX, which JSON.parse turns back into one.
      const response = await call('labels.set', { saeId: 'any', index: 0, [field]: value }, { 'X-Loupe-Token': host.token });
      expect(response.status, field).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({
        error: {
          code: 'invalid_params',
          field: expect.stringMatching(new RegExp(`^${field}`)),
          reason: expect.stringContaining('lone UTF-16 surrogate'),
        },
      });
    }
    // A whole emoji (a surrogate pair) is fine: it gets as far as the SAE lookup.
    const pair = await call('labels.set', { saeId: 'any', index: 0, label: 'cat 🐈' }, { 'X-Loupe-Token': host.token });
    expect(JSON.parse(pair.body)).toMatchObject({ error: { code: 'not_found', field: 'saeId' } });
    expect((await call('workspace.info', {}, { 'X-Loupe-Token': host.token })).status).toBe(200);
  });
});
