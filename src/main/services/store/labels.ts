import type { Label, LabelChange, LabelRule } from '../../../shared/types';
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

/** Every label of the project, by video, frame, AU and coder. */
export function allLabels(db: Db): Label[] {
  return (db.prepare('SELECT * FROM labels ORDER BY video_id, frame_idx, au, annotator').all() as Row[]).map(toLabel);
}

/** One video's labels (of one coder when given) by frame and AU, the last written last. */
export function labelsInWriteOrder(db: Db, videoId: number, annotator?: string): Label[] {
  const rows = annotator
    ? db.prepare('SELECT * FROM labels WHERE video_id = ? AND annotator = ? ORDER BY frame_idx, au, updated_at').all(videoId, annotator)
    : db.prepare('SELECT * FROM labels WHERE video_id = ? ORDER BY frame_idx, au, updated_at').all(videoId);
  return (rows as Row[]).map(toLabel);
}

/** Writes labels from a file in one transaction: either every row lands or none does. */
export function upsertLabels(db: Db, labels: readonly { videoId: number; frame: number; au: number; annotator: string; intensity: number }[]): void {
  const upsert = db.prepare(
    `INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (video_id, frame_idx, au, annotator) DO UPDATE SET intensity = excluded.intensity, updated_at = excluded.updated_at`,
  );
  const now = new Date().toISOString();
  db.transaction(() => {
    for (const l of labels) upsert.run(l.videoId, l.frame, l.au, l.annotator, l.intensity, now);
  })();
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

/**
 * One value per labelled frame and AU, in frame order. Where several coders labelled one frame
 * and AU, `rule` picks it: the mean of every coder's, or the chosen coder's where they gave one
 * (the others' mean elsewhere).
 */
export function labelValues(db: Db, rule: LabelRule): { videoId: number; frame: number; au: number; value: number }[] {
  const columns = 'video_id AS videoId, frame_idx AS frame, au';
  const order = 'GROUP BY video_id, frame_idx, au ORDER BY video_id, frame_idx';
  return (
    rule.kind === 'coder'
      ? db.prepare(`SELECT ${columns}, coalesce(max(CASE WHEN annotator = ? THEN intensity END), avg(intensity)) AS value FROM labels ${order}`).all(rule.coder)
      : db.prepare(`SELECT ${columns}, avg(intensity) AS value FROM labels ${order}`).all()
  ) as { videoId: number; frame: number; au: number; value: number }[];
}
