/** Imported OpenFace tracks: one read-only float32 lane set per video, stored like predictions. */
import type { OpenFaceTrack, OpenFaceTrackInfo } from '../../../shared/types';
import type { Db } from './db';

interface Row {
  video_id: number;
  source: string;
  aus: string;
  frame_count: number;
  fps: number;
  faces: number;
  imported_at: string;
}

const INFO = 'video_id, source, aus, frame_count, fps, faces, imported_at';

const toInfo = (r: Row): OpenFaceTrackInfo => ({
  videoId: r.video_id,
  source: r.source,
  aus: JSON.parse(r.aus) as number[],
  frameCount: r.frame_count,
  fps: r.fps,
  faces: r.faces,
  importedAt: r.imported_at,
});

export function listOpenFaceTracks(db: Db): OpenFaceTrackInfo[] {
  return (db.prepare(`SELECT ${INFO} FROM openface_tracks ORDER BY video_id`).all() as Row[]).map(toInfo);
}

export function openFaceInfo(db: Db, videoId: number): OpenFaceTrackInfo | null {
  const row = db.prepare(`SELECT ${INFO} FROM openface_tracks WHERE video_id = ?`).get(videoId) as Row | undefined;
  return row ? toInfo(row) : null;
}

export interface NewOpenFaceTrack {
  videoId: number;
  source: string;
  aus: number[];
  frameCount: number;
  fps: number;
  faces: number;
  data: Float32Array;
}

/** Writes (or replaces) a video's track in one statement: the old one stays until the new one is in. */
export function putOpenFaceTrack(db: Db, t: NewOpenFaceTrack): OpenFaceTrackInfo {
  if (t.data.length !== t.aus.length * t.frameCount) throw new Error(`OpenFace track for video ${t.videoId} has ${t.data.length} values, expected ${t.aus.length * t.frameCount}`);
  const [row] = db
    .prepare(
      `INSERT INTO openface_tracks (video_id, source, aus, frame_count, fps, faces, data, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (video_id) DO UPDATE SET source = excluded.source, aus = excluded.aus, frame_count = excluded.frame_count,
         fps = excluded.fps, faces = excluded.faces, data = excluded.data, imported_at = excluded.imported_at
       RETURNING ${INFO}`,
    )
    // .all(), as labels do: a commit that failed must throw, not read as success.
    .all(t.videoId, t.source, JSON.stringify(t.aus), t.frameCount, t.fps, t.faces, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), new Date().toISOString()) as Row[];
  return toInfo(row!);
}

export function deleteOpenFaceTrack(db: Db, videoId: number): boolean {
  return db.prepare('DELETE FROM openface_tracks WHERE video_id = ?').run(videoId).changes > 0;
}

export function readOpenFaceArray(db: Db, videoId: number): { info: OpenFaceTrackInfo; data: Float32Array } | null {
  const row = db.prepare(`SELECT ${INFO}, data FROM openface_tracks WHERE video_id = ?`).get(videoId) as (Row & { data: Buffer }) | undefined;
  if (!row) return null;
  // Copied: a blob's Buffer may sit at an offset a Float32Array cannot view.
  return { info: toInfo(row), data: new Float32Array(new Uint8Array(row.data).buffer) };
}

export function getOpenFaceTrack(db: Db, videoId: number): OpenFaceTrack | null {
  const t = readOpenFaceArray(db, videoId);
  if (!t) return null;
  const n = t.info.frameCount;
  const values: Record<number, (number | null)[]> = {};
  t.info.aus.forEach((au, a) => {
    values[au] = Array.from(t.data.subarray(a * n, (a + 1) * n), (v) => (Number.isNaN(v) ? null : v));
  });
  return { ...t.info, values };
}
