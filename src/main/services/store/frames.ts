import type { Db } from './db';
import { ApiError } from '../../../shared/errors';
import type { FrameInfo } from '../../../shared/types';

export interface FrameRecord {
  idx: number;
  face: boolean;
  score: number | null;
  box: Float32Array | null;
  landmarks: Float32Array | null;
}

const blob = (a: Float32Array | null) => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : null);
const floats = (b: Buffer | null) => (b ? Array.from(new Float32Array(new Uint8Array(b).buffer)) : null);

/** One transaction per batch: thousands of frames a second, each batch all-or-nothing. */
export function insertFrames(db: Db, videoId: number, rows: readonly FrameRecord[]): void {
  const insert = db.prepare('INSERT OR REPLACE INTO frames (video_id, idx, face, score, box, landmarks) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of rows) insert.run(videoId, r.idx, r.face ? 1 : 0, r.score, blob(r.box), blob(r.landmarks));
  })();
}

/** Drops a video's frame rows, all of them or from frame `from` on. */
export function deleteFrames(db: Db, videoId: number, from = 0): void {
  db.prepare('DELETE FROM frames WHERE video_id = ? AND idx >= ?').run(videoId, from);
}

/** Frames the database holds for a video as one run from frame 0 (what a resumed import keeps); 0 when there is a gap. */
export function contiguousFrames(db: Db, videoId: number): number {
  const r = db.prepare('SELECT count(*) AS n, coalesce(max(idx), -1) AS last FROM frames WHERE video_id = ?').get(videoId) as { n: number; last: number };
  return r.n === r.last + 1 ? r.n : 0;
}


export function frameInfo(db: Db, videoId: number, frame: number): FrameInfo {
  const row = db.prepare('SELECT face, score, box, landmarks FROM frames WHERE video_id = ? AND idx = ?').get(videoId, frame) as
    | { face: number; score: number | null; box: Buffer | null; landmarks: Buffer | null }
    | undefined;
  if (!row) throw new ApiError('not_found', `Frame ${frame} of video ${videoId} has not been processed (is the import finished?).`);
  return { videoId, frame, face: row.face === 1, score: row.score, box: floats(row.box), landmarks: floats(row.landmarks) };
}

/** Per-frame face flags as one array, for sampling and for the timeline. */
export function faceMask(db: Db, videoId: number, frameCount: number): Uint8Array {
  const mask = new Uint8Array(frameCount);
  for (const r of db.prepare('SELECT idx FROM frames WHERE video_id = ? AND face = 1').iterate(videoId) as Iterable<{ idx: number }>) {
    if (r.idx < frameCount) mask[r.idx] = 1;
  }
  return mask;
}

/** Every frame's 68 landmarks (frame pixels) as one array of 136 floats per frame, NaN where none. */
export function landmarkArray(db: Db, videoId: number, frameCount: number): Float32Array {
  const out = new Float32Array(frameCount * 136).fill(NaN);
  const rows = db.prepare('SELECT idx, landmarks FROM frames WHERE video_id = ? AND landmarks IS NOT NULL').iterate(videoId) as Iterable<{ idx: number; landmarks: Buffer }>;
  for (const r of rows) {
    if (r.idx >= frameCount || r.landmarks.byteLength !== 136 * 4) continue;
    out.set(new Float32Array(new Uint8Array(r.landmarks).buffer), r.idx * 136);
  }
  return out;
}

/** Face flags and detector scores of every frame, for exports. */
export function frameFaces(db: Db, videoId: number, frameCount: number): { face: Uint8Array; score: Float32Array } {
  const face = new Uint8Array(frameCount);
  const score = new Float32Array(frameCount);
  const rows = db.prepare('SELECT idx, face, score FROM frames WHERE video_id = ?').iterate(videoId) as Iterable<{ idx: number; face: number; score: number | null }>;
  for (const r of rows) {
    if (r.idx >= frameCount) continue;
    face[r.idx] = r.face;
    score[r.idx] = r.score ?? 0;
  }
  return { face, score };
}
