import fs from 'node:fs';
import path from 'node:path';
import { AU_PRESETS, type AuPreset } from '../../../shared/aus';
import { ApiError } from '../../../shared/errors';
import type { AuSet, ProjectSummary } from '../../../shared/types';
import { checkVersion, inspectDatabase, isReadOnlyError, openWriter, type Db } from './db';
import { acquireProjectLock } from './lock';
import { explainSystemError } from '../system-errors';
import { SCHEMA_VERSION } from './migrations';
import { realish } from '../files/real-path';
import { keepReserve } from './reserve';

export const DB_FILE = 'project.sqlite';
export const PROJECT_DIRS = ['media', 'models', 'exports'] as const;
export const DEFAULT_CROP_SIZE = 64;

export type AuSetChoice = { preset: AuPreset } | { custom: number[]; name: string };

export interface CreateOptions {
  name: string;
  auSet: AuSetChoice;
  cropSize?: number;
}

const now = () => new Date().toISOString();

/** The project folder `p` lies in (itself or an ancestor that holds project.sqlite), if any; by real path. */
export function enclosingProject(p: string): string | null {
  let dir = realish(p);
  for (;;) {
    if (fs.existsSync(path.join(dir, DB_FILE))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** An open project: its folder, the one writer connection, and the lock that keeps it ours. */
export class Project {
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly db: Db,
    private readonly releaseLock: () => void,
  ) {}

  static create(dir: string, options: CreateOptions): Project {
    if (fs.lstatSync(path.resolve(dir), { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new ApiError('invalid_argument', `${path.resolve(dir)} is a symbolic link. Choose the real folder for the project.`);
    }
    // Its real place: a link on the way cannot put it inside another project, nor be re-pointed under it.
    const abs = realish(dir);
    if (fs.existsSync(path.join(abs, DB_FILE))) {
      throw new ApiError('conflict', `${abs} already holds a project. Open it instead, or choose an empty folder.`);
    }
    const host = enclosingProject(path.dirname(abs));
    if (host) throw new ApiError('conflict', `${abs} is inside the project ${host}. Create the new project in a folder of its own, outside any project.`);
    if (fs.existsSync(abs)) {
      if (!fs.statSync(abs).isDirectory()) throw new ApiError('invalid_argument', `${abs} is a file, not a folder. Choose a folder for the project.`);
      const visible = fs.readdirSync(abs).filter((f) => !f.startsWith('.'));
      if (visible.length) {
        throw new ApiError('conflict', `${abs} is not empty. Create the project in a new or empty folder so no file of yours gets mixed in.`);
      }
    }
    try {
      fs.mkdirSync(abs, { recursive: true });
      fs.accessSync(abs, fs.constants.W_OK);
    } catch (err) {
      const explained = explainSystemError(err);
      // A name too long or a file in the way says so; anything else means the place is not writable.
      if (explained && (explained.code === 'invalid_argument' || explained.code === 'disk_full')) throw explained;
      throw new ApiError('read_only', `Cannot create a project in ${abs}: ${(err as Error).message}. Choose a folder you can write to.`);
    }
    const release = acquireProjectLock(abs);
    let db: Db | undefined;
    try {
      for (const sub of PROJECT_DIRS) fs.mkdirSync(path.join(abs, sub), { recursive: true });
      db = openWriter(path.join(abs, DB_FILE));
      const set = resolveAuSet(options.auSet);
      const writer = db;
      writer.transaction(() => {
        seedBuiltinAuSets(writer);
        const existing = writer.prepare('SELECT id FROM au_sets WHERE name = ?').get(set.name) as { id: number } | undefined;
        const auSetId =
          existing?.id ??
          Number(writer.prepare('INSERT INTO au_sets (name, aus, builtin) VALUES (?, ?, 0)').run(set.name, JSON.stringify(set.aus)).lastInsertRowid);
        const put = writer.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        put.run('name', options.name);
        put.run('created_at', now());
        put.run('au_set_id', String(auSetId));
        put.run('crop_size', String(options.cropSize ?? DEFAULT_CROP_SIZE));
      })();
      return new Project(abs, db, release);
    } catch (err) {
      db?.close();
      release();
      // Leave no half-made project behind: the folder was empty (or new) when we started.
      for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, ...PROJECT_DIRS]) fs.rmSync(path.join(abs, f), { recursive: true, force: true });
      throw err;
    }
  }

  static open(dir: string): Project {
    if (!fs.existsSync(path.resolve(dir))) throw new ApiError('not_found', `There is no folder at ${path.resolve(dir)}. Check the path, or create a new project.`);
    // Opened and held by its real path: re-pointing a link it was opened through later changes
    // nothing about which files this project reads and writes, nor which lock it holds.
    const abs = fs.realpathSync(path.resolve(dir));
    if (!fs.statSync(abs).isDirectory()) throw new ApiError('not_a_project', `${abs} is a file. Choose the project folder, the one that holds ${DB_FILE}.`);
    const file = path.join(abs, DB_FILE);
    if (!fs.existsSync(file)) {
      throw new ApiError(
        'not_a_project',
        `${abs} is not an AU Workbench project: it has no ${DB_FILE}. Choose the folder that holds ${DB_FILE}, or create a new project.`,
      );
    }
    if (!fs.statSync(file).isFile()) {
      throw new ApiError(
        'not_a_project',
        `${file} is a folder, not a database file, so this project cannot be opened. Move that folder out of the way and put the project's ${DB_FILE} back (from a backup), or create a new project.`,
      );
    }
    if (fs.statSync(file).size === 0) {
      throw new ApiError('not_a_project', `${file} is empty (0 bytes): the project database is missing its contents. Restore it from a backup, or create a new project.`);
    }
    checkVersion(file, inspectDatabase(file));
    try {
      fs.accessSync(abs, fs.constants.W_OK);
      fs.accessSync(file, fs.constants.W_OK);
    } catch {
      throw new ApiError('read_only', `${abs} is read-only (disk or permissions). Copy the project to a writable folder and open the copy.`);
    }
    const release = acquireProjectLock(abs);
    try {
      const db = openWriter(file);
      for (const sub of PROJECT_DIRS) fs.mkdirSync(path.join(abs, sub), { recursive: true });
      keepReserve(abs);
      return new Project(abs, db, release);
    } catch (err) {
      release();
      if (isReadOnlyError(err)) {
        throw new ApiError('read_only', `${abs} cannot be written (${(err as Error).message}). Copy the project to a writable folder and open the copy.`);
      }
      throw err;
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  meta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  get cropSize(): number {
    return Number(this.meta('crop_size') ?? DEFAULT_CROP_SIZE);
  }

  auSet(): AuSet {
    const id = Number(this.meta('au_set_id'));
    const row = this.db.prepare('SELECT id, name, aus, builtin FROM au_sets WHERE id = ?').get(id) as AuSetRow | undefined;
    if (!row) throw new ApiError('internal', 'The project has no AU set recorded; the database may be damaged.');
    return toAuSet(row);
  }

  auSets(): AuSet[] {
    return (this.db.prepare('SELECT id, name, aus, builtin FROM au_sets ORDER BY builtin DESC, name').all() as AuSetRow[]).map(toAuSet);
  }

  summary(): ProjectSummary {
    const count = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return {
      dir: this.dir,
      name: this.meta('name') ?? path.basename(this.dir),
      schemaVersion: SCHEMA_VERSION,
      createdAt: this.meta('created_at') ?? '',
      auSet: this.auSet(),
      cropSize: this.cropSize,
      counts: {
        videos: count('SELECT count(*) AS n FROM videos'),
        labels: count('SELECT count(*) AS n FROM labels'),
        models: count('SELECT count(*) AS n FROM models'),
      },
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
      this.releaseLock();
    }
  }
}

interface AuSetRow {
  id: number;
  name: string;
  aus: string;
  builtin: number;
}

function toAuSet(row: AuSetRow): AuSet {
  return { id: row.id, name: row.name, aus: JSON.parse(row.aus) as number[], builtin: row.builtin === 1 };
}

function resolveAuSet(choice: AuSetChoice): { name: string; aus: number[] } {
  if ('preset' in choice) return { name: AU_PRESETS[choice.preset].name, aus: [...AU_PRESETS[choice.preset].aus] };
  return { name: choice.name, aus: [...choice.custom].sort((a, b) => a - b) };
}

function seedBuiltinAuSets(db: Db): void {
  const insert = db.prepare('INSERT OR IGNORE INTO au_sets (name, aus, builtin) VALUES (?, ?, 1)');
  for (const preset of Object.values(AU_PRESETS)) insert.run(preset.name, JSON.stringify(preset.aus));
}
