// Builds all three targets with electron-vite, whether or not the Electron package installed.
// electron-vite reads electron/package.json only to pick its Node and Chrome targets; when the
// optional dependency could not install (no access to Electron's binary host), we tell it the
// major version we pin instead, so browser mode still gets a build.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const env = { ...process.env };
try {
  require.resolve('electron/package.json');
} catch {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const major = String(pkg.optionalDependencies.electron).replace(/^[^\d]*/, '').split('.')[0];
  env.ELECTRON_MAJOR_VER = major;
  console.log(`[build] electron is not installed; building for Electron ${major}'s targets (browser mode will be used).`);
}
const bin = new URL('../node_modules/electron-vite/bin/electron-vite.js', import.meta.url).pathname;
const result = spawnSync(process.execPath, [bin, 'build', ...process.argv.slice(2)], { stdio: 'inherit', env });
// Written only after a whole build succeeded: scripts/ensure-build.mjs compares the sources with it.
if (result.status === 0) writeFileSync(new URL('../out/.built', import.meta.url), `${new Date().toISOString()}\n`);
process.exit(result.status ?? 1);
