// Small faces in wide frames: the acquisition scan finds them, region detection keeps them, and
// a video without faces does not pay for a scan on every frame. Real face-api, real ffmpeg.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData, readDemoLandmarks } from '../../../scripts/demo-data';
import { nme } from '../../../scripts/demo/measure-faces';
import { AcquirePolicy, EMPTY_SCANS_BEFORE_BACKOFF, SCAN_EVERY_WHEN_EMPTY } from '../../../src/main/services/media/worker/acquire';
import { detectRegion, FaceEngine, type FaceBox, type FaceDetection } from '../../../src/main/services/media/worker/faces';
import { runIngest, type FrameRow, type IngestInput } from '../../../src/main/services/media/worker/ingest';
import { probeVideo } from '../../../src/main/services/media/probe';
import { makePlacedFaceVideo, noFaceSource, placement } from '../../helpers/faceVideo';
import { ffmpeg, tempDir } from './helpers';

const tmp = tempDir('auw-small-');
afterAll(() => tmp.cleanup());

async function ingest(file: string, engine: FaceEngine, o: Partial<IngestInput> = {}) {
  const probe = await probeVideo(file);
  const rows: FrameRow[] = [];
  const input: IngestInput = { probe, cropFile: `${file}.${o.smallFaces ?? true}.crops`, cropSize: 48, alreadyAligned: false, detectEvery: 3, maxDecodeWidth: 640, ...o };
  const result = await runIngest(input, { signal: new AbortController().signal, progress: () => {}, log: () => {}, emit: (e) => rows.push(...e.rows) }, engine);
  return { result, rows: rows.sort((a, b) => a.idx - b.idx) };
}

