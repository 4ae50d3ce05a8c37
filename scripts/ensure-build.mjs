// Builds only when the build is missing or older than what it is built from, so `npm start` on
// an unchanged install opens at once (a full build is ~90 % of a start-up: BENCHMARKS.md) and
// `npm run test:faults` never drives a stale server. `npm run build` always builds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// Written by scripts/build.mjs after a build that succeeded (a failed build leaves none newer).
const marker = path.join(root, 'out', '.built');
const inputs = ['src', 'electron.vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'];

/** Newest modification time under `p`; folders count too, so a deleted or renamed file shows. */
function newest(p) {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(p)) t = Math.max(t, newest(path.join(p, e)));
  return t;
}

const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const source = Math.max(...inputs.map((i) => newest(path.join(root, i))));
if (built >= source) {
  console.log('[build] up to date (out/ is newer than src/ and the build config): not rebuilding. `npm run build` forces it.');
  process.exit(0);
}
console.log(built ? '[build] sources changed since the last build: building.' : '[build] no build yet: building.');
const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
