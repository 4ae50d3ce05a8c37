import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';

export const LOCK_FILE = 'project.lock';

/**
 * Who holds a project. A pid alone is not an identity: after a crash the pid is soon reused by
 * another process, and right after kill -9 it is a zombie that still answers kill(pid, 0). So
 * the lock also names the boot and the process's start time (Linux: /proc), and a nonce that
 * makes each lock file distinguishable from any other.
 */
export interface LockInfo {
  pid: number;
  host: string;
  since: string;
  /** /proc/sys/kernel/random/boot_id where there is one. */
  bootId: string | null;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot) where there is one. */
  startTicks: string | null;
  nonce: string;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function bootId(): string | null {
  return readText('/proc/sys/kernel/random/boot_id')?.trim() || null;
}

/** State and start time of a process from /proc, or null where /proc does not know it. */
export function procStat(pid: number): { state: string; startTicks: string } | null {
  const text = readText(`/proc/${pid}/stat`);
  if (!text) return null;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19];
  return state && start ? { state, startTicks: start } : null;
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that wrote `held` is still running on this machine. */
export function holderAlive(held: LockInfo): boolean {
  const boot = bootId();
  if (held.bootId && boot && held.bootId !== boot) return false; // written before a reboot
  if (held.startTicks && boot) {
    const stat = procStat(held.pid);
    // Gone, a zombie (killed, not yet reaped), or a new process that reused the pid.
    return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTicks === held.startTicks;
  }
  return signalable(held.pid); // no /proc here: the pid is all we have
}

function parseLock(text: string | null): LockInfo | null {
  if (!text) return null;
  try {
    const p = JSON.parse(text) as Partial<LockInfo>;
    if (typeof p.pid !== 'number' || typeof p.host !== 'string') return null;
    return {
      pid: p.pid,
      host: p.host,
      since: String(p.since ?? ''),
      bootId: typeof p.bootId === 'string' ? p.bootId : null,
      startTicks: typeof p.startTicks === 'string' ? p.startTicks : null,
      nonce: typeof p.nonce === 'string' ? p.nonce : '',
    };
  } catch {
    return null;
  }
}

function myLock(): LockInfo {
  return {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    bootId: bootId(),
    startTicks: procStat(process.pid)?.startTicks ?? null,
    nonce: crypto.randomBytes(12).toString('hex'),
  };
}

function readOnly(dir: string): ApiError {
  return new ApiError('read_only', `Cannot write to ${dir}: the disk or folder is read-only. Copy the project to a writable folder and open it there.`);
}

/**
 * Creates the lock only if there is none, with its whole content in place at once: the content
 * goes to a private temp file that is then hard-linked to the lock name (link fails if the name
 * exists), so no reader ever sees a half-written lock and takes it for a stale one.
 */
function tryCreate(file: string, info: LockInfo): boolean {
  const tmp = `${file}.${info.nonce}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info), { flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes a stale lock atomically: rename it to a name only we use (of two racers only one
 * rename succeeds), then check that what we moved is the stale lock we judged and not a fresh
 * one that replaced it meanwhile; a fresh one is put back.
 */
function takeOver(file: string, stale: LockInfo, mine: LockInfo): void {
  const moved = `${file}.${mine.nonce}.stale`;
  try {
    fs.renameSync(file, moved);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else moved it first
    throw err;
  }
  const got = parseLock(readText(moved));
  if (got && got.nonce !== stale.nonce) {
    try {
      fs.linkSync(moved, file);
    } catch {
      /* another lock is in place already; the next attempt sees it */
    }
  }
  fs.rmSync(moved, { force: true });
}

/**
 * One running instance per project. SQLite's own locks would let two apps interleave writes
 * and fight over the crop cache, so a lock file says who has it; a lock whose process is gone
 * (a crash, kill -9, a reboot) is taken over.
 */
export function acquireProjectLock(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const mine = myLock();
  for (let attempt = 0; attempt < 5; attempt++) {
    let created: boolean;
    try {
      created = tryCreate(file, mine);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') throw readOnly(dir);
      throw err;
    }
    if (created) {
      return () => {
        // Only ever remove our own lock (same nonce), never one that replaced it.
        if (parseLock(readText(file))?.nonce === mine.nonce) fs.rmSync(file, { force: true });
      };
    }
    const text = readText(file);
    const held = parseLock(text);
    if (!held) {
      // Locks appear whole (tryCreate), so an unreadable one is debris (a torn write, an old version's crash).
      if (text !== null || fs.existsSync(file)) takeOver(file, { ...mine, nonce: '\0unreadable' }, mine);
      continue;
    }
    if (held.host !== mine.host) {
      throw new ApiError(
        'locked',
        `This project is open on another computer (${held.host}). Close it there first; if that instance crashed, delete ${file}.`,
      );
    }
    if (held.pid === mine.pid && holderAlive(held)) {
      throw new ApiError('locked', 'This project is already open in this AU Workbench (under another path). Switch to it instead.');
    }
    if (holderAlive(held)) {
      throw new ApiError(
        'locked',
        `This project is already open in another AU Workbench (process ${held.pid}, since ${held.since}). ` +
          'A project can be open in one instance at a time: close it there, then open it here.',
      );
    }
    takeOver(file, held, mine);
  }
  throw new ApiError('locked', `Could not take the project lock ${file}. Try again.`);
}
