/**
 * OpenFace in: a FeatureExtraction CSV for one video becomes that video's read-only OpenFace
 * track. The file is read and checked in full before anything is written, and the write is
 * one statement, so a bad file (another video's, malformed) leaves the project as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { OpenFaceImportResult } from '../../../shared/types';
import type { Project } from '../store/project';
import { openFaceInfo, putOpenFaceTrack } from '../store/openface';
import { getVideo } from '../store/videos';
import { MAX_OPENFACE_BYTES, parseOpenFaceFile } from './parse';

export async function importOpenFace(project: Project, a: { videoId: number; file: string; replace: boolean }): Promise<OpenFaceImportResult> {
  const video = getVideo(project.db, a.videoId);
  const stat = fs.statSync(a.file, { throwIfNoEntry: false });
  if (!stat) throw new ApiError('not_found', `There is no file at ${a.file}.`);
  if (stat.isDirectory()) throw new ApiError('invalid_argument', `${a.file} is a folder. Choose the .csv file that OpenFace wrote for ${video.name}.`);
  if (stat.size > MAX_OPENFACE_BYTES) {
    throw new ApiError('invalid_argument', `${a.file} is ${(stat.size / 1024 ** 3).toFixed(1)} GiB, over the 1 GiB limit. Run FeatureExtraction with -aus so the CSV holds only the AU columns, and import that.`);
  }
  const before = openFaceInfo(project.db, a.videoId);
  if (before && !a.replace) {
    throw new ApiError(
      'conflict',
      `${video.name} already has an OpenFace track (from ${path.basename(before.source)}, imported ${before.importedAt.slice(0, 16).replace('T', ' ')}). Import again with "replace" to swap it; nothing was changed.`,
    );
  }
  const parsed = await parseOpenFaceFile(a.file, { name: video.name, frameCount: video.frameCount, fps: video.fps }, project.auSet().aus, path.basename(a.file));
  const info = putOpenFaceTrack(project.db, { videoId: a.videoId, source: a.file, aus: parsed.aus, frameCount: parsed.frameCount, fps: parsed.fps, faces: parsed.faces, data: parsed.data });
  return { ...info, ignoredAus: parsed.ignoredAus, replaced: before !== null };
}
