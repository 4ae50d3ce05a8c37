import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ApiError } from '../../../shared/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { CORRUPT_ADVICE } from '../system-errors';

export type Db = Database.Database;

/** 'AUWB': marks a SQLite file as ours, so a random .sqlite is not mistaken for a project. */
export const APPLICATION_ID = 0x41555742;

function sqliteCode(err: unknown): string {
  return typeof err === 'object' && err && 'code' in err ? String((err as { code: unknown }).code) : '';
}

/**
 * Reads the version stamps without writing anything, so a database from a newer version or a
 * foreign file is refused before a single byte of it changes.
 */
export function inspectDatabase(file: string): { userVersion: number; applicationId: number; objects: number } {
  let db: Db | undefined;
  let ours = false;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    ours = applicationId === APPLICATION_ID;
    const objects = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n;
    if (ours) {
      // A damaged page deep in a table would otherwise open fine and fail later, mid-session,
      // as an internal error. quick_check reads every page (not the slower index cross-checks).
      const problems = (db.pragma('quick_check(3)') as { quick_check: string }[]).map((r) => r.quick_check).filter((r) => r !== 'ok');
      if (problems.length) throw Object.assign(new Error(problems.join('; ')), { code: 'SQLITE_CORRUPT' });
    }
    return { userVersion, applicationId, objects };
  } catch (err) {
    // A WAL database cannot even be opened read-only where its -shm file cannot be created.
    if (isReadOnlyError(err) && !writable(path.dirname(file))) {
      throw new ApiError('read_only', `${path.dirname(file)} is read-only (disk or permissions). Copy the project to a writable folder and open the copy.`);
    }
    if (ours && sqliteCode(err).startsWith('SQLITE_CORRUPT')) {
      throw new ApiError('corrupt', `${file} is an AU Workbench project, but its database is damaged (${(err as Error).message.slice(0, 200)}). It was not changed. ${CORRUPT_ADVICE}`);
    }
    if (sqliteCode(err) === 'SQLITE_NOTADB' || sqliteCode(err).startsWith('SQLITE_CORRUPT')) {
      throw new ApiError(
        'not_a_project',
        `${file} is not a readable SQLite database (it may be damaged). Restore it from a backup, or create a new project.`,
      );
    }
    throw err;
  } finally {
    db?.close();
  }
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function checkVersion(file: string, info: { userVersion: number; applicationId: number; objects?: number }): void {
  // Application id 0 is only ours when the file is still empty (a create that never got to migrate).
  const emptyUnstamped = info.applicationId === 0 && info.userVersion === 0 && (info.objects ?? 0) === 0;
  if (info.applicationId !== APPLICATION_ID && !emptyUnstamped) {
    throw new ApiError('not_a_project', `${file} is a SQLite database, but not an AU Workbench project.`);
  }
  if (info.userVersion > SCHEMA_VERSION) {
    throw new ApiError(
      'newer_version',
      `This project was saved by a newer AU Workbench (schema ${info.userVersion}; this version reads up to ${SCHEMA_VERSION}). ` +
        'Update AU Workbench to open it. The project was not changed.',
    );
  }
}

/** Opens the one writer connection: WAL, foreign keys on, migrated to the current schema. */
export function openWriter(file: string): Db {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // FULL: in WAL mode NORMAL may roll back the last commits after a power loss, and an
    // acknowledged label must survive one (SQLite's documented durability trade-off).
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 2000');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new ApiError('newer_version', `Database schema ${current} is newer than this AU Workbench (${SCHEMA_VERSION}).`);
  }
  const pending = MIGRATIONS.filter((m) => m.version > current);
  if (!pending.length) return;
  // Foreign keys off while migrating (SQLite's procedure for rebuilding a table: dropping a
  // parent table would otherwise cascade into its children), checked before the commit.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const m of pending) {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }
      const broken = db.pragma('foreign_key_check') as { table: string }[];
      if (broken.length) throw new Error(`Migration left ${broken.length} rows with a dangling reference (first in ${broken[0]!.table}); nothing was changed.`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    })();
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}

export function isReadOnlyError(err: unknown): boolean {
  const code = sqliteCode(err);
  return code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'EROFS' || code === 'EACCES';
}
