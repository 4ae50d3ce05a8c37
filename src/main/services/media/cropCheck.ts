/**
 * A ready video's crop file is checked before it is trusted: it must be there, name this video
 * as its source (cropSourceId of its content hash) and hold every frame. One that does not (a
 * truncated copy, a disk error, another video's crops) is never read: its video becomes
 * 'failed' with a message that offers Retry import, and the unusable file is removed so the
 * retry rebuilds it from the first frame. Checked when a project opens, before a training or
 * prediction job reads crops, and when a crop is served.
 */
import fs from 'node:fs';
import { ApiError } from '../../../shared/errors';
import type { Db } from '../store/db';
import type { VideoRow } from '../../../shared/types';
import { listVideos, setVideoStatus } from '../store/videos';
import { CropFileError, CropFileReader, cropFileFor, cropSourceId, inspectCropFile } from './cropFile';

const RETRY = 'Retry import rebuilds them from the video; its labels and sample sets are kept.';

type Checked = Pick<VideoRow, 'id' | 'name' | 'frameCount' | 'contentHash'>;

interface Problem {
  /** No file at all, or one that is there but cut short or not this video's. */
  kind: 'missing' | 'damaged';
  /** A sentence ending in what to do. */
  message: string;
}

/** Why `v`'s crop file cannot be used, or null when it can. */
export function cropProblem(projectDir: string, v: Checked): Problem | null {
  const file = cropFileFor(projectDir, v.id);
  try {
    const h = inspectCropFile(file, cropSourceId(v.contentHash));
    if (!h.complete || h.frameCount < v.frameCount) {
      return { kind: 'damaged', message: `The face crops of ${v.name} are cut short: ${h.frameCount} of ${v.frameCount} frames (the crop file was truncated or damaged). ${RETRY}` };
    }
    return null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing', message: `The face crops of ${v.name} are missing (${file}). ${RETRY}` };
    if (err instanceof CropFileError) {
      return { kind: 'damaged', message: `The face crops of ${v.name} cannot be used: ${err.message.replace(/ (Delete it and run face extraction again|Re-run face extraction|Retry import rebuilds this video's crops)\.$/, '')} ${RETRY}` };
    }
    throw err;
  }
}

/** Marks `v` failed with `message` and removes its unusable crop file. */
function markForReimport(db: Db, projectDir: string, v: Checked, message: string): void {
  setVideoStatus(db, v.id, 'failed', message);
  fs.rmSync(cropFileFor(projectDir, v.id), { force: true });
  console.warn(`[crops] video ${v.id}: ${message}`);
}

/**
 * Checks the crop files of the ready videos (all, or those of `ids`) and marks each unusable
 * one for re-import. Returns the problems found, one per video. With `missingToo: false` (a
 * project opening) a video with no crop file at all is left as it is: nothing can serve it
 * wrongly, and what reads crops (a job, a crop served) finds it then.
 */
export function failDamagedCrops(db: Db, projectDir: string, o: { ids?: Iterable<number>; missingToo: boolean }): { videoId: number; message: string }[] {
  const wanted = o.ids ? new Set(o.ids) : null;
  const found: { videoId: number; message: string }[] = [];
  for (const v of listVideos(db)) {
    if (v.status !== 'ready' || (wanted && !wanted.has(v.id))) continue;
    const problem = cropProblem(projectDir, v);
    if (!problem || (problem.kind === 'missing' && !o.missingToo)) continue;
    markForReimport(db, projectDir, v, problem.message);
    found.push({ videoId: v.id, message: problem.message });
  }
  return found;
}

/** Refuses a job that would read crops of which some proved unusable (they are now marked for re-import). */
export function requireUsableCrops(db: Db, projectDir: string, ids: Iterable<number>): void {
  const problems = failDamagedCrops(db, projectDir, { ids, missingToo: true });
  if (!problems.length) return;
  throw new ApiError(
    'conflict',
    `${problems.map((p) => p.message.replace(` ${RETRY}`, '')).join(' ')} ${problems.length > 1 ? 'These videos are' : 'The video is'} marked failed: use Retry import, then start this again. Nothing was trained on them.`,
  );
}

/** A reader of a ready video's crops, checked first: a damaged file marks the video for re-import and answers with why. */
export async function openVideoCrops(db: Db, projectDir: string, v: Checked): Promise<CropFileReader> {
  const problem = cropProblem(projectDir, v);
  if (problem?.kind === 'missing') throw new ApiError('not_found', `${v.name} has no aligned crops: wait for its import to finish, or use Retry import.`);
  if (problem) {
    markForReimport(db, projectDir, v, problem.message);
    throw new ApiError('conflict', problem.message);
  }
  return CropFileReader.open(cropFileFor(projectDir, v.id), cropSourceId(v.contentHash));
}
