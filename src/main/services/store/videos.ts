import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { Peaks, VideoRow, VideoStatus } from '../../../shared/types';
import type { Db } from './db';

interface Row {
  id: number;
  path: string;
  subject: string | null;
  content_hash: string;
  fps: number;
  frame_count: number;
  duration: number;
  width: number;
  height: number;
  size_bytes: number;
  has_audio: number;
  status: VideoStatus;
  error: string | null;
  added_at: string;
  faces: number;
  sampled: number;
  labelled: number;
}

// Counts come from grouped subqueries so the list stays one statement however many videos.
const SELECT = `
SELECT v.id, v.path, v.subject, v.content_hash, v.fps, v.frame_count, v.duration, v.width, v.height,
       v.size_bytes, v.has_audio, v.status, v.error, v.added_at,
       coalesce(f.faces, 0) AS faces, coalesce(s.sampled, 0) AS sampled, coalesce(l.labelled, 0) AS labelled
FROM videos v
LEFT JOIN (SELECT video_id, sum(face) AS faces FROM frames GROUP BY video_id) f ON f.video_id = v.id
LEFT JOIN (SELECT ss.video_id, count(DISTINCT sf.frame_idx) AS sampled
           FROM sample_sets ss JOIN sampled_frames sf ON sf.sample_set_id = ss.id GROUP BY ss.video_id) s ON s.video_id = v.id
LEFT JOIN (SELECT video_id, count(DISTINCT frame_idx) AS labelled FROM labels GROUP BY video_id) l ON l.video_id = v.id`;

function toVideo(r: Row): VideoRow {
  return {
    id: r.id,
    path: r.path,
    name: path.basename(r.path),
    subject: r.subject,
    contentHash: r.content_hash,
    fps: r.fps,
    frameCount: r.frame_count,
    duration: r.duration,
    width: r.width,
    height: r.height,
    sizeBytes: r.size_bytes,
    hasAudio: r.has_audio === 1,
    status: r.status,
    error: r.error,
    addedAt: r.added_at,
    facesFound: r.faces,
    sampled: r.sampled,
    labelled: r.labelled,
  };
}

export function listVideos(db: Db): VideoRow[] {
  return (db.prepare(`${SELECT} ORDER BY v.id`).all() as Row[]).map(toVideo);
}

export function getVideo(db: Db, id: number): VideoRow {
  const row = db.prepare(`${SELECT} WHERE v.id = ?`).get(id) as Row | undefined;
  if (!row) throw new ApiError('not_found', `There is no video ${id} in this project. Reload the video list.`);
  return toVideo(row);
}

export interface NewVideo {
  path: string;
  contentHash: string;
  subject: string | null;
  fps: number;
  frameCount: number;
  duration: number;
  width: number;
  height: number;
  sizeBytes: number;
  hasAudio: boolean;
  codec: string | null;
  videoStartSec: number;
  variableFps: boolean;
}

/** The video a failed import left for this content, if any (importing it again retries into it). */
export function failedVideoWithHash(db: Db, contentHash: string): number | null {
  const row = db.prepare("SELECT id FROM videos WHERE content_hash = ? AND status = 'failed'").get(contentHash) as { id: number } | undefined;
  return row?.id ?? null;
}

