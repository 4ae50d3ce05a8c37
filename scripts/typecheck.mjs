// Type-checks everything. The Electron shell's files need the `electron` package's types, which
// exist only where its optional install succeeded; without it they are bundled but not checked.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
let project = 'tsconfig.json';
try {
  require.resolve('electron/package.json');
} catch {
  project = 'tsconfig.no-electron.json';
  console.log('[typecheck] electron is not installed: skipping src/main/electron and src/preload (no Electron types).');
}
const tsc = require.resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { stdio: 'inherit' });
process.exit(r.status ?? 1);
