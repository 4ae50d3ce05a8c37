// `npm start`: the desktop window where the Electron binary is installed, browser mode otherwise.
// The binary is not fetched at install time (package.json's allowScripts skips electron's
// postinstall, so an install without access to its host keeps the package and its types); the
// first start fetches it (scripts/electron-binary.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { electronBinary, electronPackageDir, fetchElectronBinary, lastFailure } from './electron-binary.mjs';

const args = process.argv.slice(2);

// First start on a new machine: make the demo videos the app opens when there is no project yet.
if (!process.env.AUW_DEMO_DIR && !existsSync('.demo-data/manifest.json') && process.env.AUW_NO_DEMO !== '1') {
  console.log('Generating the demo videos (first start only, about half a minute)…');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo-data.ts'], { stdio: 'inherit' });
  if (r.status !== 0) console.warn('Could not generate the demo videos; the app starts without them (`npm run demo:data` retries).');
}

const forced = process.env.AUW_SHELL; // 'electron' | 'browser'
let electron = forced === 'browser' ? null : electronBinary();
let why = 'its download failed or was skipped';
if (!electron && forced !== 'browser' && electronPackageDir()) {
  const failed = lastFailure();
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    why = 'ELECTRON_SKIP_BINARY_DOWNLOAD is set; `npm run electron:fetch` downloads it anyway';
  } else if (failed && forced !== 'electron') {
    why = `its download failed before: ${failed}; \`npm run electron:fetch\` retries`;
  } else {
    console.log('Downloading the Electron binary for the desktop app (first start only, ~100 MB)…');
    const r = await fetchElectronBinary();
    electron = r.ok ? electronBinary() : null;
    if (!r.ok) why = `its download failed: ${r.reason}; \`npm run electron:fetch\` retries`;
  }
}
let child;
if (electron) {
  console.log('Starting the desktop app (Electron).');
  child = spawn(electron, ['.', ...args], { stdio: 'inherit' });
} else {
  if (forced === 'electron') {
    console.error(`AUW_SHELL=electron, but the Electron binary is not installed (${why}).`);
    process.exit(1);
  }
  console.log(forced === 'browser' ? 'AUW_SHELL=browser: starting browser mode.' : `Electron binary not installed (${why}): starting browser mode.`);
  child = spawn(process.execPath, ['out/main/server.js', ...args], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
