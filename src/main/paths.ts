import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The app's root folder (where package.json is). Code runs from src/ (tests, tsx) or from a
 * bundle under out/main/, so walk up instead of assuming a depth.
 */
export function appRoot(): string {
  let dir = here;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** True when running from the built bundle rather than TypeScript sources. */
export function runningFromBundle(): boolean {
  return here.split(path.sep).includes('out');
}
