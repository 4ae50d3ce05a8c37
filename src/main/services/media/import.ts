/**
 * The import job, backend side: probe and hash the file, register the video, hand the frames
 * to a worker process for face alignment, and write what it streams back. A failed or
 * cancelled import leaves no half-written crops or frame rows behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobRunner } from '../jobs/manager';
import { deleteFrames, insertFrames } from '../store/frames';
import { deleteVideo, insertVideo, setPeaks, setVideoStatus } from '../store/videos';
import { runTask, WorkerCancelled } from '../../worker/launch';
import { audioPeaks } from './decode';
import { contentHash, probeVideo } from './probe';
import { browserPlayable, makeProxy, proxyFileFor } from './proxy';
import { ApiError } from '../../../shared/errors';

export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.avi', '.mkv', '.webm'];
export const PEAKS_PER_SECOND = 50;
/** The face benchmark kept full accuracy detecting every 3rd frame and tracking between. */
export const DEFAULT_DETECT_EVERY = 3;

export interface ImportParams {
  path: string;
  alreadyAligned: boolean;
  detectEvery: number;
  subject: string | null;
}

export function cropFileFor(projectDir: string, videoId: number): string {
  return path.join(projectDir, 'media', `video-${videoId}.crops`);
}

export function checkVideoPath(p: string): void {
  if (!VIDEO_EXTENSIONS.includes(path.extname(p).toLowerCase())) {
    throw new ApiError('invalid_argument', `${path.basename(p)} is not a supported video (${VIDEO_EXTENSIONS.join(', ')}).`);
  }
}

export const importVideo: JobRunner = async (ctx) => {
  const params = ctx.job.params as unknown as ImportParams;
  const db = ctx.project.db;
  const name = path.basename(params.path);
  ctx.progress(0, `Reading ${name}…`);
  const probe = await probeVideo(params.path, { signal: ctx.signal });
  for (const w of probe.warnings) ctx.log(`${name}: ${w}`);
  const hash = await contentHash(params.path);
  const videoId = insertVideo(db, {
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
  setVideoStatus(db, videoId, 'ingesting');
  ctx.events.emit('data/changed', { domain: 'videos', videoId });
  const cropFile = cropFileFor(ctx.project.dir, videoId);
  const proxyFile = proxyFileFor(ctx.project.dir, videoId);
  try {
    if (!browserPlayable(probe)) {
      ctx.progress(0.01, `${name}: making a playable copy (${probe.codec} cannot play in the viewer)…`);
      await makeProxy(probe, proxyFile, ctx.signal);
    }
    const peaks = await audioPeaks(params.path, PEAKS_PER_SECOND, { signal: ctx.signal, durationSec: probe.durationSec });
    setPeaks(db, videoId, { perSecond: PEAKS_PER_SECOND, channels: peaks });
    const result = await runTask(
      'ingest',
      { probe, cropFile, cropSize: ctx.project.cropSize, alreadyAligned: params.alreadyAligned, detectEvery: params.detectEvery, maxDecodeWidth: 640 },
      {
        signal: ctx.signal,
        onProgress: (f, message) => ctx.progress(0.02 + 0.98 * f, message ? `${name}: ${message}` : undefined),
        onLog: (line) => ctx.log(line),
        onEvent: (e) => insertFrames(db, videoId, e.rows),
      },
    );
    if (result.frames !== probe.frameCount) {
      ctx.log(`${name}: probe said ${probe.frameCount} frames, decoding gave ${result.frames}; keeping the decoded count.`);
      db.prepare('UPDATE videos SET frame_count = ? WHERE id = ?').run(result.frames, videoId);
    }
    const t = result.timings;
    ctx.log(
      `${name}: ${result.frames} frames, faces in ${result.faces} (${((100 * result.faces) / Math.max(1, result.frames)).toFixed(1)} %), ` +
        `${(result.frames / result.seconds).toFixed(1)} frames/s; decode ${t.decodeMs.toFixed(0)} ms, detect ${t.detectMs.toFixed(0)} ms, ` +
        `landmarks ${t.landmarkMs.toFixed(0)} ms, align ${t.alignMs.toFixed(0)} ms, write ${t.writeMs.toFixed(0)} ms`,
    );
    setVideoStatus(db, videoId, 'ready');
    ctx.events.emit('data/changed', { domain: 'videos', videoId });
  } catch (err) {
    fs.rmSync(cropFile, { force: true });
    fs.rmSync(proxyFile, { force: true });
    if (err instanceof WorkerCancelled || ctx.signal.aborted) {
      deleteVideo(db, videoId);
    } else {
      deleteFrames(db, videoId);
      setVideoStatus(db, videoId, 'failed', err instanceof Error ? err.message : String(err));
    }
    ctx.events.emit('data/changed', { domain: 'videos', videoId });
    throw err;
  }
};