export function insertVideo(db: Db, v: NewVideo): number {
  const dup = db.prepare('SELECT id, path, status FROM videos WHERE content_hash = ?').get(v.contentHash) as
    | { id: number; path: string; status: VideoStatus }
    | undefined;
  if (dup) {
    throw new ApiError('conflict', `${path.basename(v.path)} is already in the project as video ${dup.id} (${dup.path}); it was not imported twice.`);
  }
  const info = db
    .prepare(
      `INSERT INTO videos (path, content_hash, subject, fps, frame_count, duration, width, height, size_bytes, has_audio, codec,
                           video_start, variable_fps, status, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    )
    .run(
      v.path, v.contentHash, v.subject, v.fps, v.frameCount, v.duration, v.width, v.height, v.sizeBytes, v.hasAudio ? 1 : 0, v.codec,
      v.videoStartSec, v.variableFps ? 1 : 0, new Date().toISOString(),
    );
  return Number(info.lastInsertRowid);
}

export function setVideoStatus(db: Db, id: number, status: VideoStatus, error: string | null = null): void {
  db.prepare('UPDATE videos SET status = ?, error = ? WHERE id = ?').run(status, error, id);
}

export function setSubject(db: Db, id: number, subject: string | null): VideoRow {
  getVideo(db, id);
  db.prepare('UPDATE videos SET subject = ? WHERE id = ?').run(subject, id);
  return getVideo(db, id);
}


/** Peaks are stored as compact JSON (3 decimals): wavesurfer takes them as they are. */
export function setPeaks(db: Db, id: number, peaks: Peaks): void {
  const compact = { perSecond: peaks.perSecond, channels: peaks.channels.map((c) => c.map((v) => Math.round(v * 1000) / 1000)) };
  db.prepare('UPDATE videos SET peaks = ? WHERE id = ?').run(Buffer.from(JSON.stringify(compact)), id);
}

export function getPeaks(db: Db, id: number): Peaks | null {
  const row = db.prepare('SELECT peaks FROM videos WHERE id = ?').get(id) as { peaks: Buffer | null } | undefined;
  if (!row) throw new ApiError('not_found', `There is no video ${id} in this project.`);
  return row.peaks ? (JSON.parse(row.peaks.toString('utf8')) as Peaks) : null;
}

/**
 * Imports that can no longer be running (the app was killed, the power went) but still say
 * 'pending' or 'ingesting' become 'failed' with a message that offers Retry import; their
 * labels, sample sets and the frames written so far stay. Called when a project opens.
 */
export function failStrandedImports(db: Db): number {
  return db
    .prepare(
      `UPDATE videos SET status = 'failed',
         error = 'The import was interrupted (the app closed or crashed). Retry import continues from what was written; labels and sample sets are kept.'
       WHERE status IN ('pending', 'ingesting')`,
    )
    .run().changes;
}

export function deleteVideo(db: Db, id: number): void {
  db.prepare('DELETE FROM videos WHERE id = ?').run(id);
}

/** The file and frame count a retried import found (the count from the probe, then from decoding). */
export function setImportedFile(db: Db, id: number, f: { path?: string; frameCount: number }): void {
  if (f.path !== undefined) db.prepare('UPDATE videos SET path = ?, frame_count = ? WHERE id = ?').run(f.path, f.frameCount, id);
  else db.prepare('UPDATE videos SET frame_count = ? WHERE id = ?').run(f.frameCount, id);
}

export function setVideoPath(db: Db, id: number, newPath: string): void {
  db.prepare("UPDATE videos SET path = ?, status = CASE WHEN status = 'missing' THEN 'ready' ELSE status END WHERE id = ?").run(newPath, id);
}

export interface VideoSource {
  path: string;
  fps: number;
  frameCount: number;
  status: VideoStatus;
  videoStartSec: number;
  variableFps: boolean;
}

export function videoSource(db: Db, id: number): VideoSource {
  const row = db
    .prepare('SELECT path, fps, frame_count AS frameCount, status, video_start AS videoStartSec, variable_fps AS variableFps FROM videos WHERE id = ?')
    .get(id) as (Omit<VideoSource, 'variableFps'> & { variableFps: number }) | undefined;
  if (!row) throw new ApiError('not_found', `There is no video ${id} in this project. Reload the video list.`);
  return { ...row, variableFps: row.variableFps === 1 };
}

/** What a source check compares: the import's fingerprint of each video's file. */
export interface SourcePrint {
  id: number;
  path: string;
  sizeBytes: number;
  contentHash: string;
  mtimeMs: number | null;
  status: VideoStatus;
}

export function sourcePrints(db: Db, id?: number): SourcePrint[] {
  const sql = `SELECT id, path, size_bytes AS sizeBytes, content_hash AS contentHash, source_mtime_ms AS mtimeMs, status FROM videos${id === undefined ? '' : ' WHERE id = ?'}`;
  return (id === undefined ? db.prepare(sql).all() : db.prepare(sql).all(id)) as SourcePrint[];
}

/** The modification time of the file a video's fingerprint was last confirmed on. */
export function setSourceMtime(db: Db, id: number, mtimeMs: number): void {
  db.prepare('UPDATE videos SET source_mtime_ms = ? WHERE id = ?').run(mtimeMs, id);
}
