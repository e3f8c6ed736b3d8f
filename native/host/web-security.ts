import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Content-Security-Policy of the renderer: our own scripts only, no remote content of any kind. */
export function contentSecurityPolicy(connectSources: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Svelte writes style attributes from its templates; scripts stay strict.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${connectSources.join(' ')}`.trim(),
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Refuses DNS-rebinding: a page on another name resolving to 127.0.0.1 must not reach us. */
export function isOurHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

export function isOurOrigin(origin: string | undefined, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

export function tokensEqual(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Cookies are scoped by host, not by port: every other service on 127.0.0.1 that the browser visits
 * receives our cookies. So the cookie never carries the API token. It holds a second secret, the
 * page key, that admits only GETs of the renderer's own files (public code: that is all a service
 * on another port could fetch with it); calls and events need the token itself, in the
 * `X-Loupe-Token` header (calls) or `?token=` (the first page load, the event WebSocket). The name
 * carries the port, so two `loupe serve` runs on one host do not overwrite each other's cookie.
 * (A `__Host-` prefix would pin the cookie harder but needs HTTPS.)
 */
export function pageCookieName(port: number): string {
  return `loupe_page_${port}`;
}

/** The API token a request carries: `?token=` or the `X-Loupe-Token` header, never a cookie. */
export function requestToken(request: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const header = request.headers['x-loupe-token'];
  return typeof header === 'string' ? header : null;
}

/** The value of one cookie, or null. */
export function requestCookie(request: IncomingMessage, name: string): string | null {
  const cookies = request.headers.cookie ?? '';
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}
