import type { WebContents, WebFrameMain } from 'electron';

/** Our renderer's origin: a privileged custom scheme serving the built app, nothing remote. */
export const appScheme = 'loupe';
export const appOrigin = `${appScheme}://app`;

export function isAppUrl(url: string): boolean {
  try {
    return new URL(url).origin === appOrigin;
  } catch {
    return false;
  }
}

/** IPC is accepted only from the top frame of one of our windows, showing our own page. */
export function isTrustedSender(frame: WebFrameMain | null, contents: WebContents): boolean {
  return frame !== null && frame === contents.mainFrame && isAppUrl(frame.url);
}

/** The only site a link may open, in the system browser (a feature's Neuronpedia page). */
export const externalOrigin = 'https://www.neuronpedia.org';

/**
 * The URL to hand to the system browser, or null: https://www.neuronpedia.org only, no credentials,
 * no other port, scheme or host (a lookalike such as www.neuronpedia.org.evil.example is refused).
 */
export function externalUrl(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.origin !== externalOrigin || u.username !== '' || u.password !== '') return null;
    return u.href;
  } catch {
    return null;
  }
}

/**
 * Locks every web contents down: no navigation away, no new windows, no permissions, no webviews.
 * A link to Neuronpedia opens in the system browser through `openExternal`; every other window is denied.
 */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => void = () => {}): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrl(url);
    if (external !== null) openExternal(external);
    return { action: 'deny' };
  });
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}
