/**
 * The one way the API writes a file or folder the user named (a labels export, a saved export
 * folder) or one inside a project's exports: only the expected kind of file, never into a
 * project's own data, never through a symbolic link (the real folder is what is checked and
 * written), names checked before any folder is made (and folders made removed again when the
 * write fails), and atomically, so a crash or a full disk leaves either the old file or the
 * new one, and an export folder that is there is complete.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import { enclosingProject } from '../store/project';

/** The longest name one folder entry may have on the file systems the app meets (ext4, APFS, NTFS). */
const MAX_NAME_BYTES = 255;

/**
 * The real folder `dir` names, and which of its trailing folders do not exist yet. A symbolic
 * link among its existing parts is refused: it could be re-pointed into a project (or anywhere)
 * between a check and a write. Links directly under the file system root (macOS /tmp, /var)
 * belong to the system and are followed.
 */
export function realFolder(dir: string): { real: string; missing: string[] } {
  const abs = path.resolve(dir);
  const { root } = path.parse(abs);
  const parts = abs.slice(root.length).split(path.sep).filter(Boolean);
  let real = root;
  for (let i = 0; i < parts.length; i++) {
    const here = path.join(real, parts[i]!);
    const st = fs.lstatSync(here, { throwIfNoEntry: false });
    if (!st) return { real, missing: parts.slice(i) };
    if (st.isSymbolicLink()) {
      if (real !== root) {
        const to = realpathOrNull(here);
        throw new ApiError(
          'invalid_argument',
          `${here} is a symbolic link${to ? ` (to ${to})` : ''}; AU Workbench does not write through links, so a link cannot send files into a project. Choose the real folder${to ? ` (${path.join(to, ...parts.slice(i + 1))})` : ''}.`,
        );
      }
      real = fs.realpathSync(here);
      if (!fs.statSync(real).isDirectory()) throw new ApiError('invalid_argument', `${here} is not a folder. Check the path.`);
      continue;
    }
    if (!st.isDirectory()) throw new ApiError('invalid_argument', `${here} is a file, not a folder. Check the path.`);
    real = here;
  }
  return { real, missing: [] };
}

function realpathOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null; // dangling
  }
}

/** Refuses a name the file system would refuse, before any folder is made for it. */
function checkNames(names: readonly string[], whole: string): void {
  for (const n of names) {
    if (Buffer.byteLength(n) > MAX_NAME_BYTES) {
      throw new ApiError('invalid_argument', `The name "${n.slice(0, 60)}…" is ${Buffer.byteLength(n)} bytes; a file or folder name may have at most ${MAX_NAME_BYTES}. Choose a shorter name; nothing was created.`);
    }
  }
  if (Buffer.byteLength(whole) > 4000) throw new ApiError('invalid_argument', `The path ${whole.slice(0, 120)}… is too long for the file system. Choose a shorter one; nothing was created.`);
}

/**
 * Makes the folders `dir` lacks (checked by realFolder and checkNames first) and returns an
 * undo that removes exactly those again, deepest first, when what was to go in them failed.
 */
export function makeFolders(dir: string): { real: string; undo(): void } {
  const { real, missing } = realFolder(dir);
  const full = path.join(real, ...missing);
  checkNames(missing, full);
  const made: string[] = [];
  const undo = () => {
    for (const d of made.splice(0).reverse()) {
      try {
        fs.rmdirSync(d);
      } catch {
        /* not empty (something else landed there) or gone: leave it */
      }
    }
  };
  try {
    let at = real;
    for (const m of missing) {
      at = path.join(at, m);
      fs.mkdirSync(at);
      made.push(at);
    }
  } catch (err) {
    undo();
    throw err;
  }
  return { real: full, undo };
}

export interface WriteTarget {
  /** Lower-case extensions the file may have, with the dot: ['.csv']. */
  extensions: readonly string[];
  /** The user confirmed replacing an existing file of that kind. */
  overwrite?: boolean;
}

/**
 * Checks that `file` may be written and returns its real path: it has an expected extension,
 * no symbolic link on the way, names the file system takes, is not inside a project's own
 * data (only its exports/ folder), and either does not exist or (with overwrite) is a regular
 * file.
 */
