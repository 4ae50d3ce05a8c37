// Durable file writes for the worker's model files, without TensorFlow.js (the baseline task
// writes its model too and must not load tfjs).
import fs from 'node:fs';
import path from 'node:path';

export function fsyncWrite(file: string, data: Uint8Array | string): void {
  const fd = fs.openSync(file, 'w');
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot open a directory for fsync; the rename is still atomic there.
  }
}

/** Writes `data` to `file` so that a crash leaves the old file or the new one, never a mix. */
export function writeDurably(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fsyncWrite(tmp, data);
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}
