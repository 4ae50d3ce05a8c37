/**
 * A little disk space held back in the project folder for the writes that must land when the
 * disk is full: the state changes that say an import or a job failed. Without it a full disk
 * could leave a video 'ingesting' with no error and no Retry import (SQLite needs a few pages
 * of WAL for even one UPDATE). When such a write finds the disk full, the reserve file is
 * deleted and the write tried once more; it is made again when a job next starts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDiskFull } from '../system-errors';

export const RESERVE_FILE = '.auw-space-reserve';
/** Far more than one status UPDATE needs in the WAL (a few 4 KiB pages), small beside any video. */
export const RESERVE_BYTES = 512 * 1024;

/** Makes the reserve when it is missing; on a disk already too full for it, leaves none (and no partial file). */
export function keepReserve(projectDir: string): void {
  const file = path.join(projectDir, RESERVE_FILE);
  try {
    if (fs.statSync(file, { throwIfNoEntry: false })?.size === RESERVE_BYTES) return;
    // Random bytes: a compressing file system (btrfs, ZFS) would keep zeros in no space at all.
    fs.writeFileSync(file, crypto.randomBytes(RESERVE_BYTES));
  } catch {
    fs.rmSync(file, { force: true });
  }
}

/** Runs `write`; when it finds the disk full, gives the reserve back to the disk and runs it once more. */
export function withReserve<T>(projectDir: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    const file = path.join(projectDir, RESERVE_FILE);
    if (!isDiskFull(err) || !fs.existsSync(file)) throw err;
    fs.rmSync(file, { force: true });
    console.warn('[reserve] the disk is full: used the space held back to record a failure.');
    return write();
  }
}