export function checkWriteTarget(file: string, t: WriteTarget): string {
  const given = path.resolve(file);
  const ext = path.extname(given).toLowerCase();
  if (!t.extensions.includes(ext)) {
    throw new ApiError('invalid_argument', `${path.basename(given)} must end in ${t.extensions.join(' or ')}; AU Workbench writes only that kind of file here. Choose a name like labels${t.extensions[0]}.`);
  }
  // The real folder is what gets checked, and the path returned is in it.
  const { real, missing } = realFolder(path.dirname(given));
  const abs = path.join(real, ...missing, path.basename(given));
  checkNames([...missing, path.basename(given)], abs);
  const project = enclosingProject(real);
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

/**
 * A folder of files written as one: built in a hidden temporary folder on the same disk and
 * moved into place by commit(), so a full disk or a crash never leaves a folder that looks like
 * a complete one. A new folder is renamed into place whole; into an existing folder each file
 * is renamed in after all were written (renames need no space), replacing a file of that name
 * only with overwrite. abort() (or a failed commit) removes the temporary folder and any
 * folders made for it.
 */
export class FolderStage {
  private done = false;
  private readonly names: string[] = [];

  private constructor(
    /** The real path the folder lands at. */
    readonly dest: string,
    /** Where the files are built. */
    readonly temp: string,
    private readonly into: boolean,
    private readonly t: WriteTarget,
    private readonly undoFolders: () => void,
  ) {}

  static begin(dest: string, t: WriteTarget): FolderStage {
    const given = path.resolve(dest);
    checkNames([path.basename(given)], given);
    const parent = makeFolders(path.dirname(given));
    const real = path.join(parent.real, path.basename(given));
    try {
      const project = enclosingProject(real);
      if (project && path.relative(project, real).split(path.sep)[0] !== 'exports') {
        throw new ApiError('invalid_argument', `${real} is inside the project ${project}, which holds its own files. Save into its exports folder, or outside the project.`);
      }
      const st = fs.lstatSync(real, { throwIfNoEntry: false });
      if (st && !st.isDirectory()) throw new ApiError('invalid_argument', `${real} is ${st.isSymbolicLink() ? 'a symbolic link' : 'a file'}, not a folder. Name a folder.`);
      const tag = crypto.randomBytes(6).toString('hex');
      const temp = st ? path.join(real, `.auw-partial-${tag}`) : path.join(parent.real, `.${path.basename(real).slice(0, 200)}.${tag}.partial`);
      fs.mkdirSync(temp);
      return new FolderStage(real, temp, Boolean(st), t, parent.undo);
    } catch (err) {
      parent.undo();
      throw err;
    }
  }

  /** Checks `name` as it will land (kind, links, an existing file without overwrite) before anything is written. */
  check(name: string): void {
    if (path.basename(name) !== name || name.startsWith('.')) throw new ApiError('invalid_argument', `"${name}" is not a plain file name.`);
    checkWriteTarget(path.join(this.dest, name), this.t);
  }

  write(name: string, data: string | Buffer): void {
    if (this.into) this.check(name);
    writeFileAtomic(path.join(this.temp, name), data, { extensions: this.t.extensions });
    this.names.push(name);
  }

  commit(): string {
    try {
      if (!this.into) {
        fsyncDir(this.temp);
        if (fs.lstatSync(this.dest, { throwIfNoEntry: false })) throw new ApiError('conflict', `${this.dest} appeared while the export was being written; nothing was overwritten. Try again.`);
        fs.renameSync(this.temp, this.dest);
      } else {
        for (const n of this.names) this.check(n);
        for (const n of this.names) {
          const from = path.join(this.temp, n);
          const to = path.join(this.dest, n);
          if (this.t.overwrite) fs.renameSync(from, to);
          else fs.linkSync(from, to);
        }
        fs.rmSync(this.temp, { recursive: true, force: true });
      }
      fsyncDir(this.into ? this.dest : path.dirname(this.dest));
      this.done = true;
      return this.dest;
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    fs.rmSync(this.temp, { recursive: true, force: true });
    this.undoFolders();
  }
}
