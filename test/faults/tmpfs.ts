/**
 * A small real file system to fill up: tmpfs where this machine lets the test mount one (root
 * in a container with CAP_SYS_ADMIN, as on the build machine and CI), otherwise a reason to skip.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Fills the disk to the last byte (or leaves `leave` bytes), returning the filler's path. */
  fill(leave?: number): string;
  free(): number;
  unmount(): void;
}

export function mountSmallDisk(bytes: number): SmallDisk | { skip: string } {
  if (process.platform !== 'linux') return { skip: `tmpfs mounts are a Linux feature (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { skip: 'mounting a tmpfs needs root (run the fault tests as root, as CI does)' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-fulldisk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(bytes / 1024)}k,mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { skip: `this machine does not allow mounting a tmpfs (${(r.stderr || r.error?.message || '').trim()})` };
  }
  const free = () => {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    fill(leave = 0) {
      const file = path.join(dir, `filler-${Date.now()}`);
      const fd = fs.openSync(file, 'w');
      try {
        for (const chunk of [1 << 20, 1 << 16, 1 << 12, 1 << 9, 1]) {
          const buf = Buffer.alloc(chunk, 1);
          for (;;) {
            if (free() - chunk < leave) break;
            try {
              fs.writeSync(fd, buf);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      return file;
    },
    unmount() {
      spawnSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
