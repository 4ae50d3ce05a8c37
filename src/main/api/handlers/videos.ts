import fs from 'node:fs';
import { ApiError } from '../../../shared/errors';
import type { Workbench } from '../../workbench';
import { openVideoCrops } from '../../services/media/cropCheck';
import { confirmSource, requireSource, sourceStates } from '../../services/media/sourceCheck';
import { extractStill } from '../../services/media/decode';
import { DEFAULT_DETECT_EVERY } from '../../../shared/settings/ingest';
import { checkVideoPath } from '../../services/media/backend/import';
import { removeVideo } from '../../services/media/backend/remove';
import { contentHash } from '../../services/media/probe';
import { frameInfo } from '../../services/store/frames';
import { getPeaks, getVideo, listVideos, setSubject, setVideoPath, videoSource } from '../../services/store/videos';
import { jobParams } from '../../services/jobs/kinds';
import type { HandlerSlice } from './types';

type M =
  | 'videos/list'
  | 'videos/import'
  | 'videos/remove'
  | 'videos/retryImport'
  | 'videos/relink'
  | 'videos/peaks'
  | 'videos/mediaUrl'
  | 'videos/setSubject'
  | 'frames/info'
  | 'frames/still'
  | 'frames/crop';

export function videoHandlers(workbench: Workbench): HandlerSlice<M> {
  const db = () => workbench.requireProject().db;
  const changed = (domain: 'videos', videoId?: number) => workbench.events.emit('data/changed', { domain, ...(videoId ? { videoId } : {}) });
  const readyFrame = (videoId: number, frame: number) => {
    const v = videoSource(db(), videoId);
    if (frame >= v.frameCount) throw new ApiError('invalid_argument', `Frame ${frame} is past the end of the video (${v.frameCount} frames, numbered from 0).`);
    return v;
  };

  return {
    // A video whose file moved shows as 'missing' (its crops still work) until it is relinked; one
    // whose file was replaced or cut shows as 'changed' (sourceCheck.ts), with what to do.
    'videos/list': () => {
      const sources = sourceStates(db());
      return listVideos(db()).map((v) => {
        const s = sources.get(v.id);
        return s && s.state !== 'ok' ? { ...v, status: s.state, error: s.message } : v;
      });
    },
    'videos/import': ({ paths, alreadyAligned, detectEvery, subject }) => {
      const jobs = workbench.requireJobs();
      const checked = paths.map((p) => {
        const abs = workbench.platform.paths.check(p);
        checkVideoPath(abs);
        if (!fs.existsSync(abs)) throw new ApiError('not_found', `There is no file at ${abs}.`);
        return abs;
      });
      // sizeBytes: what the Jobs panel scales the running import's rate by for the queue's ETA.
      return checked.map((p) => jobs.add('import', { path: p, alreadyAligned, detectEvery: detectEvery ?? DEFAULT_DETECT_EVERY, subject: subject ?? null, sizeBytes: fs.statSync(p).size }));
    },
    'videos/remove': async ({ videoId }) => {
      await removeVideo(workbench.requireProject(), videoId, workbench.requireJobs());
      changed('videos', videoId);
      return null;
    },
    'videos/retryImport': ({ videoId }) => {
      const video = getVideo(db(), videoId);
      const imports = workbench
        .requireJobs()
        .list(500)
        .map((j) => ({ job: j, params: jobParams(j, ['import']) }))
        .filter((j) => j.params?.path === video.path);
      const active = imports.some(({ job }) => job.state === 'queued' || job.state === 'running');
      // 'ingesting' with no live job: its failure could not be written (a full disk).
      const stranded = (video.status === 'ingesting' || video.status === 'pending') && !active;
      if (video.status !== 'failed' && !stranded) throw new ApiError('conflict', `${video.name} is ${video.status}; only a failed or interrupted import can be retried.`);
      if (!fs.existsSync(video.path)) throw new ApiError('not_found', `The video file ${video.path} is missing. Put it back, or import the moved file.`);
      // Same settings as the import that failed (the newest import job of this file).
      const last = imports[0]?.params;
      return workbench.requireJobs().add('import', {
        path: video.path,
        alreadyAligned: last?.alreadyAligned ?? false,
        detectEvery: last?.detectEvery ?? DEFAULT_DETECT_EVERY,
        subject: video.subject,
        videoId,
        sizeBytes: fs.statSync(video.path).size,
      });
    },
    'videos/relink': async ({ videoId, path }) => {
      const video = getVideo(db(), videoId);
      const abs = workbench.platform.paths.check(path);
      checkVideoPath(abs);
      if ((await contentHash(abs)) !== video.contentHash) {
        throw new ApiError('conflict', `${abs} is not the same file as ${video.name} (its content differs). Choose the moved original.`);
      }
      setVideoPath(db(), videoId, abs);
      confirmSource(db(), videoId, abs);
      changed('videos', videoId);
      return getVideo(db(), videoId);
    },
    'videos/peaks': ({ videoId }) => getPeaks(db(), videoId),
    'videos/mediaUrl': ({ videoId }) => {
      getVideo(db(), videoId);
      return workbench.platform.mediaUrl(videoId);
    },
    'videos/setSubject': ({ videoId, subject }) => {
      const video = setSubject(db(), videoId, subject);
      changed('videos', videoId);
      return video;
    },

    'frames/info': ({ videoId, frame }) => frameInfo(db(), videoId, frame),
    'frames/still': async ({ videoId, frame, maxWidth }) => {
      const v = readyFrame(videoId, frame);
      requireSource(db(), videoId); // the file the labels' frames came from, or a clear refusal

      const jpeg = await extractStill(v.path, frame, v.fps, {
        videoStartSec: v.videoStartSec,
        mode: v.variableFps ? 'select' : 'seek',
        ...(maxWidth ? { width: maxWidth } : {}),
      });
      const size = jpegSize(jpeg);
      return { mime: 'image/jpeg', width: size.width, height: size.height, base64: jpeg.toString('base64') };
    },
    'frames/crop': async ({ videoId, frame }) => {
      readyFrame(videoId, frame);
      const video = getVideo(db(), videoId);
      if (video.status !== 'ready') throw new ApiError('not_found', `${video.name} has no aligned crops yet (${video.status}): ${video.status === 'failed' ? 'use Retry import' : 'wait for its import to finish'}.`);
      const reader = await openVideoCrops(db(), workbench.requireProject().dir, video);
      try {
        const rec = await reader.read(frame);
        const size = reader.header.cropSize;
        return { mime: 'application/x-gray8', width: size, height: size, base64: Buffer.from(rec.pixels).toString('base64') };
      } finally {
        await reader.close();
      }
    },
  };
}

/** Width and height from a baseline/progressive JPEG's SOF marker. */
function jpegSize(b: Buffer): { width: number; height: number } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return { width: 0, height: 0 };
    const marker = b[i + 1]!;
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return { width: 0, height: 0 };
}
