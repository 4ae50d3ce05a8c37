/** Who labelled what: the coders of a project (or video), and two coders' labels side by side. */
import type { CoderSummary } from '../../../shared/types';
import type { Db } from './db';

export function listCoders(db: Db, videoId?: number): CoderSummary[] {
  const where = videoId === undefined ? '' : 'WHERE video_id = ?';
  const rows = db
    .prepare(
      `SELECT annotator AS name, count(*) AS labels, count(DISTINCT video_id || ':' || frame_idx) AS frames, count(DISTINCT video_id) AS videos
       FROM labels ${where} GROUP BY annotator ORDER BY labels DESC, annotator`,
    )
    .all(...(videoId === undefined ? [] : [videoId])) as CoderSummary[];
  return rows.map((r) => ({ name: r.name, labels: r.labels, frames: r.frames, videos: r.videos }));
}

export interface LabelPair {
  videoId: number;
  frame: number;
  au: number;
  a: number;
  b: number;
}

/** Every frame and AU both coders labelled, in video, frame, AU order. */
export function labelPairs(db: Db, coderA: string, coderB: string, videoId?: number): LabelPair[] {
  return db
    .prepare(
      `SELECT a.video_id AS videoId, a.frame_idx AS frame, a.au AS au, a.intensity AS a, b.intensity AS b
       FROM labels a JOIN labels b ON b.video_id = a.video_id AND b.frame_idx = a.frame_idx AND b.au = a.au AND b.annotator = ?
       WHERE a.annotator = ? ${videoId === undefined ? '' : 'AND a.video_id = ?'}
       ORDER BY a.video_id, a.frame_idx, a.au`,
    )
    .all(coderB, coderA, ...(videoId === undefined ? [] : [videoId])) as LabelPair[];
}

/** The coder who shares the most labelled frames × AUs with `with` (or the best pair overall). */
export function mostOverlapping(db: Db, videoId?: number, withCoder?: string): { a: string; b: string; n: number } | null {
  const scope = videoId === undefined ? '' : 'AND a.video_id = ?';
  const args: (string | number)[] = videoId === undefined ? [] : [videoId];
  const sql = withCoder
    ? `SELECT a.annotator AS a, b.annotator AS b, count(*) AS n FROM labels a
       JOIN labels b ON b.video_id = a.video_id AND b.frame_idx = a.frame_idx AND b.au = a.au AND b.annotator <> a.annotator
       WHERE a.annotator = ? ${scope} GROUP BY b.annotator ORDER BY n DESC, b.annotator LIMIT 1`
    : `SELECT a.annotator AS a, b.annotator AS b, count(*) AS n FROM labels a
       JOIN labels b ON b.video_id = a.video_id AND b.frame_idx = a.frame_idx AND b.au = a.au AND b.annotator > a.annotator
       WHERE 1 ${scope} GROUP BY a.annotator, b.annotator ORDER BY n DESC, a.annotator, b.annotator LIMIT 1`;
  const row = db.prepare(sql).get(...(withCoder ? [withCoder, ...args] : args)) as { a: string; b: string; n: number } | undefined;
  return row ?? null;
}
