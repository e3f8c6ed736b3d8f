import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiErrorCode, ApiResponse } from '../api/errors.js';
import type { EngineClient } from './engine-client.js';
import { parseCallBody } from './call-body.js';
import { resolveStaticFile, sendStaticFile } from './static-files.js';
import {
  contentSecurityPolicy,
  isLoopbackAddress,
  isOurHost,
  isOurOrigin,
  pageCookieName,
  requestCookie,
  requestToken,
  tokensEqual,
} from './web-security.js';

const maxBodyBytes = 1 << 20;

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export interface WebHostOptions {
  engine: EngineClient;
  /** The built renderer; API-only when absent. */
  staticDir: string | null;
  /** 0 picks a free port. */
  port: number;
  token?: string;
}

const statusOf: Record<ApiErrorCode, number> = {
  unknown_method: 404,
  invalid_params: 400,
  no_workspace: 409,
  not_found: 404,
  conflict: 409,
  failed: 422,
  internal: 500,
  unreachable: 503,
};

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify(body));
}

function refuse(response: ServerResponse, status: number, reason: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(reason + '\n');
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The loopback web host: HTTP for calls, WebSocket for events, the renderer's files. Bound to
 * 127.0.0.1; every request needs the per-run token (as Jupyter does) and our own Host header.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('hex');
  /** Admits GETs of the renderer's files only (see pageCookieName): never the API. */
  const pageKey = randomBytes(24).toString('hex');
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  let port = options.port;

  const unsubscribe = options.engine.onEvent((name, payload) => {
    const message = JSON.stringify({ event: name, payload });
    for (const socket of sockets) socket.send(message);
  });

  function admitted(request: IncomingMessage, url: URL, staticFile = false): string | null {
    if (!isLoopbackAddress(request.socket.remoteAddress)) return 'only loopback clients are served';
    if (!isOurHost(request.headers.host, port)) return `unexpected Host header "${request.headers.host ?? ''}"`;
    if (tokensEqual(requestToken(request, url), token)) return null;
    if (staticFile && tokensEqual(requestCookie(request, pageCookieName(port)), pageKey)) return null;
    return 'missing or wrong token: open the URL that `loupe serve` printed';
  }

  async function handleCall(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return refuse(response, 405, 'use POST');
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return refuse(response, 415, 'expected application/json');
    const body = await readBody(request);
    if (body === null) {
      // The rest of the body is still arriving: close the connection rather than reuse it.
      response.setHeader('Connection', 'close');
      response.once('finish', () => request.destroy());
      return refuse(response, 413, `request body over ${maxBodyBytes} bytes`);
    }
    const call = parseCallBody(body);
    if (!call.ok)
      return sendJson(response, 400, { ok: false, error: { code: 'invalid_params', method: '(unknown)', reason: call.reason } });
    const result: ApiResponse<unknown> = await options.engine.call(call.method, call.params);
    sendJson(response, result.ok ? 200 : statusOf[result.error.code], result);
  }

  function handleStatic(response: ServerResponse, url: URL, setCookie: boolean): void {
    const file = options.staticDir ? resolveStaticFile(options.staticDir, url.pathname) : null;
    if (!file || !existsSync(file))
      return refuse(response, 404, options.staticDir ? 'not found' : 'the renderer is not built: run npm run build');
    const headers: Record<string, string> = {
      'Content-Security-Policy': contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
    };
    if (setCookie) headers['Set-Cookie'] = `${pageCookieName(port)}=${pageKey}; HttpOnly; SameSite=Strict; Path=/`;
    sendStaticFile(response, file, headers);
  }

  const server: Server = createServer((request, response) => {
    const url = requestUrl(request.url);
    if (!url) return refuse(response, 400, 'malformed request target');
    const isApi = url.pathname === '/api/call' || url.pathname.startsWith('/api/');
    const refusal = admitted(request, url, !isApi && (request.method === 'GET' || request.method === 'HEAD'));
    if (refusal) return refuse(response, 403, refusal);
    if (url.pathname === '/api/call') {
      handleCall(request, response).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (!response.headersSent) sendJson(response, 500, { ok: false, error: { code: 'internal', method: '(unknown)', reason } });
        else response.destroy();
      });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'use GET');
    handleStatic(response, url, tokensEqual(url.searchParams.get('token'), token));
  });

  // Every socket, HTTP or upgraded, so close() can end them all: an upgraded socket leaves the HTTP
  // server's own list (closeAllConnections does not see it) but still holds server.close() open.
  const connections = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  server.on('upgrade', (request, socket, head) => {
    const url = requestUrl(request.url);
    if (!url) return refuseUpgrade(socket, '400 Bad Request', 'malformed request target');
    const refusal = admitted(request, url) ?? (isOurOrigin(request.headers.origin, port) ? null : 'cross-origin WebSocket refused');
    if (refusal || url.pathname !== '/api/events') {
      return refuseUpgrade(socket, '403 Forbidden', refusal ?? 'not found');
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', () => ws.close(1008, 'events flow one way'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const socket of sockets) socket.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of connections) socket.destroy();
      await closed;
    },
  };
}

/**
 * The request target as a URL, or null when it is not one (`GET http://[/` makes `new URL` throw,
 * which, unhandled, would end the server before any check).
 */
function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/**
 * Answers a refused WebSocket upgrade and drops the socket once the answer is written. A bare
 * `socket.end` would half-close it: an upgraded socket is not read any more, so it never sees the
 * client's end and stays open (each one a leaked descriptor, and server.close() waits for it).
 */
function refuseUpgrade(socket: Duplex, status: string, reason: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`, () => socket.destroy());
}
