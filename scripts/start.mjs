// `npm start`: the desktop window where the Electron binary is installed, browser mode otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

function electronBinary() {
  try {
    const bin = require('electron'); // the package exports the binary's path
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

// First start on a new machine: make the demo videos the app opens when there is no project yet.
if (!process.env.AUW_DEMO_DIR && !existsSync('.demo-data/manifest.json') && process.env.AUW_NO_DEMO !== '1') {
  console.log('Generating the demo videos (first start only, about half a minute)…');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo-data.ts'], { stdio: 'inherit' });
  if (r.status !== 0) console.warn('Could not generate the demo videos; the app starts without them (`npm run demo:data` retries).');
}

const forced = process.env.AUW_SHELL; // 'electron' | 'browser'
const electron = forced === 'browser' ? null : electronBinary();
let child;
if (electron) {
  console.log('Starting the desktop app (Electron).');
  child = spawn(electron, ['.', ...args], { stdio: 'inherit' });
} else {
  if (forced === 'electron') {
    console.error('AUW_SHELL=electron, but the Electron binary is not installed (npm could not download it). Run `npm install electron`.');
    process.exit(1);
  }
  console.log('Electron binary not installed (its download failed or was skipped): starting browser mode.');
  child = spawn(process.execPath, ['out/main/server.js', ...args], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
