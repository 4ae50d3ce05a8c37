/**
 * The import job, backend side: probe and hash the file, register the video, hand the frames
 * to the worker process's ingest pipeline (media/worker/ingest.ts), and store the frame rows it
 * streams back. A failed or
 * cancelled import leaves no half-written crops or frame rows behind; one that was killed
 * (kill -9, power loss) keeps them, and Retry import continues from there.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobRunner } from '../../jobs/manager';
import { contiguousFrames, deleteFrames, insertFrames } from '../../store/frames';
import type { Db } from '../../store/db';
import { withReserve } from '../../store/reserve';
import { deleteVideo, failStrandedImports, failedVideoWithHash, getVideo, insertVideo, setImportedFile, setPeaks, setVideoStatus } from '../../store/videos';
import { explainSystemError } from '../../system-errors';
import { runTask } from '../../../worker/launch';
import { cropFileFor, cropSourceId, inspectCropFile } from '../cropFile';
import { audioPeaks } from '../decode';
import { contentHash, probeVideo } from '../probe';
import { browserPlayable, makeProxy, proxyFileFor } from './proxy';
import { confirmSource } from '../sourceCheck';
import { ApiError } from '../../../../shared/errors';

export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.avi', '.mkv', '.webm'];
export const PEAKS_PER_SECOND = 50;

export function checkVideoPath(p: string): void {
  if (!VIDEO_EXTENSIONS.includes(path.extname(p).toLowerCase())) {
    throw new ApiError('invalid_argument', `${path.basename(p)} is not a supported video (${VIDEO_EXTENSIONS.join(', ')}).`);
  }
}

/** Runs a cleanup step of a failed import; a step that fails too (a full disk) is logged, not rethrown over the first error. */
function tryStep(what: string, step: () => void): void {
  try {
    step();
  } catch (err) {
    console.error(`[import] could not ${what}:`, err);
  }
}

/** False for a crop file that names another source or cannot be read at all. */
function cropFileIsFrom(file: string, sourceId: string): boolean {
  try {
    inspectCropFile(file, sourceId);
    return true;
  } catch {
    return false;
  }
}

/**
 * Videos whose 'failed' mark could not be written even with the reserve, and why. Imports run
 * one at a time (the media lane), so when the next one starts, no video can still be
 * importing: these get their mark then, and any other left 'ingesting' the stranded one.
 */
const unmarkedOf = new WeakMap<Db, Map<number, string>>();

function unmarked(db: Db): Map<number, string> {
  let m = unmarkedOf.get(db);
  if (!m) unmarkedOf.set(db, (m = new Map()));
  return m;
}

function markUnmarked(db: Db): void {
  for (const [id, message] of unmarked(db)) {
    setVideoStatus(db, id, 'failed', message);
    unmarked(db).delete(id);
  }
  failStrandedImports(db);
}

