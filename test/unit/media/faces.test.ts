import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../../src/main/services/media/ffmpeg';
import { FaceEngine, FaceTracker, type RgbImage } from '../../../src/main/services/media/worker/faces';

const demoDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');

function photo(name: string, vf?: string, size?: [number, number]): RgbImage {
  const file = join(demoDir, name);
  const r = spawnSync(ffmpegPath(), ['-v', 'error', '-i', file, ...(vf ? ['-vf', vf] : []), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
  let [width, height] = size ?? [0, 0];
  if (!size) {
    const m = /, (\d+)x(\d+)/.exec(spawnSync(ffmpegPath(), ['-hide_banner', '-i', file], { encoding: 'utf8' }).stderr)!;
    width = Number(m[1]);
    height = Number(m[2]);
  }
  return { data: new Uint8Array(r.stdout), width, height };
}

/** Pastes `src` into `dst` at (x, y). */
function paste(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  for (let r = 0; r < src.height; r++) dst.data.set(src.data.subarray(r * src.width * 3, (r + 1) * src.width * 3), ((y + r) * dst.width + x) * 3);
}

let engine: FaceEngine;
beforeAll(async () => {
  engine = await FaceEngine.load({ landmarkModel: 'full', detectorInputSize: 224 });
}, 60_000);

describe('FaceEngine', () => {
  it('finds the face and 68 plausible landmarks in a demo photo crop', async () => {
    const img = photo('sample2.jpg', 'crop=440:440:1321:85,scale=256:256:flags=area', [256, 256]);
    const dets = await engine.detect(img);
    expect(dets).toHaveLength(1);
    expect(dets[0]!.score).toBeGreaterThan(0.5);
    const [lm] = await engine.landmarks([{ image: img, box: dets[0]!.box }]);
    expect(lm).toHaveLength(136);
    const { x, y, width, height } = dets[0]!.box;
    let inside = 0;
    for (let i = 0; i < 68; i++) if (lm![2 * i]! > x - 0.2 * width && lm![2 * i]! < x + 1.2 * width && lm![2 * i + 1]! > y - 0.2 * height && lm![2 * i + 1]! < y + 1.2 * height) inside++;
    expect(inside).toBe(68);
    const eyeY = (lm![37 * 2 + 1]! + lm![44 * 2 + 1]!) / 2;
    const mouthY = (lm![51 * 2 + 1]! + lm![57 * 2 + 1]!) / 2;
    expect(mouthY - eyeY).toBeGreaterThan(0.2 * height);
    expect(engine.timings.detectCalls).toBeGreaterThan(0);
  });

  it('finds every face in a group photo', async () => {
    const big = await FaceEngine.load({ detectorInputSize: 416 });
    const dets = await big.detect(photo('sample1.jpg'));
    expect(dets.length).toBeGreaterThanOrEqual(3);
  });

  it('rejects pixel buffers of the wrong size', async () => {
    await expect(engine.detect({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(/RGB/);
  });
});

describe('FaceTracker', () => {
  const W = 420;
  const H = 260;
  let big: RgbImage;
  let small: RgbImage;
  beforeAll(() => {
    big = photo('sample2.jpg', 'crop=440:440:1321:85,scale=250:250:flags=area', [250, 250]);
    small = photo('sample4.jpg', 'crop=400:400:551:12,scale=150:150:flags=area', [150, 150]);
  });
  const canvas = () => ({ data: new Uint8Array(W * H * 3).fill(90), width: W, height: H });

  it('follows the largest face and does not jump to another person', async () => {
    const both = canvas();
    paste(both, big, 0, 5);
    paste(both, small, 265, 60);
    const onlySmall = canvas();
    paste(onlySmall, small, 265, 60);
    const tracker = new FaceTracker(engine, { detectEvery: 1, reacquireAfter: 2 });
    const [a, b] = await tracker.processBatch([both, both]);
    expect(a!.box.x + a!.box.width / 2).toBeLessThan(200);
    expect(b!.box.x + b!.box.width / 2).toBeLessThan(200);
    // Our person leaves: no observation rather than the bystander…
    expect(await tracker.process(onlySmall)).toBeNull();
    expect(await tracker.process(onlySmall)).toBeNull();
    // …until the track is given up and the nearest face is taken.
    const c = await tracker.process(onlySmall);
    expect(c!.box.x).toBeGreaterThan(200);
  });

  it('tracks landmarks between detections', async () => {
    const frames = [0, 2, 4, 6, 8, 10].map((dx) => {
      const f = canvas();
      paste(f, big, 20 + dx, 5);
      return f;
    });
    const tracker = new FaceTracker(engine, { detectEvery: 3 });
    const obs = await tracker.processBatch(frames);
    expect(obs.map((o) => o?.source)).toEqual(['detected', 'tracked', 'tracked', 'detected', 'tracked', 'tracked']);
    // The nose tip moves with the 2-px-per-frame shift.
    const nose = obs.map((o) => o!.landmarks[60]!);
    for (let i = 1; i < nose.length; i++) expect(nose[i]! - nose[i - 1]!).toBeGreaterThan(0.5);
  });
});
