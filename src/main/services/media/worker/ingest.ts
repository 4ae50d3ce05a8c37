/**
 * Video → aligned face crops, the heavy half of an import, run in the worker process. One staged
 * pipeline with one orchestrator (`runIngest`):
 *
 *   decode (ffmpeg pipe) → detect (detector thread, every k-th frame, ahead of the tracker)
 *     → track + landmarks (this thread) → align → write (crop file; frame rows to the backend)
 *
 * The stages are plain functions over one frame stream. Detection runs ahead on the second core
 * while this thread runs the landmark net, which is what used to leave that core idle. Crop writes
 * queue behind the landmark work; the backend, which owns the database, stores the streamed rows.
 * Resumable (crash or cancel) from the crop file's last checkpoint.
 */
import fs from 'node:fs';
import { alignmentTransform, warpSimilarity, type Similarity } from '../align';
import { CropFlag, CropFileWriter, type CropAppend } from '../cropFile';
import { decodeFrames, type RawFrame } from '../decode';
import type { VideoProbe } from '../probe';
import { AcquirePolicy } from './acquire';
import { inlineDetector, startDetectorThread, type Detector } from './detector';
import { FaceEngine, FaceTracker, type Detections, type FaceObservation } from './faces';

export interface IngestInput {
  probe: VideoProbe;
  cropFile: string;
  cropSize: number;
  /** 1 (grey, what the learner reads) unless a caller wants colour crops. */
  channels?: 1 | 3;
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
  /** Written into the crop file's header (cropSourceId of the video's content hash) and checked when resuming. */
  sourceId?: string;
  /** Tiny detector input size; see FaceEngineOptions. */
  detectorInputSize?: number;
  /** Run detection in a worker thread (the default) or on this thread. */
  detectorThread?: boolean;
  /**
   * Look for faces too small for the detector's input (default true): an acquisition scan while no
   * face is followed, detection on a magnified region around a small tracked face. false: the
   * whole frame at the detector's input only (how ingest ran before; for comparison).
   */
  smallFaces?: boolean;
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

export interface IngestTimings {
  /** This thread waiting for ffmpeg. */
  decodeMs: number;
  /** Detector time, wherever it ran (on the detector thread it overlaps the landmark net). */
  detectMs: number;
  /** This thread waiting for a detection the detector thread had not finished. */
  detectWaitMs: number;
  /** Landmark net time on both threads (the detector thread runs it on the frames it detects). */
  landmarkMs: number;
  alignMs: number;
  /** This thread waiting for the crop file (writes otherwise overlap the face models). */
  writeMs: number;
}

export interface IngestResult {
  frames: number;
  faces: number;
  /** The frame the run started at (> 0 when it continued an interrupted import). */
  resumedAt: number;
  seconds: number;
  timings: IngestTimings;
  /** Where detection ran, and the wasm threads of each side. */
  detector: 'thread' | 'inline' | 'none';
  /** Acquisition scans (no face followed), and detections on the region around a small tracked face. */
  scans: number;
  regionDetections: number;
}

export interface IngestTask {
  input: IngestInput;
  event: IngestEvent;
  result: IngestResult;
}

/** What the orchestrator needs from its host: the worker protocol's task IO, or a test's stand-in. */
export interface IngestIO {
  signal: AbortSignal;
  progress(fraction: number, message?: string): void;
  log(line: string): void;
  emit(event: IngestEvent): void;
}

const EMIT_EVERY = 64;
/** Frames per tracker call (the landmark net batches within one). */
const TRACK_BATCH = 8;
/** Decoded frames held ahead of the tracker, so the detector thread is never starved. */
const READ_AHEAD = 24;
/** fsync the crop file every N frames so a crash loses at most that much work. */
const CHECKPOINT_EVERY = 250;
/** Crop records allowed in the write queue before the tracker waits for the disk. */
const WRITE_QUEUE = 64;

/** Stage 1, decode: frames from `start` on, at most `width` wide. */
function decodeStage(probe: VideoProbe, start: number, width: number | null, signal: AbortSignal): AsyncIterable<RawFrame> {
  // Timestamp seeking is exact only at a constant frame rate; otherwise decode and skip.
  const seek = !probe.variableFrameRate && start > 0;
  const frames = decodeFrames(probe.path, {
    pixFmt: 'rgb24',
    sourceSize: probe,
    signal,
    ...(width !== null ? { width } : {}),
    ...(seek ? { startFrame: start, fps: probe.fps, videoStartSec: probe.videoStartSec } : {}),
  });
  return seek ? frames : skipBefore(frames, start);
}

async function* skipBefore(frames: AsyncIterable<RawFrame>, start: number): AsyncGenerator<RawFrame> {
  for await (const f of frames) if (f.index >= start) yield f;
}

interface StagedFrame {
  frame: RawFrame;
  /** The detector's answer for this frame, requested as the frame was decoded (grid frames, unless the tracker looks itself). */
  detections: Detections;
}

/**
 * Stage 2, detect: keeps READ_AHEAD frames decoded ahead of the consumer and asks the detector
 * for every grid frame as it arrives, so detection runs while the consumer is still on earlier
 * frames; `acquire` says how (whole frame, an acquisition scan, or not at all).
 */
async function* detectStage(frames: AsyncIterable<RawFrame>, detector: Detector, acquire: AcquirePolicy, detectEvery: number, start: number, t: IngestTimings): AsyncGenerator<StagedFrame> {
  const it = frames[Symbol.asyncIterator]();
  const ahead: Promise<IteratorResult<StagedFrame>>[] = [];
  const pull = () => {
    const next = it.next().then((r): IteratorResult<StagedFrame> => {
      if (r.done) return { done: true, value: undefined };
      const onGrid = FaceTracker.onGrid(r.value.index - start, detectEvery);
      const mode = onGrid ? acquire.mode(r.value.index, r.value.width, r.value.height) : null;
      const detections = mode ? detector.detect(r.value, mode) : undefined;
      if (detections && mode === 'scan') acquire.scanned(detections);
      // A detection that fails surfaces where the tracker awaits it, not as an unhandled rejection.
      detections?.catch(() => undefined);
      return { done: false, value: { frame: r.value, detections } };
    });
    // A read-ahead frame that fails (a cancel kills ffmpeg under all of them) throws where it is
    // awaited in order; the ones behind it are never awaited and must not count as unhandled.
    next.catch(() => undefined);
    ahead.push(next);
  };
  try {
    for (let n = 0; n < READ_AHEAD; n++) pull();
    for (;;) {
      const d0 = performance.now();
      const r = await ahead.shift()!;
      t.decodeMs += performance.now() - d0;
      if (r.done) return;
      pull();
      yield r.value;
    }
  } finally {
    // Stops ffmpeg when the consumer stops early (error, cancel).
    await it.return?.(undefined);
    await Promise.allSettled(ahead);
  }
}

/** Stage 3, track: the tracker's observation for each frame of a batch, in source pixels. */
async function trackStage(tracker: FaceTracker, batch: StagedFrame[], t: IngestTimings): Promise<(FaceObservation | null)[]> {
  const w0 = performance.now();
  // Time spent waiting for the detector thread, not counting this thread's own work.
  await Promise.allSettled(batch.map((s) => s.detections).filter(Boolean));
  t.detectWaitMs += performance.now() - w0;
  return tracker.processBatch(
    batch.map((s) => s.frame),
    batch.map((s) => s.detections),
  );
}

/** Stage 4, align: the crop record and frame row of one frame. `scale` = decoded width / source width. */
function alignStage(frame: RawFrame, face: FaceObservation | null, size: number, channels: 1 | 3, scale: number): { record: CropAppend; row: FrameRow } {
  if (!face) return { record: { flag: CropFlag.NoFace }, row: { idx: frame.index, face: false, score: null, box: null, landmarks: null } };
  const decoded = alignmentTransform(face.landmarks, size);
  const pixels = warpSimilarity({ data: frame.data, width: frame.width, height: frame.height, channels: 3 }, decoded, size, channels);
  // Stored transforms and rows are in source pixels, not the smaller decoded frame's.
  const transform: Similarity = { ...decoded, a: decoded.a * scale, b: decoded.b * scale };
  const src = scale !== 1 ? toSource(face, 1 / scale) : face;
  return {
    record: { flag: face.source === 'detected' ? CropFlag.Detected : CropFlag.Tracked, pixels, score: face.score, transform },
    row: {
      idx: frame.index,
      face: true,
      score: Math.min(1, Math.max(0, face.score)),
      box: Float32Array.from([src.box.x, src.box.y, src.box.width, src.box.height]),
      landmarks: src.landmarks,
    },
  };
}

/** Stage 5, write: crop records in frame order behind the face models, rows to the backend in batches. */
class WriteStage {
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private failed: unknown = null;
  private rows: FrameRow[] = [];
  private sinceCheckpoint = 0;

