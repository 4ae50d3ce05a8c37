// The Electron binary, fetched by `npm start` rather than at install time.
//
// package.json's `allowScripts` denies electron's postinstall (npm ≥ 11 honours it), so
// `npm install` never fails or drops the package where Electron's binary host (GitHub, or
// ELECTRON_MIRROR) is out of reach: the package and its types stay installed and
// `npm run typecheck` checks the Electron shell. The first `npm start` then runs electron's own
// install.js (the same download its postinstall would have made); where that fails the app
// starts in browser mode and the failure is remembered, so later starts do not wait on it again
// (`npm run electron:fetch` retries).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
/** Written when a download failed; its text is the reason. */
export const failureMarker = path.join(root, 'node_modules', '.auw-electron-download-failed');

/** The electron package's folder, or null where npm did not install it. */
export function electronPackageDir() {
  try {
    return path.dirname(require.resolve('electron/package.json', { paths: [root] }));
  } catch {
    return null;
  }
}

/** The binary's path where it is installed, else null. */
export function electronBinary() {
  try {
    const bin = require(require.resolve('electron', { paths: [root] })); // the package exports the binary's path
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    return null; // index.js throws while path.txt is missing
  }
}

/** Why the last download failed, or null when none failed (or it was retried since). */
export function lastFailure() {
  return existsSync(failureMarker) ? readFileSync(failureMarker, 'utf8').trim() || 'unknown reason' : null;
}

/** Whether Electron's binary host answers at all (fast: DNS or a refused connection fails in ms). */
async function hostReachable(timeoutMs) {
  const mirror = process.env.ELECTRON_MIRROR || process.env.npm_config_electron_mirror || 'https://github.com/electron/electron/releases/';
  try {
    await fetch(mirror, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `${new URL(mirror).host} not reachable (${e?.cause?.code ?? e?.name ?? 'error'})` };
  }
}

/**
 * Runs electron's install.js (download, checksum, unzip). Returns { ok, reason }. The download
 * is ~100 MB; `timeoutMs` bounds it so a stalled connection cannot hold the start forever.
 */
export async function fetchElectronBinary({ probeMs = 10_000, timeoutMs = 10 * 60_000 } = {}) {
  const dir = electronPackageDir();
  if (!dir) return { ok: false, reason: 'the electron package is not installed' };
  rmSync(failureMarker, { force: true });
  const probe = await hostReachable(probeMs);
  let result = probe;
  if (probe.ok) {
    const env = { ...process.env };
    delete env.ELECTRON_SKIP_BINARY_DOWNLOAD; // install.js exits at once when it is set
    // stderr is shown as it comes and kept, so a failure can be named in one line.
    const r = await new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, env, stdio: ['ignore', 'inherit', 'pipe'] });
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill();
      }, timeoutMs);
      child.stderr.on('data', (b) => {
        process.stderr.write(b);
        if (stderr.length < 10_000) stderr += b;
      });
      child.on('error', (e) => (stderr += String(e)));
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stderr, timedOut });
      });
    });
    const ok = r.status === 0 && electronBinary() !== null;
    const firstLine = r.stderr.split('\n').find((l) => l.trim()) ?? '';
    result = ok ? { ok } : { ok, reason: r.timedOut ? `download took longer than ${Math.round(timeoutMs / 60_000)} min` : firstLine.slice(0, 200) || `install.js exited with ${r.status}` };
  }
  if (!result.ok) writeFileSync(failureMarker, `${result.reason}\n`);
  return result;
}
