import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CropFlag, CropFileReader, CropFileWriter } from '../../../src/main/services/media/cropFile';
import { MIRROR_68 } from '../../../src/main/services/media/template';
import { IDENTITY_AUGMENT, type ClipAugment } from '../../../src/main/services/learn/augment';
import { CropLibrary, GEOMETRY_DIM, videoGeometry, viewDisplacement, type VideoSource } from '../../../src/main/services/learn/data';
import { geometryLoss } from '../../../src/main/services/learn/worker/objectives/geometry';
import { initBackend, tf } from '../../../src/main/services/learn/worker/tfjs';
import { Rng } from '../../../src/shared/rng';

const S = 8;

/** A face shape: point k at (k, 2k) in frame pixels, plus `dy` on point 8 (the chin). */
function shape(dy: number): Float32Array {
  const lm = new Float32Array(GEOMETRY_DIM);
  for (let k = 0; k < 68; k++) {
    lm[2 * k] = k;
    lm[2 * k + 1] = 2 * k + (k === 8 ? dy : 0);
  }
  return lm;
}

async function video(dir: string, chinDy: number[], noFace: number[] = []) {
  const file = path.join(dir, 'v.crops');
  const w = await CropFileWriter.create(file, { cropSize: S, channels: 1, fps: 25 });
  // Frames 0–2 scaled ×2, the rest ×1 and shifted: the crop transform must be applied per frame.
  const transforms = chinDy.map((_, f) => (f < 3 ? { a: 2, b: 0, tx: 0, ty: 0 } : { a: 1, b: 0, tx: 5, ty: -3 }));
  for (let f = 0; f < chinDy.length; f++) {
    if (noFace.includes(f)) await w.append({ flag: CropFlag.NoFace });
    else await w.append({ flag: CropFlag.Detected, transform: transforms[f]!, pixels: new Uint8Array(S * S).fill(100) });
  }
  await w.finish();
  await w.close();
  const landmarks = new Float32Array(chinDy.length * GEOMETRY_DIM);
  chinDy.forEach((dy, f) => {
    const lm = shape(dy);
    // Frame-pixel landmarks such that the transform brings them to the same crop shape.
    const t = transforms[f]!;
    for (let i = 0; i < 68; i++) {
      landmarks[f * GEOMETRY_DIM + 2 * i] = (lm[2 * i]! - t.tx) / t.a;
      landmarks[f * GEOMETRY_DIM + 2 * i + 1] = (lm[2 * i + 1]! - t.ty) / t.a;
    }
  });
  for (const f of noFace) landmarks.fill(NaN, f * GEOMETRY_DIM, (f + 1) * GEOMETRY_DIM);
  return { file, landmarks };
}

describe('landmark geometry targets', () => {
  it('are each frame’s crop-space landmarks minus the video’s median shape, zero where there is no face', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-geo-'));
    try {
      const { file, landmarks } = await video(dir, [0, 0, 4, 0, 0, 9], [5]);
      const reader = await CropFileReader.open(file);
      const g = await videoGeometry(reader, landmarks, 6);
      await reader.close();
      expect(Array.from(g.valid)).toEqual([1, 1, 1, 1, 1, 0]);
      for (let f = 0; f < 6; f++) {
        for (let j = 0; j < GEOMETRY_DIM; j++) {
          const expected = f === 2 && j === 17 ? 4 : 0;
          expect(g.displacement[f * GEOMETRY_DIM + j]).toBeCloseTo(expected, 4);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follow the view: rotated with the crop, swapped with their mirror partner, in 1/32 of the crop side', () => {
    const d = new Float32Array(GEOMETRY_DIM);
    d[2 * 8 + 1] = 4; // the chin moved 4 px down
    d[2 * 36] = 2; // an outer eye corner moved 2 px right
    const out = new Float32Array(GEOMETRY_DIM);
    viewDisplacement(d, 0, IDENTITY_AUGMENT, 64, out, 0);
    expect(out[2 * 8 + 1]).toBeCloseTo(2, 5);
    expect(out[2 * 36]).toBeCloseTo(1, 5);
    // A view rotated by 90°: output→source maps (x, y) to (−y, x), so in the view a downward move points along +x.
    const rot: ClipAugment = { ...IDENTITY_AUGMENT, a: 0, b: -1, c: 1, d: 0 };
    viewDisplacement(d, 0, rot, 64, out, 0);
    expect(out[2 * 8]).toBeCloseTo(2, 5);
    expect(out[2 * 8 + 1]).toBeCloseTo(0, 5);
    // Mirrored: x flips and point 45 (the other outer eye corner) takes 36's movement.
    const flip: ClipAugment = { ...IDENTITY_AUGMENT, a: -1 };
    viewDisplacement(d, 0, flip, 64, out, 0);
    expect(MIRROR_68[36]).toBe(45);
    expect(out[2 * 45]).toBeCloseTo(-1, 5);
    expect(out[2 * 36]).toBeCloseTo(0, 5);
    expect(out[2 * 8 + 1]).toBeCloseTo(2, 5);
  });

  it('come out of CropLibrary.readClip with the clip, masked where a frame has no face', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-geo-'));
    try {
      const { file, landmarks } = await video(dir, [0, 0, 4, 0, 0, 9], [5]);
      const v: VideoSource = { id: 1, cropFile: file, frameCount: 6, subject: 'A', face: Uint8Array.from([1, 1, 1, 1, 1, 0]), landmarks };
      const lib = await CropLibrary.open([v], { geometry: true });
      const T = 3;
      const x = new Float32Array(T * S * S);
      const mask = new Float32Array(T);
      const geometry = { out: new Float32Array(T * GEOMETRY_DIM), mask: new Float32Array(T) };
      await lib.readClip({ videoId: 1, frames: [1, 2, 5] }, null, new Rng(1), x, 0, mask, 0, undefined, geometry);
      await lib.close();
      expect(Array.from(geometry.mask)).toEqual([1, 1, 0]);
      expect(geometry.out[GEOMETRY_DIM + 2 * 8 + 1]).toBeCloseTo(4 / (S / 32), 4);
      expect(geometry.out.slice(2 * GEOMETRY_DIM).every((q) => q === 0)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loss: mean squared error per coordinate over the frames that have targets', async () => {
    await initBackend();
    const l = tf.tidy(() =>
      geometryLoss(tf.tensor2d([[1, 2], [3, 4], [9, 9]]), tf.tensor2d([[0, 0], [3, 6], [0, 0]]), tf.tensor1d([1, 1, 0])).dataSync()[0]!,
    );
    // (1 + 4 + 0 + 4) / (2 frames × 2 coordinates)
    expect(l).toBeCloseTo(9 / 4, 5);
  });
});
