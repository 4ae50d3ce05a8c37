import type { Job, JobState } from '../../../shared/types';
import type { Db } from './db';
import { ApiError } from '../../../shared/errors';

interface Row {
  id: number;
  kind: string;
  state: JobState;
  params: string;
  progress: number;
  message: string | null;
  eta_seconds: number | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/**
 * A row's params as stored (the table checks they are JSON). A row whose params are JSON but
 * not an object (hand-edited) reads as no params: its kind's schema then fails it with what
 * is missing, instead of every list of jobs failing on it.
 */
function readParams(text: string): Record<string, unknown> {
  const v: unknown = JSON.parse(text);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const toJob = (r: Row): Job => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  params: readParams(r.params),
  progress: r.progress,
  message: r.message,
  etaSeconds: r.eta_seconds,
  error: r.error,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

const now = () => new Date().toISOString();

// Every column but the log: it can hold hundreds of kB per job (training appends per step) and
// is read only where it is shown.
const COLUMNS = 'id, kind, state, params, progress, message, eta_seconds, error, created_at, started_at, finished_at';

export function insertJob(db: Db, kind: string, params: Record<string, unknown>): Job {
  const id = Number(db.prepare('INSERT INTO jobs (kind, params, created_at) VALUES (?, ?, ?)').run(kind, JSON.stringify(params), now()).lastInsertRowid);
  return getJob(db, id);
}

export function getJob(db: Db, id: number): Job {
  const row = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`).get(id) as Row | undefined;
  if (!row) throw new ApiError('not_found', `There is no job ${id} in this project.`);
  return toJob(row);
}

export function listJobs(db: Db, limit: number): Job[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?`).all(limit) as Row[]).map(toJob);
}

/** The oldest queued job of one of `kinds` (a lane's), or, with `except`, of any other kind. */
export function nextQueuedJob(db: Db, kinds: readonly string[], opts: { except?: boolean } = {}): Job | null {
  const list = JSON.stringify(kinds);
  const row = db
    .prepare(`SELECT ${COLUMNS} FROM jobs WHERE state = 'queued' AND kind ${opts.except ? 'NOT IN' : 'IN'} (SELECT value FROM json_each(?)) ORDER BY id LIMIT 1`)
    .get(list) as Row | undefined;
  return row ? toJob(row) : null;
}

export interface JobUpdate {
  state?: JobState;
  progress?: number;
  message?: string | null;
  etaSeconds?: number | null;
  error?: string | null;
  appendLog?: string;
}

export function updateJob(db: Db, id: number, u: JobUpdate): Job {
  const current = getJob(db, id);
  const state = u.state ?? current.state;
  const terminal = state === 'done' || state === 'failed' || state === 'cancelled' || state === 'interrupted';
  db.prepare(
    `UPDATE jobs SET state = ?, progress = ?, message = ?, eta_seconds = ?, error = ?,
       log = CASE WHEN ? IS NULL THEN log ELSE substr(log || ? || char(10), -200000) END,
       started_at = CASE WHEN ? = 'running' AND started_at IS NULL THEN ? ELSE started_at END,
       finished_at = CASE WHEN ? THEN ? ELSE finished_at END
     WHERE id = ?`,
  ).run(
    state,
    Math.min(1, Math.max(0, u.progress ?? current.progress)),
    u.message === undefined ? current.message : u.message,
    u.etaSeconds === undefined ? current.etaSeconds : u.etaSeconds,
    u.error === undefined ? current.error : u.error,
    u.appendLog ?? null,
    u.appendLog ?? '',
    state,
    now(),
    terminal ? 1 : 0,
    now(),
    id,
  );
  return getJob(db, id);
}

/**
 * What an interrupted job of a kind says to do next: training and prediction resume from
 * their checkpoint ('models/resume'); an import continues through its video's Retry import,
 * since the video (not the job) holds what was written.
 */
export function interruptedMessage(kind: string): string {
  return kind === 'import'
    ? 'Stopped when the app closed or crashed. Use Retry import on the video to continue from what was written; its labels and sample sets are kept.'
    : 'Stopped when the app closed or crashed; resume it to continue from the last checkpoint.';
}

/**
 * After a crash, jobs left 'running' did not finish. They become 'interrupted' so the UI can
 * offer the way to go on (interruptedMessage) instead of showing a stuck bar forever.
 */
export function markInterrupted(db: Db): number {
  const rows = db.prepare("SELECT id, kind FROM jobs WHERE state = 'running'").all() as { id: number; kind: string }[];
  const mark = db.prepare("UPDATE jobs SET state = 'interrupted', message = ?, finished_at = ? WHERE id = ? AND state = 'running'");
  const at = now();
  return db.transaction(() => rows.reduce((n, r) => n + mark.run(interruptedMessage(r.kind), at, r.id).changes, 0))();
}
