// `npm start`: the desktop window where the Electron binary is installed, browser mode otherwise.
import { spawn } from 'node:child_process';
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