  constructor(
    private readonly writer: CropFileWriter,
    private readonly io: IngestIO,
    private readonly t: IngestTimings,
  ) {}

  async push(record: CropAppend, row: FrameRow): Promise<void> {
    if (this.failed) throw this.failed;
    this.queued++;
    this.queue = this.queue.then(async () => {
      if (this.failed) return;
      try {
        await this.writer.append(record);
      } catch (err) {
        this.failed = err;
      } finally {
        this.queued--;
      }
    });
    this.rows.push(row);
    // A row goes out only with its crop queued before it, so rows never run ahead of a checkpoint by more than the queue.
    if (this.rows.length >= EMIT_EVERY) this.emitRows();
    if (++this.sinceCheckpoint >= CHECKPOINT_EVERY) {
      this.sinceCheckpoint = 0;
      await this.drain();
      await this.writer.checkpoint();
    } else if (this.queued > WRITE_QUEUE) await this.drain();
  }

  emitRows(): void {
    if (this.rows.length) this.io.emit({ type: 'frames', rows: this.rows.splice(0) });
  }

  async drain(): Promise<void> {
    const w0 = performance.now();
    await this.queue;
    this.t.writeMs += performance.now() - w0;
    if (this.failed) throw this.failed;
  }
}

/** Detection where it is fastest: a thread of its own, else (no worker threads here) this thread. */
async function openDetector(input: IngestInput, engine: FaceEngine, io: IngestIO): Promise<Detector> {
  if (input.detectorThread === false) return inlineDetector(engine);
  try {
    return await startDetectorThread({ detectorInputSize: engine.detectorInputSize, minScore: engine.minScore, landmarkModel: engine.landmarkModel });
  } catch (err) {
    io.log(`Face detection runs on the landmark thread (no detector thread: ${err instanceof Error ? err.message : String(err)}); expect about half the speed.`);
    return inlineDetector(engine);
  }
}

/** The orchestrator: runs the stages over one video and reports frames/s as it goes. */
export async function runIngest(input: IngestInput, io: IngestIO, engine?: FaceEngine): Promise<IngestResult> {
  const started = performance.now();
  const t: IngestTimings = { decodeMs: 0, detectMs: 0, detectWaitMs: 0, landmarkMs: 0, alignMs: 0, writeMs: 0 };
  const total = Math.max(1, input.probe.frameCount);
  try {
    if (input.alreadyAligned) {
      const frames = await resizeOnly(input, io, t);
      return { frames, faces: frames, resumedAt: 0, seconds: (performance.now() - started) / 1000, timings: t, detector: 'none', scans: 0, regionDetections: 0 };
    }
    const faces = engine ?? (await FaceEngine.load(input.detectorInputSize ? { detectorInputSize: input.detectorInputSize } : {}));
    const lm0 = faces.timings.landmarkMs;
    const region0 = faces.timings.regionCalls;
    const resume = (input.resumeFrames ?? 0) > 0 && fs.existsSync(input.cropFile);
    const writer = resume
      ? await CropFileWriter.resume(input.cropFile, input.resumeFrames, input.sourceId)
      : await CropFileWriter.create(input.cropFile, { cropSize: input.cropSize, channels: input.channels ?? 1, fps: input.probe.fps, ...sourceOf(input) });
    // A resumed store keeps the geometry it was started with.
    const size = writer.cropSize;
    const channels = writer.channels;
    const start = writer.framesWritten;
    const video = input.probe;
    const scale = input.maxDecodeWidth && video.width > input.maxDecodeWidth ? input.maxDecodeWidth / video.width : 1;
    const decodeWidth = scale !== 1 ? Math.round((video.width * scale) / 2) * 2 : null;
    const tracker = new FaceTracker(faces, { detectEvery: input.detectEvery, regionDetection: input.smallFaces ?? true });
    const write = new WriteStage(writer, io, t);
    let detector: Detector | null = null;
    let done = start;
    let withFace = 0;
    const rate = new RateMeter(start);
    try {
      if (start < video.frameCount) {
        detector = await openDetector(input, faces, io);
        let batch: StagedFrame[] = [];
        const flush = async () => {
          // The face models never yield to the event loop (tfjs wasm resolves at once), so without
          // this turn ffmpeg's output and the detector's replies wait, and so do the next requests.
          await new Promise((resolve) => setImmediate(resolve));
          const obs = await trackStage(tracker, batch, t);
          for (let k = 0; k < batch.length; k++) {
            const a0 = performance.now();
            const { record, row } = alignStage(batch[k]!.frame, obs[k] ?? null, size, channels, scale);
            t.alignMs += performance.now() - a0;
            if (row.face) withFace++;
            await write.push(record, row);
          }
          done += batch.length;
          batch = [];
          io.progress(Math.min(1, done / total), rate.message(done, total, video.fps));
        };
        const acquire = new AcquirePolicy(tracker, faces.detectorInputSize, input.smallFaces ?? true);
        for await (const s of detectStage(decodeStage(video, start, decodeWidth, io.signal), detector, acquire, input.detectEvery, start, t)) {
          batch.push(s);
          if (batch.length >= TRACK_BATCH) await flush();
        }
        if (batch.length) await flush();
      }
      io.signal.throwIfAborted();
      await write.drain();
      write.emitRows();
      const frames = await writer.finish();
      if (start > 0) io.log(`Continued the interrupted import at frame ${start}.`);
      t.landmarkMs = faces.timings.landmarkMs - lm0 + (detector?.landmarkMs ?? 0);
      t.detectMs = detector?.detectMs ?? 0;
      if (detector?.where === 'inline') t.detectWaitMs = 0;
      return {
        frames,
        faces: withFace,
        resumedAt: start,
        seconds: (performance.now() - started) / 1000,
        timings: t,
        detector: detector?.where ?? 'none',
        scans: detector?.scans ?? 0,
        regionDetections: faces.timings.regionCalls - region0,
      };
    } catch (err) {
      // Keep what was written: the next run resumes at the last checkpoint.
      await write.drain().catch(() => undefined);
      await writer.close().catch(() => undefined);
      throw err;
    } finally {
      await detector?.close();
    }
  } catch (err) {
    if (!fs.existsSync(input.probe.path)) throw new Error(`The file ${input.probe.path} disappeared during import. Put it back (or relink it) and import again.`, { cause: err });
    throw err;
  }
}

/** Frames per second over the last few seconds, and the time left at that rate, for the progress line. */
class RateMeter {
  private marks: { t: number; frames: number }[] = [];