export const importVideo: JobRunner<'import'> = async (ctx) => {
  const params = ctx.params;
  const db = ctx.project.db;
  markUnmarked(db);
  const name = path.basename(params.path);
  ctx.progress(0, `Reading ${name}…`);
  const probe = await probeVideo(params.path, { signal: ctx.signal });
  for (const w of probe.warnings) ctx.log(`${name}: ${w}`);
  const hash = await contentHash(params.path);
  // A failed or interrupted import of the same content is retried in place: same video id, so
  // its labels and sample sets stay, and the frames it already wrote are kept.
  const retried = params.videoId ?? failedVideoWithHash(db, hash);
  if (params.videoId !== undefined && getVideo(db, params.videoId).contentHash !== hash) {
    throw new ApiError('conflict', `${params.path} is no longer the file video ${params.videoId} was imported from (its content differs). Relink the original, or import this file as a new video.`);
  }
  const videoId =
    retried ??
    insertVideo(db, {
      path: params.path,
      contentHash: hash,
      subject: params.subject ?? path.basename(params.path, path.extname(params.path)),
      fps: probe.fps,
      frameCount: probe.frameCount,
      duration: probe.durationSec,
      width: probe.width,
      height: probe.height,
      sizeBytes: probe.sizeBytes,
      hasAudio: probe.hasAudio,
      codec: probe.codec,
      videoStartSec: probe.videoStartSec,
      variableFps: probe.variableFrameRate,
    });
  // The fingerprint of the file imported (its size and content hash are in the row): its time.
  // Without it (the file went meanwhile) the next check hashes the file again, which is only slower.
  tryStep('record the file time', () => confirmSource(db, videoId, params.path));
  const cropFile = cropFileFor(ctx.project.dir, videoId);
  const proxyFile = proxyFileFor(ctx.project.dir, videoId);
  const sourceId = cropSourceId(hash);
  // A crop file left by an interrupted import is continued only when it is this video's own.
  if (retried !== null && fs.existsSync(cropFile) && !cropFileIsFrom(cropFile, sourceId)) {
    ctx.log(`${name}: the crop file left behind is not this video's; starting it again.`);
    fs.rmSync(cropFile, { force: true });
  }
  const resumeFrames = retried !== null && !params.alreadyAligned && fs.existsSync(cropFile) ? contiguousFrames(db, videoId) : 0;
  if (retried !== null) {
    deleteFrames(db, videoId, resumeFrames);
    setImportedFile(db, videoId, { path: params.path, frameCount: probe.frameCount });
    ctx.log(resumeFrames ? `${name}: continuing the interrupted import after frame ${resumeFrames}.` : `${name}: importing again into video ${videoId}.`);
  }
  setVideoStatus(db, videoId, 'ingesting');
  ctx.events.emit('data/changed', { domain: 'videos', videoId });
  // A frame batch that cannot be stored (a full disk) stops the worker: carrying on would only
  // fill a crop file whose rows are missing.
  const worker = new AbortController();
  const stop = () => worker.abort();
  ctx.signal.addEventListener('abort', stop);
  let storeError: unknown = null;
  try {
    if (!browserPlayable(probe)) {
      ctx.progress(0.01, `${name}: making a playable copy (${probe.codec} cannot play in the viewer)…`);
      await makeProxy(probe, proxyFile, ctx.signal);
    }
    const peaks = await audioPeaks(params.path, PEAKS_PER_SECOND, { signal: ctx.signal, durationSec: probe.durationSec });
    setPeaks(db, videoId, { perSecond: PEAKS_PER_SECOND, channels: peaks });
    let result;
    try {
      result = await runTask(
        'ingest',
        {
          probe,
          cropFile,
          cropSize: ctx.project.cropSize,
          alreadyAligned: params.alreadyAligned,
          detectEvery: params.detectEvery,
          maxDecodeWidth: 640,
          resumeFrames,
          sourceId,
        },
        {
          signal: worker.signal,
          onProgress: (f, message) => ctx.progress(0.02 + 0.98 * f, message ? `${name}: ${message}` : undefined),
          onLog: (line) => ctx.log(line),
          onEvent: (e) => {
            if (storeError) return;
            try {
              insertFrames(db, videoId, e.rows);
            } catch (err) {
              storeError = err;
              worker.abort();
            }
          },
        },
      );
    } catch (err) {
      throw storeError ?? err;
    }
    if (storeError) throw storeError;
    if (result.frames !== probe.frameCount) {
      ctx.log(`${name}: probe said ${probe.frameCount} frames, decoding gave ${result.frames}; keeping the decoded count.`);
      setImportedFile(db, videoId, { frameCount: result.frames });
    }
    const t = result.timings;
    ctx.log(
      `${name}: ${result.frames} frames, faces in ${result.faces} (${((100 * result.faces) / Math.max(1, result.frames)).toFixed(1)} %), ` +
        `${(result.frames / result.seconds).toFixed(1)} frames/s (${(result.frames / result.seconds / Math.max(1, probe.fps)).toFixed(1)}× real time); ` +
        `decode wait ${t.decodeMs.toFixed(0)} ms, detect ${t.detectMs.toFixed(0)} ms (${result.detector === 'thread' ? `own thread, waited ${t.detectWaitMs.toFixed(0)} ms` : result.detector}), ` +
        `landmarks ${t.landmarkMs.toFixed(0)} ms, align ${t.alignMs.toFixed(0)} ms, write wait ${t.writeMs.toFixed(0)} ms`,
    );
    setVideoStatus(db, videoId, 'ready');
    ctx.events.emit('data/changed', { domain: 'videos', videoId });
    return { videoId };
  } catch (err) {
    const reason = explainSystemError(err);
    tryStep('remove the crop file', () => fs.rmSync(cropFile, { force: true }));
    tryStep('remove the playable copy', () => fs.rmSync(proxyFile, { force: true }));
    if (ctx.signal.aborted && retried === null) {
      tryStep('remove the cancelled video', () => deleteVideo(db, videoId));
    } else {
      // A retried video keeps its row (labels, sample sets) even when cancelled. Its 'failed'
      // mark comes first, with the space held back for it when the disk is full (reserve.ts):
      // a video left 'ingesting' would offer no error and no Retry import.
      const message = ctx.signal.aborted ? 'The import was cancelled. Retry import starts it again; labels and sample sets are kept.' : (reason?.message ?? (err instanceof Error ? err.message : String(err)));
      tryStep('mark the video failed', () => {
        try {
          withReserve(ctx.project.dir, () => setVideoStatus(db, videoId, 'failed', message));
        } catch (markErr) {
          unmarked(db).set(videoId, message); // marked when the next import starts
          throw markErr;
        }
      });
      tryStep('remove the frame rows', () => withReserve(ctx.project.dir, () => deleteFrames(db, videoId)));
    }
    ctx.events.emit('data/changed', { domain: 'videos', videoId });
    throw reason && !ctx.signal.aborted ? reason : err;
  } finally {
    ctx.signal.removeEventListener('abort', stop);
  }
};
