import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData, readDemoLandmarks, type DemoManifest } from '../../../scripts/demo-data';
import { measureVideo } from '../../../scripts/demo/measure-faces';
import { CropFlag, CropFileReader } from '../../../src/main/services/media/cropFile';
import { audioPeaks } from '../../../src/main/services/media/decode';
import { runIngest, type IngestIO } from '../../../src/main/services/media/worker/ingest';
import { FaceEngine } from '../../../src/main/services/media/worker/faces';
import { probeVideo } from '../../../src/main/services/media/probe';
import { tempDir } from './helpers';

const a = tempDir('auw-demo-');
const b = tempDir('auw-demo-');
let manifest: DemoManifest;

beforeAll(async () => {
  manifest = await generateDemoData({ out: a.dir, seconds: 4, videos: 2, subjects: 2, seed: 7, size: 256, fps: 25, audioVideo: 0 });
}, 120_000);
afterAll(() => {
  a.cleanup();
  b.cleanup();
});

const COLUMNS = ['AU01', 'AU02', 'AU04', 'AU05', 'AU06', 'AU09', 'AU12', 'AU15', 'AU17', 'AU20', 'AU25', 'AU26'];

describe('demo data', () => {
  it('writes a manifest describing the videos', () => {
    expect(manifest).toMatchObject({ format: 'au-workbench-demo', version: 1, fps: 25, width: 256, height: 256, frameIndexBase: 0, auColumns: COLUMNS });
    expect(manifest.aus).toEqual([1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26]);
    expect(manifest.videos.map((v) => [v.subjectId, v.frameCount, v.hasAudio])).toEqual([
      ['S01', 100, true],
      ['S02', 100, false],
    ]);
    expect(JSON.parse(readFileSync(join(a.dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
  });

  it('writes integer 0–5 ground truth per frame, mostly neutral', () => {
    let nonzero = 0;
    let cells = 0;
    for (const v of manifest.videos) {
      const lines = readFileSync(join(a.dir, v.groundTruth), 'utf8').trim().split('\n');
      expect(lines[0]).toBe(['frame', ...COLUMNS].join(','));
      expect(lines).toHaveLength(v.frameCount + 1);
      lines.slice(1).forEach((l, i) => {
        const cols = l.split(',').map(Number);
        expect(cols[0]).toBe(i);
        for (const c of cols.slice(1)) {
          expect(Number.isInteger(c) && c >= 0 && c <= 5).toBe(true);
          cells++;
          if (c > 0) nonzero++;
        }
      });
    }
    expect(nonzero).toBeGreaterThan(0);
    expect(nonzero / cells).toBeLessThan(0.35);
  });

  it('writes playable H.264 videos; only the first has sound', async () => {
    const [v0, v1] = manifest.videos;
    const p0 = await probeVideo(join(a.dir, v0!.file));
    expect(p0).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 256, height: 256, fps: 25, frameCount: 100, hasAudio: true });
    const p1 = await probeVideo(join(a.dir, v1!.file));
    expect(p1).toMatchObject({ frameCount: 100, hasAudio: false });
    const peaks = await audioPeaks(join(a.dir, v0!.file), 10);
    expect(peaks[0]!.length).toBeGreaterThanOrEqual(40);
    expect(Math.max(...peaks[0]!)).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', async () => {
    await generateDemoData({ out: b.dir, seconds: 4, videos: 1, subjects: 1, seed: 7, size: 256, fps: 25, audioVideo: -1 });
    const v = manifest.videos[0]!;
    expect(readFileSync(join(b.dir, v.groundTruth), 'utf8')).toBe(readFileSync(join(a.dir, v.groundTruth), 'utf8'));
    expect(readFileSync(join(b.dir, v.landmarks)).equals(readFileSync(join(a.dir, v.landmarks)))).toBe(true);
  });

  it('the face pipeline finds the face in ≥ 95 % of frames, landmarks close to the truth', async () => {
    const engine = await FaceEngine.load();
    for (const v of manifest.videos) {
      const m = await measureVideo(engine, join(a.dir, v.file), readDemoLandmarks(join(a.dir, v.landmarks)), 3);
      expect(m.frames).toBe(v.frameCount);
      expect(m.correct / m.frames).toBeGreaterThanOrEqual(0.95);
      expect(m.meanNme).toBeLessThan(0.1);
    }
  });

  it('extracts aligned crops into a store, and resumes after a cancel', async () => {
    const engine = await FaceEngine.load();
    const video = await probeVideo(join(a.dir, manifest.videos[1]!.file));
    // The import pipeline as the worker runs it, detector thread included.
    const ingest = (cropFile: string, o: { cropSize?: number; resume?: boolean; signal?: AbortSignal; onProgress?: (done: number) => void; onFrame?: (i: number) => void } = {}) => {
      const io: IngestIO = {
        signal: o.signal ?? new AbortController().signal,
        progress: (f) => o.onProgress?.(Math.round(f * video.frameCount)),
        log: () => {},
        emit: (e) => e.rows.forEach((r) => o.onFrame?.(r.idx)),
      };
      const input = { probe: video, cropFile, cropSize: o.cropSize ?? 112, alreadyAligned: false, detectEvery: 3, maxDecodeWidth: 640, resumeFrames: o.resume ? video.frameCount : 0 };
      return runIngest(input, io, engine).then((r) => ({ ...r, withFace: r.faces }));
    };
    const full = await ingest(join(a.dir, 'full.crops'), { cropSize: 64 });
    expect(full.frames).toBe(100);
    expect(full.withFace).toBeGreaterThanOrEqual(95);
    const r = await CropFileReader.open(join(a.dir, 'full.crops'));
    expect(r.header).toMatchObject({ frameCount: 100, complete: true, cropSize: 64, channels: 1, fps: 25 });
    const rec = await r.read(50);
    expect(rec.flag).not.toBe(CropFlag.NoFace);
    // The aligned face is not blank: real texture in the crop.
    const m = rec.pixels.reduce((s, v) => s + v, 0) / rec.pixels.length;
    expect(m).toBeGreaterThan(30);
    await r.close();

    const ac = new AbortController();
    const path = join(a.dir, 'part.crops');
    await expect(
      ingest(path, { cropSize: 64, signal: ac.signal, onProgress: (n) => n >= 40 && ac.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    const partial = await CropFileReader.open(path);
    expect(partial.header.complete).toBe(false);
    expect(partial.frameCount).toBeGreaterThanOrEqual(40);
    await partial.close();
    const seen: number[] = [];
    const res = await ingest(path, { resume: true, onFrame: (i) => seen.push(i) });
    expect(res.resumedAt).toBeGreaterThanOrEqual(40);
    expect(res.frames).toBe(100);
    expect(seen[0]).toBe(res.resumedAt);
    expect(seen.at(-1)).toBe(99);
  });
});