describe('small faces', () => {
  let engine: FaceEngine;
  let wide: string;
  let truth: Float32Array;
  beforeAll(async () => {
    engine = await FaceEngine.load();
    const demo = await generateDemoData({ out: tmp.dir, seconds: 1.2, videos: 1, subjects: 1, seed: 3, size: 256, fps: 25, audioVideo: -1 });
    const v = demo.videos[0]!;
    // The demo face (~137 px of a 256-px frame) at 136/256 scale: ~75 px in a 1280×720 frame.
    wide = join(tmp.dir, 'wide.mp4');
    truth = await makePlacedFaceVideo(join(tmp.dir, v.file), readDemoLandmarks(join(tmp.dir, v.landmarks)), wide, {
      width: 1280,
      height: 720,
      fps: 25,
      fill: 112,
      place: () => placement(136 / 256, 0, 0, 0, 700, 300),
    });
  }, 300_000);

  it('finds and tracks an ~80-px face in a 1280×720 frame that whole-frame detection misses', async () => {
    const before = await ingest(wide, engine, { smallFaces: false });
    expect(before.result.faces).toBe(0);

    const { result, rows } = await ingest(wide, engine);
    expect(result.frames).toBe(30);
    expect(result.scans).toBeGreaterThanOrEqual(1);
    expect(result.regionDetections).toBeGreaterThan(0);
    const onFace = rows.filter((r) => r.landmarks && nme(r.landmarks, truth.subarray(r.idx * 136, r.idx * 136 + 136)) < 0.25);
    expect(onFace.length).toBeGreaterThanOrEqual(28);
    // Its size, in source pixels: a small face indeed.
    const widths = rows.filter((r) => r.box).map((r) => r.box![2]!);
    expect(Math.max(...widths)).toBeLessThan(130);
  }, 300_000);

  it('scans a video without faces at a bounded rate, not on every grid frame', async () => {
    const empty = join(tmp.dir, 'empty.mp4');
    // A moving smooth pattern (ffmpeg's testsrc2 has shapes the detector takes for a face).
    ffmpeg(['-f', 'lavfi', '-i', noFaceSource(4), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', empty]);
    const { result } = await ingest(empty, engine);
    expect(result.frames).toBe(120);
    expect(result.faces).toBe(0);
    expect(result.scans).toBeGreaterThanOrEqual(1);
    // 40 grid frames at k = 3; the scans back off after a few empty ones.
    expect(result.scans).toBeLessThanOrEqual(EMPTY_SCANS_BEFORE_BACKOFF + Math.ceil(120 / SCAN_EVERY_WHEN_EMPTY));
  }, 300_000);
});

describe('AcquirePolicy', () => {
  const box: FaceBox = { x: 300, y: 150, width: 40, height: 40 };
  const tracker = (focus: FaceBox | null) => ({ focus, detectsOnRegion: () => !!focus && !!detectRegion(focus, 640, 360) });

  it('backs off after empty scans: one at a time, then one per SCAN_EVERY_WHEN_EMPTY frames', async () => {
    const p = new AcquirePolicy(tracker(null), 224);
    const modes: string[] = [];
    for (let i = 0; i < 120; i += 3) {
      const m = p.mode(i, 640, 360);
      modes.push(String(m));
      if (m === 'scan') {
        const answer: Promise<FaceDetection[]> = Promise.resolve([]);
        p.scanned(answer);
        // While it is unanswered, no second scan.
        expect(p.mode(i + 1, 640, 360)).toBe('full');
        await answer;
        await Promise.resolve();
      }
    }
    const scans = modes.map((m, n) => (m === 'scan' ? 3 * n : -1)).filter((f) => f >= 0);
    expect(scans.slice(0, EMPTY_SCANS_BEFORE_BACKOFF)).toEqual([0, 3, 6]);
    for (let n = EMPTY_SCANS_BEFORE_BACKOFF; n < scans.length; n++) expect(scans[n]! - scans[n - 1]!).toBeGreaterThanOrEqual(SCAN_EVERY_WHEN_EMPTY);
  });

  it('leaves a small followed face to the tracker, a large one to whole-frame detection, and small frames unscanned', () => {
    expect(new AcquirePolicy(tracker(box), 224).mode(0, 640, 360)).toBeNull();
    expect(new AcquirePolicy(tracker({ ...box, width: 200, height: 200 }), 224).mode(0, 640, 360)).toBe('full');
    expect(new AcquirePolicy(tracker(null), 224).mode(0, 256, 256)).toBe('full');
    expect(new AcquirePolicy(tracker(null), 224, false).mode(0, 640, 360)).toBe('full');
  });
});

describe('detectRegion', () => {
  it('is REGION_SCALE face sizes around the box, shifted into the frame, or null when it would not magnify', () => {
    // 3 × 40 = 120 snaps to 2^(55/8) ≈ 117; the centre (320, 170) to the grid of 117/8.
    expect(detectRegion({ x: 300, y: 150, width: 40, height: 40 }, 640, 360)).toEqual({ x: 263, y: 117, width: 117, height: 117 });
    expect(detectRegion({ x: 0, y: 0, width: 40, height: 40 }, 640, 360)).toEqual({ x: 0, y: 0, width: 117, height: 117 });
    expect(detectRegion({ x: 200, y: 100, width: 170, height: 170 }, 640, 360)).toBeNull();
  });

  it('stays put while the box wobbles by its usual noise, and keeps the face well inside', () => {
    const base = { x: 301, y: 151, width: 43, height: 43 };
    const region = detectRegion(base, 640, 360)!;
    let same = 0;
    for (let dx = -1; dx <= 1; dx++)
      for (let dw = -1; dw <= 1; dw++) {
        const r = detectRegion({ x: base.x + dx, y: base.y - dx, width: base.width + dw, height: base.height + dw }, 640, 360)!;
        if (r.x === region.x && r.y === region.y && r.width === region.width) same++;
      }
    // Following the box exactly, 8 of the 9 would differ (every one but the base).
    expect(same).toBe(9);
    for (let x = 200; x < 400; x += 3.7)
      for (const size of [30, 37.5, 44, 52]) {
        const box = { x, y: 140, width: size, height: size };
        const r = detectRegion(box, 640, 360)!;
        // At least 0.7 of a face width between the face and the region's edge on every side (1 unsnapped):
        // the side rounded down by up to 4.4 % and the centre off by up to 1/16 of the side.
        expect(box.x - r.x).toBeGreaterThan(0.7 * size);
        expect(r.x + r.width - (box.x + box.width)).toBeGreaterThan(0.7 * size);
        expect(box.y - r.y).toBeGreaterThan(0.7 * size);
        expect(r.y + r.height - (box.y + box.height)).toBeGreaterThan(0.7 * size);
      }
  });
});