  constructor(start: number) {
    this.marks.push({ t: performance.now(), frames: start });
  }

  message(done: number, total: number, videoFps: number): string {
    const now = performance.now();
    this.marks.push({ t: now, frames: done });
    // A 5-s window follows changes (a faceless stretch is faster) without jumping on each batch.
    while (this.marks.length > 2 && now - this.marks[1]!.t > 5000) this.marks.shift();
    const first = this.marks[0]!;
    const fps = (done - first.frames) / Math.max(1e-3, (now - first.t) / 1000);
    const left = fps > 0 ? Math.max(0, total - done) / fps : null;
    return `Frame ${done} of ${total} · ${fps.toFixed(0)} frames/s (${(fps / Math.max(1, videoFps)).toFixed(1)}× real time)${left !== null ? ` · ${formatSeconds(left)} left` : ''}`;
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function sourceOf(input: IngestInput): { sourceId?: string } {
  return input.sourceId !== undefined ? { sourceId: input.sourceId } : {};
}

/** "Already aligned face crops": every frame is the face; only resize to the crop size. */
async function resizeOnly(input: IngestInput, io: IngestIO, t: IngestTimings): Promise<number> {
  const writer = await CropFileWriter.create(input.cropFile, { cropSize: input.cropSize, channels: 1, fps: input.probe.fps, ...sourceOf(input) });
  const write = new WriteStage(writer, io, t);
  const total = Math.max(1, input.probe.frameCount);
  const rate = new RateMeter(0);
  let frames = 0;
  try {
    for await (const f of decodeFrames(input.probe.path, { pixFmt: 'gray', width: input.cropSize, height: input.cropSize, signal: io.signal })) {
      await write.push({ flag: CropFlag.Detected, pixels: f.data, score: 1 }, { idx: f.index, face: true, score: 1, box: null, landmarks: null });
      frames++;
      if (frames % TRACK_BATCH === 0) io.progress(Math.min(1, frames / total), rate.message(frames, total, input.probe.fps));
    }
    await write.drain();
    write.emitRows();
    await writer.finish();
  } catch (err) {
    await write.drain().catch(() => undefined);
    await writer.close().catch(() => {});
    throw err;
  }
  return frames;
}

/** The observation in source pixels, for a frame that was decoded smaller. */
function toSource(face: FaceObservation, k: number): FaceObservation {
  const landmarks = new Float32Array(face.landmarks.length);
  for (let i = 0; i < landmarks.length; i++) landmarks[i] = face.landmarks[i]! * k;
  const b = face.box;
  return { ...face, landmarks, box: { x: b.x * k, y: b.y * k, width: b.width * k, height: b.height * k } };
}
