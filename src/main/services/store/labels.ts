import type { Label, LabelChange } from '../../../shared/types';
import type { Db } from './db';
import { getVideo } from './videos';
import { ApiError } from '../../../shared/errors';

interface Row {
  video_id: number;
  frame_idx: number;
  au: number;
  annotator: string;
  intensity: number;
  updated_at: string;
}

const toLabel = (r: Row): Label => ({
  videoId: r.video_id,
  frame: r.frame_idx,
  au: r.au,
  annotator: r.annotator,
  intensity: r.intensity,
  updatedAt: r.updated_at,
});

export interface LabelWrite {
  videoId: number;
  frame: number;
  au: number;
  annotator: string;
  /** null removes the label (history keeps it). */
  intensity: number | null;
}

/**
 * Writes one label in its own transaction, so it is on disk (WAL, synchronous=FULL) before the
 * call returns; a crash or power loss right after a keypress loses nothing, and a write that did
 * not commit throws (SQLITE_FULL → disk_full) instead of answering as if it had.
 */
export function setLabel(db: Db, w: LabelWrite, allowedAus: readonly number[]): Label | null {
  const video = getVideo(db, w.videoId);
  if (w.frame >= video.frameCount) {
    throw new ApiError('invalid_argument', `Frame ${w.frame} is past the end of ${video.name} (${video.frameCount} frames, numbered from 0).`);
  }
  if (!allowedAus.includes(w.au)) {
    throw new ApiError('invalid_argument', `AU${w.au} is not in this project's AU set (${allowedAus.join(', ')}).`);
  }
  if (w.intensity === null) {
    db.prepare('DELETE FROM labels WHERE video_id = ? AND frame_idx = ? AND au = ? AND annotator = ?').run(w.videoId, w.frame, w.au, w.annotator);
    return null;
  }
  // .all(), not .get(): .get() stops after the first row and better-sqlite3 ignores the result
  // of the reset that then commits, so a commit that failed (a full disk) would read as success.
  const [row] = db
    .prepare(
      `INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (video_id, frame_idx, au, annotator) DO UPDATE SET intensity = excluded.intensity, updated_at = excluded.updated_at
       RETURNING *`,
    )
    .all(w.videoId, w.frame, w.au, w.annotator, w.intensity, new Date().toISOString()) as Row[];
  return toLabel(row!);
}

export function labelsForFrame(db: Db, videoId: number, frame: number): Label[] {
  return (db.prepare('SELECT * FROM labels WHERE video_id = ? AND frame_idx = ? ORDER BY au, annotator').all(videoId, frame) as Row[]).map(toLabel);
}

export function labelsForVideo(db: Db, videoId: number): Label[] {
  return (db.prepare('SELECT * FROM labels WHERE video_id = ? ORDER BY frame_idx, au, annotator').all(videoId) as Row[]).map(toLabel);
}

interface HistoryRow {
  id: number;
  video_id: number;
  frame_idx: number;
  au: number;
  annotator: string;
  old_intensity: number | null;
  new_intensity: number | null;
  changed_at: string;
}

/** The newest changes first; of one frame and/or one coder when given. */
export function labelHistory(db: Db, videoId: number, frame: number | undefined, limit: number, annotator?: string): LabelChange[] {
  const where = ['video_id = ?'];
  const args: (string | number)[] = [videoId];
  if (frame !== undefined) {
    where.push('frame_idx = ?');
    args.push(frame);
  }
  if (annotator !== undefined) {
    where.push('annotator = ?');
    args.push(annotator);
  }
  const rows = db.prepare(`SELECT * FROM label_history WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(...args, limit) as HistoryRow[];
  return rows.map((r) => ({
    id: r.id,
    videoId: r.video_id,
    frame: r.frame_idx,
    au: r.au,
    annotator: r.annotator,
    oldIntensity: r.old_intensity,
    newIntensity: r.new_intensity,
    changedAt: r.changed_at,
  }));
}
