import type { PredictionTrack } from '../../../shared/types';
import type { Db } from './db';

/** One blob per model × video: AU-major float32, NaN where there is no face. */
export function putPredictions(db: Db, modelId: number, videoId: number, aus: number[], frameCount: number, data: Float32Array): void {
  if (data.length !== aus.length * frameCount) throw new Error(`prediction for video ${videoId} has ${data.length} values, expected ${aus.length * frameCount}`);
  db.prepare(
    `INSERT INTO predictions (model_id, video_id, aus, frame_count, data, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (model_id, video_id) DO UPDATE SET aus = excluded.aus, frame_count = excluded.frame_count, data = excluded.data, created_at = excluded.created_at`,
  ).run(modelId, videoId, JSON.stringify(aus), frameCount, Buffer.from(data.buffer, data.byteOffset, data.byteLength), new Date().toISOString());
}

export function readPredictionArray(db: Db, modelId: number, videoId: number): { aus: number[]; frameCount: number; data: Float32Array } | null {
  const row = db.prepare('SELECT aus, frame_count, data FROM predictions WHERE model_id = ? AND video_id = ?').get(modelId, videoId) as
    | { aus: string; frame_count: number; data: Buffer }
    | undefined;
  if (!row) return null;
  return { aus: JSON.parse(row.aus) as number[], frameCount: row.frame_count, data: new Float32Array(new Uint8Array(row.data).buffer) };
}

export function getPredictions(db: Db, modelId: number, videoId: number): PredictionTrack | null {
  const row = db.prepare('SELECT aus, frame_count, data FROM predictions WHERE model_id = ? AND video_id = ?').get(modelId, videoId) as
    | { aus: string; frame_count: number; data: Buffer }
    | undefined;
  if (!row) return null;
  const aus = JSON.parse(row.aus) as number[];
  // Copy: a blob's Buffer may sit at an offset that Float32Array cannot view directly.
  const floats = new Float32Array(new Uint8Array(row.data).buffer);
  const values: Record<number, (number | null)[]> = {};
  aus.forEach((au, a) => {
    const lane = floats.subarray(a * row.frame_count, (a + 1) * row.frame_count);
    values[au] = Array.from(lane, (v) => (Number.isNaN(v) ? null : v));
  });
  return { modelId, videoId, aus, frameCount: row.frame_count, values };
}
