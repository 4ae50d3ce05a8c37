/**
 * The neutral reference with hand-made crops of known values: where a person has marked
 * frames (here in another of the person's videos), the crop reference, the landmark reference
 * shape and the baseline's HOG reference are their medians; without marks, the video's median.
 * Every expectation below differs between the two, so ignoring the marks fails the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CropFlag, CropFileWriter } from '../../../src/main/services/media/cropFile';
import { CropLibrary, GEOMETRY_DIM, type NeutralPart, type VideoSource } from '../../../src/main/services/learn/data';
import { BaselineFeatures, hog } from '../../../src/main/services/learn/worker/baseline';
import { Rng } from '../../../src/shared/rng';

const S = 16;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Crop pixels: every pixel `v`, except a bright square (texture for HOG) whose size is `edge`. */
function pixels(v: number, edge: number): Uint8Array {
  const px = new Uint8Array(S * S).fill(v);
  for (let y = 4; y < 4 + edge; y++) for (let x = 4; x < 4 + edge; x++) px[y * S + x] = 250;
  return px;
}

/** Landmarks in frame pixels: point k at (k, k) plus `dy` on every y (identity crop transform). */
function shape(dy: number): Float32Array {
  const lm = new Float32Array(GEOMETRY_DIM);
  for (let k = 0; k < 68; k++) {
    lm[2 * k] = k;
    lm[2 * k + 1] = k + dy;
  }
  return lm;
}

async function cropFile(dir: string, name: string, frames: { v: number; edge: number }[]): Promise<string> {
  const file = path.join(dir, name);
  const w = await CropFileWriter.create(file, { cropSize: S, channels: 1, fps: 25 });
  for (const f of frames) await w.append({ flag: CropFlag.Detected, transform: { a: 1, b: 0, tx: 0, ty: 0 }, pixels: pixels(f.v, f.edge) });
  await w.finish();
  await w.close();
  return file;
}

/**
 * Person A: video 1 (trained on) frames of gray 100, 110, 120, 130, 140 with landmarks shifted
 * 0…4 px; video 2 (not in the set) holds the neutral frames 1–3: gray 10, 20, 30, shifts 7, 8, 9.
 * Median of video 1: gray 120, shift 2. Median of the marks: gray 20, shift 8.
 */
async function person(): Promise<{ v1: VideoSource; part: NeutralPart }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-neutral-'));
  dirs.push(dir);
  const grays = [100, 110, 120, 130, 140];
  const file1 = await cropFile(dir, 'v1.crops', grays.map((v) => ({ v, edge: 4 })));
  const file2 = await cropFile(dir, 'v2.crops', [0, 10, 20, 30, 0].map((v) => ({ v, edge: 6 })));
  const landmarks = new Float32Array(5 * GEOMETRY_DIM);
  grays.forEach((_, f) => landmarks.set(shape(f), f * GEOMETRY_DIM));
  const neutralLm = new Float32Array(3 * GEOMETRY_DIM);
  [7, 8, 9].forEach((dy, i) => neutralLm.set(shape(dy), i * GEOMETRY_DIM));
  const v1: VideoSource = { id: 1, cropFile: file1, frameCount: 5, subject: 'A', face: new Uint8Array(5).fill(1), landmarks };
  return { v1, part: { videoId: 2, cropFile: file2, frames: [1, 2, 3], landmarks: neutralLm } };
}

async function firstPixel(lib: CropLibrary, frame: number): Promise<number> {
  const out = new Float32Array(S * S);
  await lib.readClip({ videoId: 1, frames: [frame] }, null, new Rng(1), out, 0, new Float32Array(1), 0);
  return out[0]!;
}

describe('the neutral reference', () => {
  it('is the median of the marked frames for the network input, not the video median', async () => {
    const { v1, part } = await person();
    const median = await CropLibrary.open([v1], { reference: 'video-median' });
    const neutral = await CropLibrary.open([{ ...v1, neutral: [part] }], { reference: 'video-median' });
    try {
      // Frame 0 (gray 100): minus the video median 120, or minus the marked median 20.
      expect(await firstPixel(median, 0)).toBeCloseTo((100 - 120) / 255 / 0.25, 4);
      expect(await firstPixel(neutral, 0)).toBeCloseTo((100 - 20) / 255 / 0.25, 4);
      expect((await neutral.neutralRecords(1))?.map((r) => r.index)).toEqual([1, 2, 3]);
      expect(await median.neutralRecords(1)).toBeNull();
    } finally {
      await median.close();
      await neutral.close();
    }
  });

  it('is the median shape of the marked frames for the landmark geometry', async () => {
    const { v1, part } = await person();
    const median = await CropLibrary.open([v1], { geometry: true });
    const neutral = await CropLibrary.open([{ ...v1, neutral: [part] }], { geometry: true });
    try {
      // Frame 4 is shifted 4 px: 4 − 2 = 2 from the video median, 4 − 8 = −4 from the neutral shape; x is unmoved.
      expect(median.geometryOf(1)!.displacement[4 * GEOMETRY_DIM + 1]).toBeCloseTo(2, 5);
      expect(neutral.geometryOf(1)!.displacement[4 * GEOMETRY_DIM + 1]).toBeCloseTo(-4, 5);
      expect(neutral.geometryOf(1)!.displacement[4 * GEOMETRY_DIM]).toBeCloseTo(0, 5);
    } finally {
      await median.close();
      await neutral.close();
    }
  });

  it('is the median HOG of the marked frames for the baseline', async () => {
    const { v1, part } = await person();
    const lib = await CropLibrary.open([{ ...v1, neutral: [part] }], { geometry: true });
    const plain = await CropLibrary.open([v1], { geometry: true });
    try {
      const [x] = await (await BaselineFeatures.open(lib)).frames(1, 0, 1);
      const [y] = await (await BaselineFeatures.open(plain)).frames(1, 0, 1);
      // The marked frames share one texture (a 6-px square), video 1 another (4 px): its HOG
      // minus the marked one's, to the 1/512 resolution of the median's histogram.
      const h = hog(pixels(100, 4), S);
      const ref = hog(pixels(20, 6), S);
      for (let j = 0; j < h.length; j++) expect(Math.abs(x![j]! - (h[j]! - ref[j]!))).toBeLessThanOrEqual(1 / 512);
      // Against its own median the frame's HOG is (nearly) nothing; against the marks it is not.
      const size = (v: Float32Array) => Math.hypot(...v.subarray(0, h.length));
      expect(size(y!)).toBeLessThan(0.05);
      expect(size(x!)).toBeGreaterThan(0.5);
      // The geometry part is in GEOMETRY_UNITs (1/32 of the crop side): frame 0 shifted 0 − 8 px.
      expect(x![h.length + 1]).toBeCloseTo(-8 / (S / 32), 4);
    } finally {
      await lib.close();
      await plain.close();
    }
  });
});
