import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { VideoRow, VideoStatus } from '../../../shared/types';
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
}

export function insertVideo(db: Db, v: NewVideo): number {
  const dup = db.prepare('SELECT id, path FROM videos WHERE content_hash = ?').get(v.contentHash) as { id: number; path: string } | undefined;
  if (dup) {
    throw new ApiError('conflict', `${path.basename(v.path)} is already in the project as video ${dup.id} (${dup.path}); it was not imported twice.`);
  }
  const info = db
    .prepare(
      `INSERT INTO videos (path, content_hash, subject, fps, frame_count, duration, width, height, size_bytes, has_audio, codec, status, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    )
    .run(v.path, v.contentHash, v.subject, v.fps, v.frameCount, v.duration, v.width, v.height, v.sizeBytes, v.hasAudio ? 1 : 0, v.codec, new Date().toISOString());
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
