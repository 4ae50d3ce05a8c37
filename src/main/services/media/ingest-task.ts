/**
 * The heavy half of a video import, run in the worker process: decode every frame, find and
 * track the face, align it, and append the crop to the video's crop file (extractFaceCrops).
 * Per-frame results stream back to the backend, which owns the database.
 */
import fs from 'node:fs';
import type { WorkerIO } from '../../worker/io';
import { CropFlag, CropStoreWriter } from './cropStore';
import { decodeFrames } from './decode';
import { FaceEngine } from './faces';
import { extractFaceCrops } from './ingest';
import type { VideoProbe } from './probe';

export interface IngestInput {
  probe: VideoProbe;
  cropFile: string;
  cropSize: number;
  /** The video already shows one aligned face per frame: skip detection, just resize. */
  alreadyAligned: boolean;
  /** Run the detector on every k-th frame and track landmarks in between. */
  detectEvery: number;
  /** Decode at most this width for detection (faces in 1080p need no more). */
  maxDecodeWidth: number;
  /**
   * Frames already in the database from an interrupted import: continue the crop file after
   * them instead of starting over (0 = start over).
   */
  resumeFrames?: number;
}

export interface FrameRow {
  idx: number;
  face: boolean;
  score: number | null;
  /** x, y, width, height in source pixels. */
  box: Float32Array | null;
  /** 68 points x0,y0,… in source pixels. */
  landmarks: Float32Array | null;
}

export type IngestEvent = { type: 'frames'; rows: FrameRow[] };

export interface IngestResult {
  frames: number;
  faces: number;
  seconds: number;
  timings: { decodeMs: number; detectMs: number; landmarkMs: number; alignMs: number; writeMs: number };
}

export interface IngestTask {
  input: IngestInput;
  event: IngestEvent;
  result: IngestResult;
}

const EMIT_EVERY = 64;

export async function runIngest(input: IngestInput, io: WorkerIO<'ingest'>): Promise<IngestResult> {
  const started = performance.now();
  const timings = { decodeMs: 0, detectMs: 0, landmarkMs: 0, alignMs: 0, writeMs: 0 };
  const pending: FrameRow[] = [];
  const flushRows = () => {
    if (pending.length) io.emit({ type: 'frames', rows: pending.splice(0) });
  };
  const total = Math.max(1, input.probe.frameCount);
  try {
    if (input.alreadyAligned) {
      const r = await resizeOnly(input, io, pending, flushRows);
      return { ...r, seconds: (performance.now() - started) / 1000, timings };
    }
    const engine = await FaceEngine.load();
    const result = await extractFaceCrops(input.probe, input.cropFile, {
      engine,
      ...(input.resumeFrames ? { resume: true, resumeLimit: input.resumeFrames } : {}),
      cropSize: input.cropSize,
      channels: 1,
      detectEvery: input.detectEvery,
      maxWidth: input.maxDecodeWidth,
      signal: io.signal,
      timings,
      onFrame: (idx, face) => {
        pending.push(
          face
            ? {
                idx,
                face: true,
                score: Math.min(1, Math.max(0, face.score)),
                box: Float32Array.from([face.box.x, face.box.y, face.box.width, face.box.height]),
                landmarks: face.landmarks,
              }
            : { idx, face: false, score: null, box: null, landmarks: null },
        );
        if (pending.length >= EMIT_EVERY) flushRows();
      },
      onProgress: (done) => io.progress(done / total, `Frame ${done} of ${total}`),
    });
    flushRows();
    if (result.resumedAt > 0) io.log(`Continued the interrupted import at frame ${result.resumedAt}.`);
    timings.detectMs = engine.timings.detectMs;
    timings.landmarkMs = engine.timings.landmarkMs;
    return { frames: result.frames, faces: result.withFace, seconds: (performance.now() - started) / 1000, timings };
  } catch (err) {
    fs.rmSync(input.cropFile, { force: true });
    if (!fs.existsSync(input.probe.path)) throw new Error(`The file ${input.probe.path} disappeared during import. Put it back (or relink it) and import again.`);
    throw err;
  }
}

/** "Already aligned face crops": every frame is the face; only resize to the crop size. */
async function resizeOnly(input: IngestInput, io: WorkerIO<'ingest'>, pending: FrameRow[], flush: () => void): Promise<{ frames: number; faces: number }> {
  const writer = await CropStoreWriter.create(input.cropFile, { cropSize: input.cropSize, channels: 1, fps: input.probe.fps });
  let frames = 0;
  try {
    for await (const f of decodeFrames(input.probe.path, { pixFmt: 'gray', width: input.cropSize, height: input.cropSize, signal: io.signal })) {
      await writer.append({ flag: CropFlag.Detected, pixels: f.data, score: 1 });
      pending.push({ idx: f.index, face: true, score: 1, box: null, landmarks: null });
      if (pending.length >= EMIT_EVERY) flush();
      frames++;
      io.progress(frames / Math.max(1, input.probe.frameCount), `Frame ${frames} of ${input.probe.frameCount}`);
    }
    flush();
    await writer.finish();
  } catch (err) {
    await writer.close().catch(() => {});
    throw err;
  }
  return { frames, faces: frames };
}
