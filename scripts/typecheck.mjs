// Type-checks everything, the Electron shell's files included. Their types come from the
// `electron` package, which `npm install` installs without running its binary download
// (package.json's allowScripts denies electron's postinstall; `npm start` fetches the binary), so
// they exist on every machine, whether or not Electron's binary host is reachable.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
try {
  require.resolve('electron/electron.d.ts');
} catch {
  console.error(
    '[typecheck] The electron package is missing, so src/main/electron and src/preload cannot be checked.\n' +
      '  npm older than 11 ignores package.json\'s allowScripts, runs its binary download, and drops the package where that fails.\n' +
      '  Update npm (npm install -g npm@11), or install it without its binary: ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install',
  );
  process.exit(1);
}
const tsc = require.resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
