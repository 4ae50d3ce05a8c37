/** Electron main process: windows, native dialogs, and the IPC relay to the backend process. */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell, utilityProcess, type UtilityProcess } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Envelope } from '../../shared/errors';
import type { FromBackend, ToBackend } from './protocol';
import { APP_ENTRY, APP_SCHEME, bundleFile, ELECTRON_CSP, externalAllowed, trustedSender } from '../security/electron-policy';
import fs from 'node:fs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pending = new Map<number, (e: Envelope<unknown>) => void>();
let nextCall = 1;
let backend: UtilityProcess | null = null;
let window: BrowserWindow | null = null;
const mediaLookups = new Map<number, (p: string | null) => void>();

// <video> needs a streamable URL for project videos; the scheme serves only files the backend names.
// The renderer loads from app://bundle (not file://, which would grant it the whole disk's origin).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  { scheme: 'auw-media', privileges: { stream: true, supportFetchAPI: true, secure: true, standard: true } },
]);

function lookupMedia(videoId: number): Promise<string | null> {
  if (!backend) return Promise.resolve(null);
  const id = nextCall++;
  return new Promise((resolve) => {
    mediaLookups.set(id, resolve);
    backend!.postMessage({ type: 'mediaPath', id, videoId } satisfies ToBackend);
  });
}

function startBackend(): UtilityProcess {
  const child = utilityProcess.fork(path.join(here, 'backend-host.js'), [], {
    serviceName: 'AU Workbench backend',
    env: { ...process.env, AUW_SETTINGS_DIR: process.env.AUW_SETTINGS_DIR ?? path.join(app.getPath('userData')) },
  });
  child.on('message', async (m: FromBackend) => {
    if (m.type === 'reply') {
      pending.get(m.id)?.(m.envelope);
      pending.delete(m.id);
    } else if (m.type === 'event') {
      window?.webContents.send('api:event', m.message);
    } else if (m.type === 'mediaPath') {
      mediaLookups.get(m.id)?.(m.path);
      mediaLookups.delete(m.id);
    } else if (m.type === 'dialog') {
      const options: Electron.OpenDialogOptions =
        m.kind === 'directory'
          ? { title: m.title ?? 'Choose a folder', properties: ['openDirectory', 'createDirectory'] }
          : {
              title: m.title ?? 'Choose videos',
              properties: ['openFile', 'multiSelections'],
              filters: [{ name: 'Videos', extensions: ['mp4', 'mov', 'avi', 'mkv', 'webm'] }],
            };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      const reply: ToBackend = { type: 'dialogResult', id: m.id, paths: result.canceled ? [] : result.filePaths };
      child.postMessage(reply);
    }
  });
  child.on('exit', (code) => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'internal', message: `The backend process stopped (code ${code}). Restart AU Workbench.` } });
    pending.clear();
  });
  return child;
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'AU Workbench',
    backgroundColor: '#0f1115',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // The page refuses to unload while label saves are in flight (beforeunload); Electron would
  // silently keep the window open, so ask, as a browser does.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Leave anyway', 'Stay'],
      defaultId: 1,
      cancelId: 1,
      title: 'Labels are still being saved',
      message: 'Some label changes have not reached the project yet. Leave anyway and lose them?',
    });
    if (choice === 0) event.preventDefault();
  });
  void win.loadURL(APP_ENTRY);
  return win;
}

// Deny every navigation away from the app and every new window; links go to the system browser.
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Only allow-listed https links reach the system browser; shell.openExternal of an
    // arbitrary URL can start programs through custom protocol handlers.
    if (externalAllowed(url)) void shell.openExternal(url);
    else console.warn(`[electron] refused to open ${url.slice(0, 200)}`);
    return { action: 'deny' };
  });
});

// Only our own page may call the API: check the sender before relaying anything.
ipcMain.handle('api:call', (event, method: unknown, args: unknown) => {
  const frame = event.senderFrame;
  const fromMain = frame ? { url: frame.url, isMainFrame: frame === event.sender.mainFrame } : null;
  if (!trustedSender(fromMain) || event.sender !== window?.webContents) {
    return { ok: false, error: { code: 'unauthorized', message: 'Calls are accepted from the AU Workbench window only.' } };
  }
  if (!backend) return { ok: false, error: { code: 'unavailable', message: 'The backend is not running.' } };
  const id = nextCall++;
  return new Promise<Envelope<unknown>>((resolve) => {
    pending.set(id, resolve);
    const call: ToBackend = { type: 'call', id, method: String(method), args };
    backend!.postMessage(call);
  });
});

ipcMain.on('files:dropped', (event, paths: unknown) => {
  const frame = event.senderFrame;
  if (event.sender !== window?.webContents || !trustedSender(frame ? { url: frame.url, isMainFrame: frame === event.sender.mainFrame } : null)) return;
  if (!Array.isArray(paths)) return;
  const clean = paths.filter((p): p is string => typeof p === 'string' && path.isAbsolute(p)).slice(0, 500);
  backend?.postMessage({ type: 'grant', paths: clean } satisfies ToBackend);
});

app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const bundle = path.join(here, '../renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const file = bundleFile(bundle, request.url, (p) => fs.existsSync(p) && fs.statSync(p).isFile());
    if (!file) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', ELECTRON_CSP);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
  protocol.handle('auw-media', async (request) => {
    const m = /^auw-media:\/\/video\/(\d+)$/.exec(request.url);
    const file = m ? await lookupMedia(Number(m[1])) : null;
    if (!file) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString(), { headers: request.headers });
  });
  backend = startBackend();
  window = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
});

app.on('window-all-closed', () => {
  backend?.postMessage({ type: 'shutdown' } satisfies ToBackend);
  if (process.platform !== 'darwin') app.quit();
});
