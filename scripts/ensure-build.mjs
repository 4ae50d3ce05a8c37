// `npm run test:faults` drives the built server; build it first when there is no build yet.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync(new URL('../out/main/server.js', import.meta.url))) {
  console.log('[test:faults] no build yet: running `npm run build` first.');
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(r.status ?? 1);
}
