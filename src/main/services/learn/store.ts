/**
 * The learning engine's reads and writes of the project database, backend side only (the
 * worker never opens SQLite; it streams results here).
 */
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { LabelRule, ModelRow, ModelStage } from '../../../shared/types';
import type { Db } from '../store/db';
import { faceMask, landmarkArray } from '../store/frames';
import { getLabelRule } from '../store/labelRule';
import { listModels } from '../store/models';
import { listVideos } from '../store/videos';
import { marksOfPerson, neutralFrames } from '../store/neutral';
import { personOf } from '../../../shared/people';
import { cropFileFor } from '../media/cropStore';
import type { NeutralReference } from '../../../shared/types';
import { GEOMETRY_DIM, type LabelledFrame, type NeutralPart, type VideoSource } from './data';

export function modelDirFor(projectDir: string, name: string): string {
  return path.join(projectDir, 'models', slug(name));
}

/** A folder-safe form of a model name (the name itself is kept in the database). */
export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return s || 'model';
}

export function getModel(db: Db, id: number): ModelRow & { checkpoint: string } {
  const row = db.prepare('SELECT checkpoint FROM models WHERE id = ?').get(id) as { checkpoint: string } | undefined;
  const model = listModels(db).find((m) => m.id === id);
  if (!row || !model) throw new ApiError('not_found', `There is no model ${id} in this project. Reload the model list.`);
  return { ...model, checkpoint: row.checkpoint };
}

export function findModelByName(db: Db, name: string): ModelRow | null {
  return listModels(db).find((m) => m.name === name) ?? null;
}

