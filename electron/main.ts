import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ipcChannels } from '../native/api/bridge.js';
import { formatApiError, type ApiResponse } from '../native/api/errors.js';
import type { ModelSummary, PathGrant, SaeSummary } from '../native/api/types.js';
import { validateCall } from '../native/api/validate.js';
import { demoLaunchMessage, prepareDemoOnLaunch } from '../native/host/demo-launch.js';
import { EngineClient } from '../native/host/engine-client.js';
import { PathGrants, pathFieldsByMethod } from '../native/host/path-grants.js';
import { defaultWorkspacePath, packageRoot, rendererDir } from '../native/host/paths.js';
import { resolveStaticFile } from '../native/host/static-files.js';
import { contentSecurityPolicy } from '../native/host/web-security.js';
import { appOrigin, appScheme, hardenWebContents, isTrustedSender } from './security.js';

protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const engine = new EngineClient();
const windows = new Set<BrowserWindow>();
/** Paths the user chose in this process's dialogs; the renderer only ever holds their grant ids. */
const grants = new PathGrants();

// One app per user: a second launch focuses the first (two engines on one workspace would fight
// over its jobs; the workspace lock would refuse the second anyway, with a less friendly message).
if (!app.requestSingleInstanceLock()) {
  app.exit(0);
}
app.on('second-instance', () => {
  const [win] = windows;
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
});

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
      // A packaged app has no DevTools (they would let anyone at the keyboard drive the bridge).
      devTools: !app.isPackaged,
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
    {
      label: 'File',
      submenu: [
        { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: () => void chooseWorkspace() },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (url) => void shell.openExternal(url)));

ipcMain.handle(ipcChannels.invoke, async (event, method: unknown, params: unknown): Promise<ApiResponse<unknown>> => {
  if (!isTrustedSender(event.senderFrame, event.sender)) {
    return { ok: false, error: { code: 'unreachable', method: String(method), reason: 'refused: call from an untrusted frame' } };
  }
  if (method === 'grants.choose') return chooseGrant(event.sender, params);
  const name = String(method);
  if (!Object.hasOwn(pathFieldsByMethod, name)) return engine.call(name, params);
  // Paths come only from this process's dialogs: grants become paths here, raw paths are refused
  // (except those of models and SAEs already in the workspace, which were granted when added).
  const registered = name === 'train.start' ? await registeredPaths() : new Set<string>();
  const resolved = grants.resolve(name, params, (path) => registered.has(path));
  return resolved.ok ? engine.call(name, resolved.params) : resolved;
});

async function registeredPaths(): Promise<Set<string>> {
  const [models, saes] = await Promise.all([engine.call('models.list', {}), engine.call('saes.list', {})]);
  const rows = [...(models.ok ? (models.result as ModelSummary[]) : []), ...(saes.ok ? (saes.result as SaeSummary[]) : [])];
  return new Set(rows.map((r) => r.path));
}

/** grants.choose: a native dialog in the main process; the renderer gets a grant, never a path it could forge. */
async function chooseGrant(sender: Electron.WebContents, params: unknown): Promise<ApiResponse<PathGrant | null>> {
  const checked = validateCall('grants.choose', params);
  if (!checked.ok) return checked;
  const { kind, title } = checked.params as { kind: 'file' | 'folder'; title?: string };
  const owner = BrowserWindow.fromWebContents(sender);
  const options: Electron.OpenDialogOptions = {
    title: title ?? (kind === 'file' ? 'Choose a file' : 'Choose a folder'),
    properties: kind === 'file' ? ['openFile'] : ['openDirectory', 'createDirectory'],
  };
  const choice = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
  if (choice.canceled || choice.filePaths.length === 0) return { ok: true, result: null };
  const grant = grants.grant(choice.filePaths[0], kind);
  return { ok: true, result: { grant: grant.id, path: grant.path, kind } };
}

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
