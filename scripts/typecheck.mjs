// Type-checks everything, the Electron shell's files included. Their types come from the
// `electron` package, which installs without its binary where the binary host is unreachable
// (ELECTRON_SKIP_BINARY_DOWNLOAD=1; .ci/run sets it there), so they exist on every machine.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
try {
  require.resolve('electron/electron.d.ts');
} catch {
  console.error(
    '[typecheck] The electron package is missing, so src/main/electron and src/preload cannot be checked.\n' +
      '  Install it without its binary: ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install',
  );
  process.exit(1);
}
const tsc = require.resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
