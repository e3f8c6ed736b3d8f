import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ipcChannels } from '../native/api/bridge.js';
import { formatApiError } from '../native/api/errors.js';
import { demoLaunchMessage, prepareDemoOnLaunch } from '../native/host/demo-launch.js';
import { EngineClient } from '../native/host/engine-client.js';
import { defaultWorkspacePath, packageRoot, rendererDir } from '../native/host/paths.js';
import { resolveStaticFile } from '../native/host/static-files.js';
import { contentSecurityPolicy } from '../native/host/web-security.js';
import { appOrigin, appScheme, hardenWebContents, isTrustedSender } from './security.js';

protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const engine = new EngineClient();
const windows = new Set<BrowserWindow>();

/** The workspace named with --workspace, or null for the default one. */
function workspaceArgument(): string | null {
  const index = process.argv.indexOf('--workspace');
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : null;
}

/** A fresh default workspace becomes the demo (its progress shows on Home); a failure is logged, not fatal. */
async function prepareDemo(): Promise<void> {
  try {
    const message = demoLaunchMessage(await prepareDemoOnLaunch(engine));
    if (message) console.log(message);
  } catch (error) {
    console.error(`Could not prepare the demo workspace: ${(error as Error).message}`);
  }
}

function serveRenderer(): void {
  const root = rendererDir();
  protocol.handle(appScheme, async (request) => {
    const file = resolveStaticFile(root, new URL(request.url).pathname);
    if (!file) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy());
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Loupe',
    show: false,
    webPreferences: {
      preload: join(packageRoot(), 'dist', 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${appOrigin}/index.html`);
  return win;
}

async function openWorkspace(path: string): Promise<boolean> {
  const opened = await engine.call('workspace.open', { path });
  if (!opened.ok) dialog.showErrorBox('Cannot open workspace', formatApiError(opened.error));
  return opened.ok;
}

async function chooseWorkspace(): Promise<void> {
  const choice = await dialog.showOpenDialog({ title: 'Open or create a workspace', properties: ['openDirectory', 'createDirectory'] });
  if (choice.canceled || choice.filePaths.length === 0) return;
  if (await openWorkspace(choice.filePaths[0])) for (const win of windows) win.webContents.reload();
}

function buildMenu(): void {
  const template: Electron.MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [{ label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: () => void chooseWorkspace() }, { type: 'separator' }, { role: 'quit' }] },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (url) => void shell.openExternal(url)));

ipcMain.handle(ipcChannels.invoke, (event, method: unknown, params: unknown) => {
  if (!isTrustedSender(event.senderFrame, event.sender)) {
    return { ok: false, error: { code: 'unreachable', method: String(method), reason: 'refused: call from an untrusted frame' } };
  }
  return engine.call(String(method), params);
});

engine.onEvent((name, payload) => {
  for (const win of windows) win.webContents.send(ipcChannels.event, name, payload);
});

app.on('window-all-closed', () => app.quit());
app.on('will-quit', (event) => {
  event.preventDefault();
  void engine.close().finally(() => app.exit(0));
});

void app.whenReady().then(async () => {
  serveRenderer();
  buildMenu();
  const named = workspaceArgument();
  if ((await openWorkspace(named ?? defaultWorkspacePath())) && named === null) await prepareDemo();
  createWindow();
  app.on('activate', () => {
    if (windows.size === 0) createWindow();
  });
});
