import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';

export const LOCK_FILE = 'project.lock';

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockInfo>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '') };
    }
  } catch {
    /* unreadable lock: treated as stale */
  }
  return null;
}

/**
 * One running instance per project. SQLite's own locks would let two apps interleave writes
 * and fight over the crop cache, so a lock file with the owner's pid says who has it; a lock
 * whose process is gone (a crash) is taken over.
 */
export function acquireProjectLock(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      return () => {
        const held = readLock(file);
        if (held?.pid === mine.pid && held.host === mine.host) fs.rmSync(file, { force: true });
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
        throw new ApiError('read_only', `Cannot write to ${dir}: the disk or folder is read-only. Copy the project to a writable folder and open it there.`);
      }
      if (code !== 'EEXIST') throw err;
      const held = readLock(file);
      if (held && held.host === mine.host && held.pid !== mine.pid && alive(held.pid)) {
        throw new ApiError(
          'locked',
          `This project is already open in another AU Workbench (process ${held.pid}, since ${held.since}). ` +
            'A project can be open in one instance at a time: close it there, then open it here.',
        );
      }
      if (held && held.host !== mine.host) {
        throw new ApiError(
          'locked',
          `This project is open on another computer (${held.host}). Close it there first; if that instance crashed, delete ${file}.`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new ApiError('locked', `Could not take the project lock ${file}. Try again.`);
}
