/**
 * The heavy half of a video import, run in the worker process: decode every frame, find and
 * track the face, align it, and append the crop to the video's crop file. Per-frame results
 * stream back to the backend, which owns the database.
 */
import fs from 'node:fs';
import type { WorkerIO } from '../../worker/protocol';
import { alignFace, type PixelImage } from './align';
import { CropFlag, CropStoreWriter } from './cropStore';
import { decodeFrames, type RawFrame } from './decode';
import { FaceEngine, FaceTracker, type FaceObservation } from './faces';

export interface IngestInput {
  videoPath: string;
  cropFile: string;
  cropSize: number;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
  videoStartSec: number;
  /** The video already shows one aligned face per frame: skip detection, just resize. */
  alreadyAligned: boolean;
  /** Run the detector on every k-th frame and track landmarks in between. */
  detectEvery: number;
  /** Decode at most this width for detection (faces in 1080p need no more). */
  maxDecodeWidth: number;
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

const BATCH = 8;
const EMIT_EVERY = 64;
const CHECKPOINT_EVERY = 512;

export async function runIngest(input: IngestInput, io: WorkerIO<'ingest'>): Promise<IngestResult> {
  const started = performance.now();
  const t = { decodeMs: 0, detectMs: 0, landmarkMs: 0, alignMs: 0, writeMs: 0 };
  const scale = input.width > input.maxDecodeWidth ? input.maxDecodeWidth / input.width : 1;
  const decodeWidth = Math.round((input.width * scale) / 2) * 2;
  const decodeHeight = Math.round((input.height * scale) / 2) * 2;
  const writer = await CropStoreWriter.create(input.cropFile, { cropSize: input.cropSize, channels: 1, fps: input.fps });
  const engine = input.alreadyAligned ? null : await FaceEngine.load({ landmarkModel: 'tiny' });
  const tracker = engine ? new FaceTracker(engine, { detectEvery: input.detectEvery }) : null;
  const pending: FrameRow[] = [];
  let frames = 0;
  let faces = 0;

  const flushRows = () => {
    if (pending.length) io.emit({ type: 'frames', rows: pending.splice(0) });
  };

  const handle = async (batch: RawFrame[]) => {
    let observations: (FaceObservation | null)[];
    if (tracker && engine) {
      const before = { ...engine.timings };
      observations = await tracker.processBatch(batch.map((f) => ({ data: f.data, width: f.width, height: f.height })));
      t.detectMs += engine.timings.detectMs - before.detectMs;
      t.landmarkMs += engine.timings.landmarkMs - before.landmarkMs;
    } else {
      observations = batch.map(() => null);
    }
    for (let i = 0; i < batch.length; i++) {
      const frame = batch[i]!;
      const obs = observations[i] ?? null;
      const a0 = performance.now();
      let row: FrameRow;
      if (input.alreadyAligned) {
        const gray = toGray(frame);
        await writer.append({ flag: CropFlag.Detected, pixels: gray, score: 1 });
        row = { idx: frame.index, face: true, score: 1, box: null, landmarks: null };
        faces++;
      } else if (obs) {
        const image: PixelImage = { data: frame.data, width: frame.width, height: frame.height, channels: 3 };
        const { pixels, transform } = alignFace(image, obs.landmarks, input.cropSize, 1);
        const w0 = performance.now();
        t.alignMs += w0 - a0;
        await writer.append({ flag: obs.source === 'detected' ? CropFlag.Detected : CropFlag.Tracked, pixels, score: obs.score, transform });
        t.writeMs += performance.now() - w0;
        const inv = 1 / scale;
        const lm = new Float32Array(obs.landmarks.length);
        for (let k = 0; k < lm.length; k++) lm[k] = obs.landmarks[k]! * inv;
        row = {
          idx: frame.index,
          face: true,
          score: Math.min(1, Math.max(0, obs.score)),
          box: Float32Array.from([obs.box.x * inv, obs.box.y * inv, obs.box.width * inv, obs.box.height * inv]),
          landmarks: lm,
        };
        faces++;
      } else {
        await writer.append({ flag: CropFlag.NoFace });
        row = { idx: frame.index, face: false, score: null, box: null, landmarks: null };
      }
      pending.push(row);
      frames++;
      if (frames % CHECKPOINT_EVERY === 0) await writer.checkpoint();
    }
    if (pending.length >= EMIT_EVERY) flushRows();
    io.progress(frames / Math.max(1, input.frameCount), `Frame ${frames} of ${input.frameCount}`);
  };

  try {
    let batch: RawFrame[] = [];
    let d0 = performance.now();
    const decodeOpts = input.alreadyAligned
      ? { pixFmt: 'gray' as const, width: input.cropSize, height: input.cropSize }
      : { pixFmt: 'rgb24' as const, width: decodeWidth, height: decodeHeight };
    for await (const frame of decodeFrames(input.videoPath, { ...decodeOpts, signal: io.signal })) {
      t.decodeMs += performance.now() - d0;
      batch.push(frame);
      if (batch.length === BATCH) {
        await handle(batch);
        batch = [];
      }
      if (io.signal.aborted) throw new Error('cancelled');
      d0 = performance.now();
    }
    if (batch.length) await handle(batch);
    flushRows();
    await writer.finish();
  } catch (err) {
    await writer.close().catch(() => {});
    fs.rmSync(input.cropFile, { force: true });
    if (!fs.existsSync(input.videoPath)) throw new Error(`The file ${input.videoPath} disappeared during import. Put it back (or relink it) and import again.`);
    throw err;
  }
  return { frames, faces, seconds: (performance.now() - started) / 1000, timings: t };
}

function toGray(frame: RawFrame): Uint8Array {
  if (frame.channels === 1) return frame.data;
  const out = new Uint8Array(frame.width * frame.height);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = (frame.data[j]! * 299 + frame.data[j + 1]! * 587 + frame.data[j + 2]! * 114) / 1000;
  return out;
}