export function insertModel(
  db: Db,
  m: { stage: ModelStage; parentId: number | null; name: string; checkpoint: string; params: Record<string, unknown>; metrics: Record<string, unknown> | null; backend: string },
): number {
  return Number(
    db
      .prepare('INSERT INTO models (stage, parent_id, name, checkpoint, params, metrics, backend, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(m.stage, m.parentId, m.name, m.checkpoint, JSON.stringify(m.params), m.metrics ? JSON.stringify(m.metrics) : null, m.backend, new Date().toISOString())
      .lastInsertRowid,
  );
}

export function setModelMetrics(db: Db, id: number, metrics: Record<string, unknown>): void {
  db.prepare('UPDATE models SET metrics = ? WHERE id = ?').run(JSON.stringify(metrics), id);
}

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

/**
 * Ready videos with crops, as the worker reads them; with their landmarks when asked. Each
 * carries its person's marked neutral frames (from any of the person's ready videos), so the
 * training and the prediction of one job read the same reference.
 */
export function trainingVideos(db: Db, projectDir: string, ids?: readonly number[], opts: { landmarks?: boolean } = {}): VideoSource[] {
  const wanted = ids ? new Set(ids) : null;
  const all = listVideos(db);
  const ready = new Map(all.filter((v) => v.status === 'ready').map((v) => [v.id, v]));
  const neutralOf = new Map<string, NeutralPart[]>();
  const partsFor = (v: (typeof all)[number]): NeutralPart[] => {
    const person = personOf(v);
    let parts = neutralOf.get(person);
    if (!parts) {
      const marks = marksOfPerson(db, v).filter((m) => ready.has(m.videoId));
      parts = neutralFrames(db, marks).map(({ videoId, frames }) => ({
        videoId,
        cropFile: cropFileFor(projectDir, videoId),
        frames,
        ...(opts.landmarks ? { landmarks: landmarksAt(landmarkArray(db, videoId, ready.get(videoId)!.frameCount), frames) } : {}),
      }));
      neutralOf.set(person, parts);
    }
    return parts;
  };
  return all
    .filter((v) => v.status === 'ready' && (!wanted || wanted.has(v.id)))
    .map((v) => {
      const neutral = partsFor(v);
      return {
        id: v.id,
        cropFile: cropFileFor(projectDir, v.id),
        frameCount: v.frameCount,
        subject: v.subject,
        face: faceMask(db, v.id, v.frameCount),
        ...(opts.landmarks ? { landmarks: landmarkArray(db, v.id, v.frameCount) } : {}),
        ...(neutral.length ? { neutral } : {}),
      };
    });
}

function landmarksAt(all: Float32Array, frames: readonly number[]): Float32Array {
  const out = new Float32Array(frames.length * GEOMETRY_DIM);
  frames.forEach((f, i) => out.set(all.subarray(f * GEOMETRY_DIM, (f + 1) * GEOMETRY_DIM), i * GEOMETRY_DIM));
  return out;
}

/**
 * The person-specific normalisation a job used, per person, as models record it: 'neutral'
 * with the number of marked face frames, or each video's 'median'.
 */
export function normalisationOf(videos: readonly VideoSource[]): Record<string, NeutralReference> {
  const out: Record<string, NeutralReference> = {};
  for (const v of videos) {
    const frames = (v.neutral ?? []).reduce((n, p) => n + p.frames.length, 0);
    out[personOf(v)] = frames ? { kind: 'neutral', frames } : { kind: 'median' };
  }
  return out;
}

/**
 * Labelled frames with one value per AU of `aus` (NaN where that AU has no label). Where several
 * coders labelled one frame and AU, `rule` picks the value: the mean of every coder's, or a
 * chosen coder's where they gave one (the others' mean elsewhere). Without `rule`, the project's
 * stated rule (the mean unless one was chosen).
 */
export function labelledFrames(db: Db, aus: readonly number[], videoIds?: readonly number[], rule: LabelRule = getLabelRule(db)): LabelledFrame[] {
  const col = new Map(aus.map((au, i) => [au, i]));
  const rows = (
    rule.kind === 'coder'
      ? db
          .prepare(
            `SELECT video_id, frame_idx, au, coalesce(max(CASE WHEN annotator = ? THEN intensity END), avg(intensity)) AS value
             FROM labels GROUP BY video_id, frame_idx, au ORDER BY video_id, frame_idx`,
          )
          .all(rule.coder)
      : db.prepare('SELECT video_id, frame_idx, au, avg(intensity) AS value FROM labels GROUP BY video_id, frame_idx, au ORDER BY video_id, frame_idx').all()
  ) as {
    video_id: number;
    frame_idx: number;
    au: number;
    value: number;
  }[];
  const wanted = videoIds ? new Set(videoIds) : null;
  const out: LabelledFrame[] = [];
  let cur: LabelledFrame | null = null;
  for (const r of rows) {
    if (wanted && !wanted.has(r.video_id)) continue;
    const a = col.get(r.au);
    if (a === undefined) continue;
    if (!cur || cur.videoId !== r.video_id || cur.frame !== r.frame_idx) {
      cur = { videoId: r.video_id, frame: r.frame_idx, values: new Float32Array(aus.length).fill(NaN) };
      out.push(cur);
    }
    cur.values[a] = r.value;
  }
  return out;
}

/**
 * Validation split by subject (videos without a subject count as their own person): about
 * `fraction` of the people are held out, chosen by a seeded shuffle, at least one when there
 * are two or more people. With one person there is no subject-independent split: no validation.
 */
export function splitBySubject(videos: readonly { id: number; subject: string | null }[], fraction: number, seed: number): { train: number[]; val: number[] } {
  const groups = new Map<string, number[]>();
  for (const v of videos) {
    const key = v.subject ?? `video:${v.id}`;
    groups.set(key, [...(groups.get(key) ?? []), v.id]);
  }
  const keys = [...groups.keys()].sort();
  if (keys.length < 2 || fraction <= 0) return { train: videos.map((v) => v.id), val: [] };
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const nVal = Math.min(keys.length - 1, Math.max(1, Math.round(keys.length * fraction)));
  const valKeys = new Set(keys.slice(0, nVal));
  const train: number[] = [];
  const val: number[] = [];
  for (const [k, ids] of groups) (valKeys.has(k) ? val : train).push(...ids);
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}
