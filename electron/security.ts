import type { WebContents, WebFrameMain } from 'electron';
import { isNeuronpediaFeatureUrl } from '../native/api/neuronpedia.js';

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

/**
 * The URL to hand to the system browser, or null: only a Neuronpedia feature page exactly as the
 * engine writes it (native/api/neuronpedia.ts), so no other scheme, host, port, path, query or
 * credentials leave the app (a lookalike such as www.neuronpedia.org.evil.example is refused).
 */
export function externalUrl(url: string): string | null {
  return isNeuronpediaFeatureUrl(url) ? url : null;
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
  // Requests are refused above; checks (navigator.permissions.query, a synchronous "may I?") say no too.
  contents.session.setPermissionCheckHandler(() => false);
  contents.session.setDevicePermissionHandler(() => false);
}
