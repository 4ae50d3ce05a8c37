import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/errors';
import { APPLICATION_ID, migrate } from '../../../src/main/services/store/db';
import { LOCK_FILE } from '../../../src/main/services/store/lock';
import { SCHEMA_VERSION } from '../../../src/main/services/store/migrations';
import { DB_FILE, Project, type CreateOptions } from '../../../src/main/services/store/project';
import { labelsForVideo, setLabel } from '../../../src/main/services/store/labels';
import { DISFA_AUS } from '../../../src/shared/aus';
import { addVideo } from '../../helpers/project';
import { caught, sha256, tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-store-');
const open: Project[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
const mounts: string[] = [];

const disfa: CreateOptions = { name: 'Pilot study', auSet: { preset: 'disfa' } };

function create(options: CreateOptions = disfa): Project {
  const p = Project.create(path.join(tmp.make(), 'proj'), options);
  open.push(p);
  return p;
}

function track(p: Project): Project {
  open.push(p);
  return p;
}

/** A closed project on disk; returns its folder. */
function closedProject(): string {
  const p = Project.create(path.join(tmp.make(), 'proj'), disfa);
  const dir = p.dir;
  p.close();
  return dir;
}

function apiError(err: unknown, code: string): ApiError {
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(code);
  return err as ApiError;
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

/** The folder's files apart from SQLite's WAL sidecars (-wal, -shm). */
function listingWithoutSidecars(dir: string): string[] {
  return listing(dir).filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm'));
}

afterEach(async () => {
  for (const p of open.splice(0)) p.close();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }
  for (const m of mounts.splice(0)) spawnSync('umount', [m]);
  tmp.cleanup();
});

describe('migrations from an empty folder', () => {
  it('stamps the schema version and application id', () => {
    const p = create();
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(p.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(p.summary().schemaVersion).toBe(SCHEMA_VERSION);
  });

  it('makes every table STRICT', () => {
    const p = create();
    const tables = p.db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
      strict: number;
    }[];
    expect(tables.map((t) => t.name).sort()).toEqual(
      ['au_sets', 'double_coded_frames', 'double_coding', 'frames', 'jobs', 'label_history', 'labels', 'meta', 'models', 'neutral_marks', 'openface_tracks', 'predictions', 'sample_sets', 'sampled_frames', 'videos'].sort(),
    );
    for (const t of tables) expect({ table: t.name, strict: t.strict }).toEqual({ table: t.name, strict: 1 });
  });

  it('uses WAL and enforces foreign keys', () => {
    const p = create();
    expect(p.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(p.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() => p.db.prepare('INSERT INTO frames (video_id, idx, face) VALUES (999, 0, 1)').run()).toThrow(/FOREIGN KEY/);
  });

  it('creates the project folders and seeds the built-in AU sets', () => {
    const p = create({ name: 'x', auSet: { custom: [12, 6, 25], name: 'Smile' }, cropSize: 96 });
    expect(listingWithoutSidecars(p.dir)).toEqual(['exports', LOCK_FILE, 'media', 'models', DB_FILE].sort());
    const s = p.summary();
    expect(s.auSet).toMatchObject({ name: 'Smile', aus: [6, 12, 25], builtin: false });
    expect(s.cropSize).toBe(96);
    expect(p.auSets().filter((a) => a.builtin).map((a) => a.name)).toEqual(['BP4D intensity (5 AUs)', 'DISFA (12 AUs)']);
  });

  it('runs a migration in one transaction: a failure leaves the schema as it was', () => {
    const file = path.join(tmp.make(), 'partial.sqlite');
    const db = new Database(file);
    try {
      // 'jobs' already exists, so the initial migration fails part-way through.
      db.exec('CREATE TABLE jobs (x INTEGER)');
      expect(() => migrate(db)).toThrow(/already exists/);
      expect(db.pragma('user_version', { simple: true })).toBe(0);
      expect(db.pragma('application_id', { simple: true })).toBe(0);
      const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
      expect(names).toEqual(['jobs']);
    } finally {
      db.close();
    }
  });

  it('refuses a non-empty folder and an existing project, and leaves nothing behind on failure', () => {
    const dir = tmp.make();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    apiError(caught(() => Project.create(dir, disfa)), 'conflict');
    expect(listing(dir)).toEqual(['notes.txt']);

    const existing = closedProject();
    apiError(caught(() => Project.create(existing, disfa)), 'conflict');

    // An AU set name over 60 characters violates a CHECK inside the creating transaction.
    const fresh = path.join(tmp.make(), 'fresh');
    expect(() => Project.create(fresh, { name: 'x', auSet: { custom: [1], name: 'n'.repeat(61) } })).toThrow(/CHECK constraint/);
    expect(listing(fresh)).toEqual([]);
  });
});

describe('reopening', () => {
  it('keeps data across close and open', () => {
    const p = create();
    const videoId = addVideo(p.db);
    setLabel(p.db, { videoId, frame: 3, au: 12, annotator: 'ann', intensity: 4 }, DISFA_AUS);
    const dir = p.dir;
    const before = p.summary();
    p.close();
    open.splice(open.indexOf(p), 1);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);

    const again = track(Project.open(dir));
    expect(again.summary()).toEqual(before);
    expect(again.summary().counts).toEqual({ videos: 1, labels: 1, models: 0 });
    expect(labelsForVideo(again.db, videoId)).toMatchObject([{ frame: 3, au: 12, annotator: 'ann', intensity: 4 }]);
    expect(again.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });
});

describe('refusing what is not ours', () => {
  it('refuses a newer schema without changing a byte', () => {
    const dir = closedProject();
    const file = path.join(dir, DB_FILE);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const hash = sha256(file);
    const files = listing(dir);

    const err = apiError(caught(() => Project.open(dir)), 'newer_version');
    expect(err.message).toMatch(/newer AU Workbench/);
    expect(err.message).toMatch(/not changed/);
    expect(sha256(file)).toBe(hash);
    // No lock taken, nothing created; the read-only inspection may leave SQLite's empty WAL
    // sidecars (a read-only connection cannot remove them), but never any content.
    expect(listingWithoutSidecars(dir)).toEqual(files);
    const wal = path.join(dir, `${DB_FILE}-wal`);
    if (fs.existsSync(wal)) expect(fs.statSync(wal).size).toBe(0);
  });

  it('refuses a folder without project.sqlite', () => {
    const dir = tmp.make();
    const err = apiError(caught(() => Project.open(dir)), 'not_a_project');
    expect(err.message).toContain(DB_FILE);
    expect(listing(dir)).toEqual([]);
  });

  it('refuses a project.sqlite that is a folder, saying what to do (issue 24 §14)', () => {
    const dir = tmp.make();
    fs.mkdirSync(path.join(dir, DB_FILE));
    const err = apiError(caught(() => Project.open(dir)), 'not_a_project');
    expect(err.message).toContain('is a folder');
    expect(err.message).toMatch(/backup/);
    expect(fs.readdirSync(path.join(dir, DB_FILE))).toEqual([]);
  });

  it('refuses a missing folder and a file', () => {
    apiError(caught(() => Project.open(path.join(tmp.make(), 'nope'))), 'not_found');
    const file = path.join(tmp.make(), 'file.txt');
    fs.writeFileSync(file, 'x');
    apiError(caught(() => Project.open(file)), 'not_a_project');
  });

  it.each([
    ['text', Buffer.from('this is not a database, just some notes\n'.repeat(40))],
    ['random bytes', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256))],
    ['a truncated SQLite header', Buffer.from('SQLite format 3\0garbage')],
    ['an empty file', Buffer.alloc(0)],
  ])('refuses a garbage project.sqlite (%s) without changing it', (_name, bytes) => {
    const dir = tmp.make();
    const file = path.join(dir, DB_FILE);
    fs.writeFileSync(file, bytes);
    const hash = sha256(file);
    const err = apiError(caught(() => Project.open(dir)), 'not_a_project');
    expect(err.message).toMatch(/not a readable SQLite database|is empty \(0 bytes\)/);
    expect(sha256(file)).toBe(hash);
    expect(listing(dir)).toEqual([DB_FILE]);
  });

  it("refuses another application's SQLite database without changing it", () => {
    const dir = tmp.make();
    const file = path.join(dir, DB_FILE);
    const db = new Database(file);
    db.pragma('application_id = 1234567');
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    db.close();
    const hash = sha256(file);
    const err = apiError(caught(() => Project.open(dir)), 'not_a_project');
    expect(err.message).toMatch(/not an AU Workbench project/);
    expect(sha256(file)).toBe(hash);
  });

  it('refuses a foreign SQLite database that has no application id but has tables of its own', () => {
    const dir = tmp.make();
    const file = path.join(dir, DB_FILE);
    const db = new Database(file);
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    db.close();
    const hash = sha256(file);
    apiError(caught(() => Project.open(dir)), 'not_a_project');
    expect(sha256(file)).toBe(hash);
    expect(listing(dir)).toEqual([DB_FILE]);
  });
});

/** Starts a separate Node process that opens the project and holds it. */
async function holdInChild(dir: string): Promise<ChildProcessWithoutNullStreams> {
  const helper = path.resolve(__dirname, '../../helpers/hold-project.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', helper, dir], { cwd: path.resolve(__dirname, '../../..') });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before opening the project: ${err}`)));
  });
  return child;
}

function exited(child: ChildProcessWithoutNullStreams): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
}

describe('one instance per project', () => {
  it('refuses a project another live process holds, and opens it once that process closes it', async () => {
    const dir = closedProject();
    const child = await holdInChild(dir);
    const lock = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(child.pid);

    const err = apiError(caught(() => Project.open(dir)), 'locked');
    expect(err.message).toContain(String(child.pid));
    expect(err.message).toMatch(/one instance at a time/);

    child.stdin.end();
    await exited(child);
    expect(child.exitCode).toBe(0);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    track(Project.open(dir));
  });

  it('takes over the lock of a process that crashed while holding the project', async () => {
    const dir = closedProject();
    const child = await holdInChild(dir);
    child.kill('SIGKILL');
    await exited(child);
    // The crash left its lock file (and maybe its WAL) behind.
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);

    const p = track(Project.open(dir));
    const lock = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
    expect(p.summary().name).toBe(disfa.name);
  });

  it('takes over a stale lock naming a dead pid, and an unreadable lock file', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']);
    expect(dead.status).toBe(0);
    const deadPid = dead.pid;
    const dir = closedProject();
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid, host: os.hostname(), since: '2020-01-01T00:00:00Z' }));
    const p = Project.open(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    p.close();

    fs.writeFileSync(path.join(dir, LOCK_FILE), '{ half a lock');
    track(Project.open(dir));
  });

  it('refuses a project locked from another computer', () => {
    const dir = closedProject();
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'other-host.example', since: '2020-01-01T00:00:00Z' }));
    const err = apiError(caught(() => Project.open(dir)), 'locked');
    expect(err.message).toMatch(/another computer \(other-host\.example\)/);
  });

  it('writes a lock naming this process and host, and removes it on close', () => {
    const p = create();
    expect(JSON.parse(fs.readFileSync(path.join(p.dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    p.close();
    open.splice(open.indexOf(p), 1);
    expect(fs.existsSync(path.join(p.dir, LOCK_FILE))).toBe(false);
  });
});

/**
 * A real read-only condition. As root, chmod does not stop writes, so a read-only bind mount
 * is used when this sandbox allows mounting; otherwise chmod (effective for other users).
 */
function makeReadOnly(dir: string): { ok: true } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o555);
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o555);
    return { ok: true };
  }
  const bind = spawnSync('mount', ['--bind', dir, dir]);
  if (bind.status !== 0) return { ok: false, reason: `running as root and cannot bind-mount (${bind.stderr.toString().trim()})` };
  mounts.push(dir);
  const ro = spawnSync('mount', ['-o', 'remount,ro,bind', dir]);
  if (ro.status !== 0) return { ok: false, reason: `running as root and cannot remount read-only (${ro.stderr.toString().trim()})` };
  try {
    fs.writeFileSync(path.join(dir, '.probe'), 'x');
    return { ok: false, reason: 'the read-only mount still accepted a write' };
  } catch {
    return { ok: true };
  }
}

function restoreWritable(dir: string): void {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o755);
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o755);
  }
}

describe('read-only projects', () => {
  it('opening a project on a read-only disk says so and changes nothing', (ctx) => {
    const dir = closedProject();
    const file = path.join(dir, DB_FILE);
    const hash = sha256(file);
    const files = listing(dir);
    const ro = makeReadOnly(dir);
    if (!ro.ok) {
      console.warn(`[skip] read-only project test: ${ro.reason}`);
      ctx.skip();
      return;
    }
    try {
      const err = apiError(caught(() => Project.open(dir)), 'read_only');
      expect(err.message).toMatch(/read-only|cannot be written/);
      expect(err.message).toMatch(/Copy the project to a writable folder/);
      expect(sha256(file)).toBe(hash);
      expect(listing(dir)).toEqual(files);
    } finally {
      restoreWritable(dir);
    }
  });

  it('creating a project in a read-only folder says so', (ctx) => {
    const parent = tmp.make();
    const ro = makeReadOnly(parent);
    if (!ro.ok) {
      console.warn(`[skip] read-only create test: ${ro.reason}`);
      ctx.skip();
      return;
    }
    try {
      const err = apiError(caught(() => Project.create(path.join(parent, 'new'), disfa)), 'read_only');
      expect(err.message).toMatch(/Choose a folder you can write to/);
      expect(listing(parent)).toEqual([]);
    } finally {
      restoreWritable(parent);
    }
  });
});
