// Video → aligned face-crop cache, the media half of an import job: decode, track one face,
// align, append to the crop store. Resumable (crash or cancel) from the store's last checkpoint.
import { alignmentTransform, warpSimilarity, type Similarity } from './align';
import { CropFlag, CropStoreWriter } from './cropStore';
import { decodeFrames, type RawFrame } from './decode';
import { FaceEngine, FaceTracker, type FaceEngineOptions, type FaceObservation } from './faces';
import type { VideoProbe } from './probe';
import { existsSync } from 'node:fs';
import { AbortedError } from './ffmpeg';

export interface CropExtractionOptions extends FaceEngineOptions {
  cropSize?: number;
  channels?: 1 | 3;
  /** Detector every k frames, landmark tracking between (k = 3 kept accuracy on the demo set). */
  detectEvery?: number;
  /** Frames per landmark-net batch. */
  batch?: number;
  /** Continue an interrupted store at `storePath` instead of starting over. */
  resume?: boolean;
  /** With `resume`: keep at most this many records (those the caller also has rows for). */
  resumeLimit?: number;
  /** fsync the store every N frames so a crash loses at most that much work. */
  checkpointEvery?: number;
  /** Source identity written into the store header (e.g. contentHash prefix). */
  sourceId?: string;
  signal?: AbortSignal;
  onProgress?: (framesDone: number, frameCount: number) => void;
  /** Per-frame result, e.g. to keep landmarks in the project database. */
  onFrame?: (index: number, face: FaceObservation | null, transform: Similarity | null) => void;
  engine?: FaceEngine;
  /** Decode at most this wide for detection (faces in HD need no more); landmarks come back in source pixels. */
  maxWidth?: number;
  /** Accumulates where the time goes, for the ingest benchmark. */
  timings?: { decodeMs: number; alignMs: number; writeMs: number };
}

export interface CropExtractionResult {
  frames: number;
  withFace: number;
  resumedAt: number;
  ms: number;
}

export async function extractFaceCrops(video: VideoProbe, storePath: string, o: CropExtractionOptions = {}): Promise<CropExtractionResult> {
  const t0 = performance.now();
  const engine = o.engine ?? (await FaceEngine.load(o));
  const writer =
    o.resume && existsSync(storePath)
      ? await CropStoreWriter.resume(storePath, o.resumeLimit)
      : await CropStoreWriter.create(storePath, { cropSize: o.cropSize ?? 112, channels: o.channels ?? 1, fps: video.fps, sourceId: o.sourceId });
  // A resumed store keeps the geometry it was started with.
  const size = writer.cropSize;
  const channels = writer.channels;
  const start = writer.framesWritten;
  const tracker = new FaceTracker(engine, { detectEvery: o.detectEvery ?? 3 });
  const batchSize = o.batch ?? 8;
  const every = o.checkpointEvery ?? 250;
  let withFace = 0;
  let done = start;
  let sinceCheckpoint = 0;
  let pending: RawFrame[] = [];

  const scale = o.maxWidth && video.width > o.maxWidth ? o.maxWidth / video.width : 1;
  const t = o.timings;
  const flush = async () => {
    const obs = await tracker.processBatch(pending);
    for (let k = 0; k < pending.length; k++) {
      const f = pending[k]!;
      let face = obs[k] ?? null;
      let transform: Similarity | null = null;
      if (face) {
        const a0 = performance.now();
        const decoded = alignmentTransform(face.landmarks, size);
        const pixels = warpSimilarity({ data: f.data, width: f.width, height: f.height, channels: 3 }, decoded, size, channels);
        // Stored transforms map source pixels (not the smaller decoded frame) to the crop.
        transform = { ...decoded, a: decoded.a * scale, b: decoded.b * scale };
        const w0 = performance.now();
        await writer.append({ flag: face.source === 'detected' ? CropFlag.Detected : CropFlag.Tracked, pixels, score: face.score, transform });
        if (t) {
          t.alignMs += w0 - a0;
          t.writeMs += performance.now() - w0;
        }
        withFace++;
        if (scale !== 1) face = toSource(face, 1 / scale);
      } else await writer.append({ flag: CropFlag.NoFace });
      o.onFrame?.(f.index, face, transform);
    }
    done += pending.length;
    sinceCheckpoint += pending.length;
    pending = [];
    if (sinceCheckpoint >= every) {
      await writer.checkpoint();
      sinceCheckpoint = 0;
    }
    o.onProgress?.(done, video.frameCount);
  };

  try {
    if (start < video.frameCount) {
      // Timestamp seeking is exact only at a constant frame rate; otherwise decode and skip.
      const seek = !video.variableFrameRate && start > 0;
      const frames = decodeFrames(video.path, {
        pixFmt: 'rgb24',
        sourceSize: video,
        signal: o.signal,
        ...(scale !== 1 ? { width: Math.round((video.width * scale) / 2) * 2 } : {}),
        ...(seek ? { startFrame: start, fps: video.fps, videoStartSec: video.videoStartSec } : {}),
      });
      let d0 = performance.now();
      for await (const f of frames) {
        if (t) t.decodeMs += performance.now() - d0;
        if (f.index >= start) {
          pending.push(f);
          if (pending.length >= batchSize) await flush();
        }
        d0 = performance.now();
      }
      if (pending.length) await flush();
    }
    if (o.signal?.aborted) throw new AbortedError();
    const frames = await writer.finish();
    return { frames, withFace, resumedAt: start, ms: performance.now() - t0 };
  } catch (e) {
    // Keep what was done: the next run resumes here.
    await writer.close().catch(() => undefined);
    throw e;
  }
}

/** The observation in source pixels, for a frame that was decoded smaller. */
function toSource(face: FaceObservation, k: number): FaceObservation {
  const landmarks = new Float32Array(face.landmarks.length);
  for (let i = 0; i < landmarks.length; i++) landmarks[i] = face.landmarks[i]! * k;
  const b = face.box;
  return { ...face, landmarks, box: { x: b.x * k, y: b.y * k, width: b.width * k, height: b.height * k } };
}
