/**
 * Labels CSV files in and out of a project, as one operation each: checks on the file, the
 * all-or-nothing parse and write (labelsCsv.ts), and the atomic new-file write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { Project } from '../store/project';
import { listVideos } from '../store/videos';
import { checkWriteTarget, makeFolders, writeFileAtomic } from '../files/safe-write';
import { csvRecords, decodeCsvBytes, exportLong, exportWide, parseLabelsCsv, writeLabels, type LabelsCsvFormat } from './labelsCsv';

/** Larger than any real labels file (a 90,000-frame video × 12 AUs long is ≈ 40 MB). */
const MAX_BYTES = 256 * 1024 ** 2;

function videoRefs(project: Project) {
  return listVideos(project.db).map((v) => ({ id: v.id, name: v.name, frameCount: v.frameCount, fps: v.fps }));
}

export interface LabelsImport {
  format: LabelsCsvFormat | 'auto';
  videoId?: number | undefined;
  /** For rows (or files) that name no coder. */
  annotator: string;
}

/** Reads `abs` (a path the platform already allowed) and writes its labels; nothing lands unless all rows are good. */
export function importLabelsFile(project: Project, abs: string, o: LabelsImport) {
  const stat = fs.statSync(abs, { throwIfNoEntry: false });
  if (!stat) throw new ApiError('not_found', `There is no file at ${abs}.`);
  if (stat.isDirectory()) throw new ApiError('invalid_argument', `${abs} is a folder, not a labels file. Choose the .csv file.`);
  if (stat.size > MAX_BYTES) throw new ApiError('invalid_argument', `${abs} is ${(stat.size / 1024 ** 2).toFixed(0)} MB; a labels file is at most 256 MB. Split it and import the parts.`);
  const parsed = parseLabelsCsv(decodeCsvBytes(fs.readFileSync(abs)), {
    format: o.format,
    videos: videoRefs(project),
    ...(o.videoId !== undefined ? { videoId: o.videoId } : {}),
    annotator: o.annotator,
    aus: project.auSet().aus,
  });
  const imported = writeLabels(project.db, parsed.labels);
  return { format: parsed.format, imported, videoIds: [...new Set(parsed.labels.map((l) => l.videoId))], skippedEmpty: parsed.skippedEmpty };
}

export interface LabelsExport {
  format: LabelsCsvFormat;
  videoId?: number | undefined;
  annotator?: string | undefined;
  /** The user confirmed replacing an existing .csv of that name. */
  overwrite: boolean;
}

/** Writes the labels as a CSV at `file` (a path the platform already allowed); never into a project. */
export function exportLabelsFile(project: Project, file: string, o: LabelsExport) {
  const abs = checkWriteTarget(file, { extensions: ['.csv'], overwrite: o.overwrite });
  const videos = videoRefs(project);
  if (o.videoId !== undefined && !videos.some((v) => v.id === o.videoId)) throw new ApiError('not_found', `There is no video ${o.videoId} in this project.`);
  const wideVideo = videos.find((v) => v.id === o.videoId);
  if (o.format === 'wide' && !wideVideo) throw new ApiError('invalid_argument', 'A wide labels file (frame,timestamp,AU01,…) holds one video: say which video to export.');
  const text =
    o.format === 'wide' && wideVideo ? exportWide(project.db, wideVideo, project.auSet().aus, o.annotator) : exportLong(project.db, videos, o.videoId !== undefined ? [o.videoId] : undefined);
  // Folders made for it go again when the write fails (a full disk): nothing is left half-made.
  const folders = makeFolders(path.dirname(abs));
  try {
    writeFileAtomic(abs, text, { extensions: ['.csv'], overwrite: o.overwrite });
  } catch (err) {
    folders.undo();
    throw err;
  }
  return { path: abs, rows: csvRecords(text).length - 1 };
}
