import type { ModelRow, ModelStage, PredictionTrack } from '../../../shared/types';
import type { Db } from './db';

interface Row {
  id: number;
  stage: ModelStage;
  parent_id: number | null;
  name: string;
  params: string;
  metrics: string | null;
  backend: string | null;
  created_at: string;
}

const toModel = (r: Row): ModelRow => ({
  id: r.id,
  stage: r.stage,
  parentId: r.parent_id,
  name: r.name,
  params: JSON.parse(r.params) as Record<string, unknown>,
  metrics: r.metrics ? (JSON.parse(r.metrics) as Record<string, unknown>) : null,
  backend: r.backend,
  createdAt: r.created_at,
});

export function listModels(db: Db): ModelRow[] {
  return (db.prepare('SELECT * FROM models ORDER BY id DESC').all() as Row[]).map(toModel);
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
