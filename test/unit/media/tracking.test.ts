// The tracker between detections, and the detector thread's share of the landmark work, on a
// demo face moved across the frame by a known placement. Real face-api, real ffmpeg, a real thread.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData, readDemoLandmarks } from '../../../scripts/demo-data';
import { decodeFrames } from '../../../src/main/services/media/decode';
import { startDetectorThread } from '../../../src/main/services/media/worker/detector';
import { FaceEngine, FaceTracker, type FaceObservation, type RgbImage } from '../../../src/main/services/media/worker/faces';
import { runIngest, type FrameRow } from '../../../src/main/services/media/worker/ingest';
import { probeVideo } from '../../../src/main/services/media/probe';
import { makePlacedFaceVideo, placement } from '../../helpers/faceVideo';
import { tempDir } from './helpers';

const tmp = tempDir('auw-track-');
afterAll(() => tmp.cleanup());

/** Pixels per frame the face moves to the right. */
const SPEED = 3;

function centroidX(lm: ArrayLike<number>): number {
  let x = 0;
  for (let i = 0; i < 68; i++) x += lm[2 * i]!;
  return x / 68;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('tracking between detections', () => {
  let engine: FaceEngine;
  let moving: string;
  let truth: Float32Array;
  let frames: RgbImage[];
  let source: { file: string; landmarks: Float32Array };
  beforeAll(async () => {
    engine = await FaceEngine.load();
    const demo = await generateDemoData({ out: tmp.dir, seconds: 1.6, videos: 1, subjects: 1, seed: 5, size: 256, fps: 25, audioVideo: -1 });
    const v = demo.videos[0]!;
    source = { file: join(tmp.dir, v.file), landmarks: readDemoLandmarks(join(tmp.dir, v.landmarks)) };
    moving = join(tmp.dir, 'moving.mp4');
    truth = await makePlacedFaceVideo(source.file, source.landmarks, moving, {
      width: 320,
      height: 256,
      fps: 25,
      place: (f) => placement(0.8, 0, 128, 128, 100 + SPEED * f, 128),
    });
    frames = [];
    for await (const f of decodeFrames(moving, { pixFmt: 'rgb24' })) frames.push({ data: f.data, width: f.width, height: f.height });
  }, 300_000);

  it('moves a tracked frame’s box on with the face instead of leaving it where the last landmarks were', async () => {
    const tracker = new FaceTracker(engine, { detectEvery: 3 });
    const obs: (FaceObservation | null)[] = [];
    for (let i = 0; i < frames.length; i += 8) obs.push(...(await tracker.processBatch(frames.slice(i, i + 8))));
    expect(obs.every(Boolean)).toBe(true);
    // Box centre relative to the true face position: on detected frames where the detector puts it,
    // on tracked ones where the tracker predicted it. A box left behind lags by SPEED px per frame.
    const offset = (o: FaceObservation, i: number) => o.box.x + o.box.width / 2 - centroidX(truth.subarray(136 * i, 136 * i + 136));
    const warm = 6; // the velocity needs a few frames of landmarks
    const detected = obs.flatMap((o, i) => (i >= warm && o!.source === 'detected' ? [offset(o!, i)] : []));
    const tracked = obs.flatMap((o, i) => (i >= warm && o!.source === 'tracked' ? [offset(o!, i)] : []));
    expect(detected.length).toBeGreaterThan(5);
    expect(tracked.length).toBeGreaterThan(10);
    // Tracked frames are 1 or 2 frames after the last landmarks, so a box left where they were lags
    // 1.5 × SPEED px on average (measured: 4.5 px without the velocity, 2.6 px with it).
    expect(mean(detected) - mean(tracked)).toBeLessThan(0.75 * 1.5 * SPEED);
  }, 120_000);

  it('keeps tracking a small face that moves more than half its size each frame', async () => {
    // The face at 0.4 (≈ 50 px wide, landmark spread ≈ 10 px) crossing 480 px at 9 px per frame.
    const fast = join(tmp.dir, 'fast-small.mp4');
    await makePlacedFaceVideo(source.file, source.landmarks, fast, {
      width: 480,
      height: 256,
      fps: 25,
      fill: 110,
      place: (f) => placement(0.4, 0, 128, 128, 50 + 9 * f, 128),
    });
    const small: RgbImage[] = [];
    for await (const f of decodeFrames(fast, { pixFmt: 'rgb24' })) small.push({ data: f.data, width: f.width, height: f.height });
    const tracker = new FaceTracker(engine, { detectEvery: 3 });
    const obs: (FaceObservation | null)[] = [];
    for (let i = 0; i < small.length; i += 8) obs.push(...(await tracker.processBatch(small.slice(i, i + 8))));
    const after = obs.slice(6);
    expect(after.every(Boolean)).toBe(true);
    // 2 of 3 frames are off the detection grid. Checked against where the landmarks were (not where
    // the face was going), every one of them was refused and detected instead: 0 of 34 tracked.
    const tracked = after.filter((o) => o!.source === 'tracked').length;
    expect(tracked / after.length).toBeGreaterThan(0.5); // measured: 22 of 34
  }, 120_000);

  it('the detector thread returns landmarks for what it detects, the same as the landmark net on this thread', async () => {
    const detector = await startDetectorThread({ detectorInputSize: engine.detectorInputSize, minScore: engine.minScore, landmarkModel: engine.landmarkModel });
    try {
      const frame = frames[10]!;
      const [det] = await detector.detect(frame);
      expect(det?.landmarks).toBeInstanceOf(Float32Array);
      const [here] = await engine.landmarks([{ image: frame, box: det!.box }]);
      let worst = 0;
      for (let k = 0; k < 136; k++) worst = Math.max(worst, Math.abs(here![k]! - det!.landmarks![k]!));
      expect(worst).toBeLessThan(1e-3);
      expect(detector.landmarkMs).toBeGreaterThan(0);
    } finally {
      await detector.close();
    }
  }, 120_000);

  it('an import gives the same landmarks whichever thread ran the net on a frame', async () => {
    const run = async (detectorThread: boolean) => {
      const rows: FrameRow[] = [];
      const probe = await probeVideo(moving);
      await runIngest(
        { probe, cropFile: join(tmp.dir, `moving-${detectorThread}.crops`), cropSize: 48, alreadyAligned: false, detectEvery: 3, maxDecodeWidth: 640, detectorThread },
        { signal: new AbortController().signal, progress: () => {}, log: () => {}, emit: (e) => rows.push(...e.rows) },
        engine,
      );
      return rows.sort((a, b) => a.idx - b.idx);
    };
    const inline = await run(false);
    const threaded = await run(true);
    expect(threaded.length).toBe(frames.length);
    let worst = 0;
    for (const [i, r] of threaded.entries()) {
      expect(r.face).toBe(inline[i]!.face);
      for (let k = 0; k < 136; k++) worst = Math.max(worst, Math.abs(r.landmarks![k]! - inline[i]!.landmarks![k]!));
    }
    expect(worst).toBeLessThan(1e-3);
  }, 180_000);
});
