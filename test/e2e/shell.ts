/**
 * Starts the workstation for a spec in one of its shells and hands back a page: browser mode
 * (the built server + Chromium) always, Electron where its binary is installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron, type Browser, type ElectronApplication, type Page } from '@playwright/test';

export const SCREENSHOT_DIR = path.resolve('artifacts/screenshots');

export interface Shell {
  kind: 'browser' | 'electron';
  page: Page;
  /** Folder the app may use; projects are created inside it. */
  root: string;
  /** Browser mode only: the URL with its token. */
  url?: string;
  stop(): Promise<void>;
}

export function electronBinary(): string | null {
  try {
    const bin = createRequire(import.meta.url)('electron') as unknown;
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/**
 * The Electron binary, fetched first where the package is installed without it (npm install
 * skips its download: package.json's allowScripts) and no earlier try failed, as `npm start`
 * does (scripts/electron-binary.mjs). Else null and why.
 */
export function electronBinaryOrFetch(): { binary: string | null; why: string } {
  const have = electronBinary();
  if (have) return { binary: have, why: '' };
  const marker = path.resolve('node_modules/.auw-electron-download-failed');
  const failed = () => (fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : 'unknown reason');
  try {
    createRequire(import.meta.url).resolve('electron/package.json');
  } catch {
    return { binary: null, why: 'the electron package is not installed' };
  }
  if (fs.existsSync(marker)) return { binary: null, why: `its download failed before: ${failed()}` };
  spawnSync(process.execPath, ['scripts/electron-fetch.mjs'], { stdio: 'inherit', timeout: 11 * 60_000 });
  const bin = electronBinary();
  return bin ? { binary: bin, why: '' } : { binary: null, why: `its download failed: ${failed()}` };
}

function tempRoot(): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'auw-e2e-')));
  fs.mkdirSync(path.join(root, 'settings'));
  return root;
}

export async function startServer(
  root: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['out/main/server.js', '--no-open', '--root', root, ...extraArgs], {
    // No demo data unless a spec asks for it, so first-run state does not depend on the checkout.
    env: { ...process.env, AUW_SETTINGS_DIR: path.join(root, 'settings'), AUW_DEMO_DIR: path.join(root, 'no-demo'), CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      log += d.toString();
      const m = /Open: (http:\/\/\S+)/.exec(log);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before printing its URL:\n${log}`)));
  });
  return { url, child };
}

export async function launchBrowserShell(browser: Browser): Promise<Shell> {
  const root = tempRoot();
  const { url, child } = await startServer(root);
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const page = await context.newPage();
  await page.goto(url);
  return {
    kind: 'browser',
    page,
    root,
    url,
    stop: async () => {
      await context.close();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function launchElectronShell(): Promise<Shell> {
  const root = tempRoot();
  const app: ElectronApplication = await _electron.launch({
    args: ['.'],
    env: { ...process.env, AUW_SETTINGS_DIR: path.join(root, 'settings'), AUW_ROOTS: root },
  });
  const page = await app.firstWindow();
  return { kind: 'electron', page, root, stop: () => app.close() };
}

export async function snap(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
