import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData, type DemoManifest } from '../../../scripts/demo-data';
import { measureVideo } from '../../../scripts/demo/measure-faces';
import { audioPeaks } from '../../../src/main/services/media/decode';
import { FaceEngine } from '../../../src/main/services/media/faces';
import { probeVideo } from '../../../src/main/services/media/probe';
import { tempDir } from './helpers';

const a = tempDir('auw-demo-');
const b = tempDir('auw-demo-');
let manifest: DemoManifest;

beforeAll(async () => {
  manifest = await generateDemoData({ out: a.dir, seconds: 4, videos: 2, seed: 7, size: 256, fps: 25, audioVideo: 0 });
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
    await generateDemoData({ out: b.dir, seconds: 4, videos: 1, seed: 7, size: 256, fps: 25, audioVideo: -1 });
    const v = manifest.videos[0]!;
    expect(readFileSync(join(b.dir, v.groundTruth), 'utf8')).toBe(readFileSync(join(a.dir, v.groundTruth), 'utf8'));
    expect(readFileSync(join(b.dir, v.landmarks)).equals(readFileSync(join(a.dir, v.landmarks)))).toBe(true);
  });

  it('the face pipeline finds the face in ≥ 95 % of frames, landmarks close to the truth', async () => {
    const engine = await FaceEngine.load();
    for (const v of manifest.videos) {
      const buf = readFileSync(join(a.dir, v.landmarks));
      const truth = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const m = await measureVideo(engine, join(a.dir, v.file), truth, 3);
      expect(m.frames).toBe(v.frameCount);
      expect(m.correct / m.frames).toBeGreaterThanOrEqual(0.95);
      expect(m.meanNme).toBeLessThan(0.1);
    }
  });
});
