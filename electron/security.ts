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

/** Locks every web contents down: no navigation away, no new windows, no permissions, no webviews. */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  // Requests are refused above; checks (navigator.permissions.query, a synchronous "may I?") say no too.
  contents.session.setPermissionCheckHandler(() => false);
  contents.session.setDevicePermissionHandler(() => false);
}
