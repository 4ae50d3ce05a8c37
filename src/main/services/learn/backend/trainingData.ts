/**
 * What a learning job reads from the project, backend side only (the worker never opens
 * SQLite; it gets these and streams results back): the videos with their face flags, landmarks
 * and neutral frames, the labelled frames under the label rule, and the validation split.
 */
import type { LabelRule, NeutralReference } from '../../../../shared/types';
import type { Db } from '../../store/db';
import { faceMask, landmarkArray } from '../../store/frames';
import { getLabelRule } from '../../store/labelRule';
import { labelValues } from '../../store/labels';
import { listVideos } from '../../store/videos';
import { marksOfPerson, neutralFrames } from '../../store/neutral';
import { personOf } from '../../../../shared/people';
import { Rng } from '../../../../shared/rng';
import { cropFileFor } from '../../media/cropFile';
import { requireUsableCrops } from '../../media/cropCheck';
import { GEOMETRY_DIM, type LabelledFrame, type NeutralPart, type VideoSource } from '../data';

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

/**
 * Refuses a job before its worker reads a crop: every crop file it would read (its videos',
 * their people's neutral frames') must be whole and its own video's. One that is not marks its
 * video for Retry import (cropCheck.ts), so nothing trains or predicts on a cut-short file.
 */
export function requireCropsOf(db: Db, projectDir: string, videos: readonly VideoSource[]): void {
  requireUsableCrops(db, projectDir, new Set(videos.flatMap((v) => [v.id, ...(v.neutral ?? []).map((n) => n.videoId)])));
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
  const rows = labelValues(db, rule);
  const wanted = videoIds ? new Set(videoIds) : null;
  const out: LabelledFrame[] = [];
  let cur: LabelledFrame | null = null;
  for (const r of rows) {
    if (wanted && !wanted.has(r.videoId)) continue;
    const a = col.get(r.au);
    if (a === undefined) continue;
    if (!cur || cur.videoId !== r.videoId || cur.frame !== r.frame) {
      cur = { videoId: r.videoId, frame: r.frame, values: new Float32Array(aus.length).fill(NaN) };
      out.push(cur);
    }
    cur.values[a] = r.value;
  }
  return out;
}

/**
 * Validation split by person (personOf: videos without a subject count as their own person): about
 * `fraction` of the people are held out, chosen by a seeded shuffle, at least one when there
 * are two or more people. With one person there is no subject-independent split: no validation.
 */
export function splitBySubject(videos: readonly { id: number; subject: string | null }[], fraction: number, seed: number): { train: number[]; val: number[] } {
  const groups = new Map<string, number[]>();
  for (const v of videos) groups.set(personOf(v), [...(groups.get(personOf(v)) ?? []), v.id]);
  const keys = [...groups.keys()].sort();
  if (keys.length < 2 || fraction <= 0) return { train: videos.map((v) => v.id), val: [] };
  new Rng(seed).shuffle(keys);
  const nVal = Math.min(keys.length - 1, Math.max(1, Math.round(keys.length * fraction)));
  const valKeys = new Set(keys.slice(0, nVal));
  const train: number[] = [];
  const val: number[] = [];
  for (const [k, ids] of groups) (valKeys.has(k) ? val : train).push(...ids);
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}
