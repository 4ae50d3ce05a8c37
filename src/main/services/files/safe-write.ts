/**
 * The one way the API writes a file the user named (a labels export, a saved export folder):
 * only the expected kind of file, never over a file of a project, never through a symbolic
 * link, and atomically, so a crash or a full disk leaves either the old file or the new one.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import { enclosingProject } from '../store/project';

export interface WriteTarget {
  /** Lower-case extensions the file may have, with the dot: ['.csv']. */
  extensions: readonly string[];
  /** The user confirmed replacing an existing file of that kind. */
  overwrite?: boolean;
}

/**
 * Checks that `file` may be written and returns it: it has an expected extension, is not
 * inside a project's own data (only its exports/ folder), and either does not exist or (with
 * overwrite) is a regular file; a symbolic link is never written through.
 */
export function checkWriteTarget(file: string, t: WriteTarget): string {
  const abs = path.resolve(file);
  const ext = path.extname(abs).toLowerCase();
  if (!t.extensions.includes(ext)) {
    throw new ApiError('invalid_argument', `${path.basename(abs)} must end in ${t.extensions.join(' or ')}; AU Workbench writes only that kind of file here. Choose a name like labels${t.extensions[0]}.`);
  }
  const project = enclosingProject(path.dirname(abs));
  if (project) {
    const rel = path.relative(project, abs).split(path.sep);
    // Everything in a project is its own data (database, crops, models) except the exports folder.
    if (rel.length < 2 || rel[0] !== 'exports') {
      throw new ApiError('invalid_argument', `${abs} is inside the project ${project}, which holds its own files. Save into its exports folder, or outside the project.`);
    }
  }
  const existing = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (existing) {
    if (existing.isSymbolicLink()) throw new ApiError('invalid_argument', `${abs} is a symbolic link; AU Workbench does not write through links. Choose a plain file name.`);
    if (existing.isDirectory()) throw new ApiError('invalid_argument', `${abs} is a folder. Choose a file name.`);
    if (!existing.isFile()) throw new ApiError('invalid_argument', `${abs} is not a regular file. Choose another name.`);
    if (!t.overwrite) throw new ApiError('conflict', `${abs} already exists. Choose another name, or confirm that it should be replaced.`);
  }
  return abs;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* not every platform can fsync a folder (Windows); the rename is still atomic */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes `data` to a checked target: a temp file created exclusively next to it (O_EXCL, so
 * never an existing file or link), fsynced, then moved into place. Without overwrite the move
 * is a hard link, which fails if a file appeared meanwhile; with overwrite a rename, which
 * replaces the name (a link put there meanwhile, not its target).
 */
export function writeFileAtomic(file: string, data: string | Buffer, t: WriteTarget): string {
  const abs = checkWriteTarget(file, t);
  const dir = path.dirname(abs);
  const tmp = path.join(dir, `.${path.basename(abs)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), 0o644);
  try {
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (t.overwrite) fs.renameSync(tmp, abs);
    else {
      try {
        fs.linkSync(tmp, abs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ApiError('conflict', `${abs} appeared while it was being written; nothing was overwritten. Try again.`);
        throw err;
      }
    }
    fsyncDir(dir);
    return abs;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
