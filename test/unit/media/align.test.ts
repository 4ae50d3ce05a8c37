import { describe, expect, it } from 'vitest';
import {
  alignFace,
  alignmentTransform,
  applySimilarity,
  composeSimilarity,
  fitSimilarity,
  invertSimilarity,
  warpSimilarity,
  type PixelImage,
  type Similarity,
} from '../../../src/main/services/media/align';
import { CANONICAL_68 } from '../../../src/main/services/media/template';

function transformPoints(t: Similarity, pts: ArrayLike<number>): Float32Array {
  const out = new Float32Array(pts.length);
  for (let i = 0; i < pts.length; i += 2) {
    const [x, y] = applySimilarity(t, pts[i]!, pts[i + 1]!);
    out[i] = x;
    out[i + 1] = y;
  }
  return out;
}

const similarity = (scale: number, deg: number, tx: number, ty: number): Similarity => ({
  a: scale * Math.cos((deg * Math.PI) / 180),
  b: scale * Math.sin((deg * Math.PI) / 180),
  tx,
  ty,
});

describe('similarity fitting', () => {
  it('recovers a known transform exactly from clean points', () => {
    const t = similarity(1.7, 23, 40, -12);
    const src = Float32Array.from(CANONICAL_68, (v) => v * 200);
    const f = fitSimilarity(src, transformPoints(t, src));
    expect(f.a).toBeCloseTo(t.a, 4);
    expect(f.b).toBeCloseTo(t.b, 4);
    expect(f.tx).toBeCloseTo(t.tx, 3);
    expect(f.ty).toBeCloseTo(t.ty, 3);
  });

  it('is the least-squares fit under noise (no mirroring)', () => {
    const t = similarity(0.6, -40, 5, 7);
    const src = Float32Array.from(CANONICAL_68, (v) => v * 300);
    const dst = transformPoints(t, src);
    let seed = 7;
    for (let i = 0; i < dst.length; i++) {
      seed = (seed * 16807) % 2147483647;
      dst[i] = dst[i]! + ((seed / 2147483647) - 0.5) * 2;
    }
    const f = fitSimilarity(src, dst);
    expect(Math.hypot(f.a, f.b)).toBeCloseTo(0.6, 2);
    expect((Math.atan2(f.b, f.a) * 180) / Math.PI).toBeCloseTo(-40, 0);
  });

  it('inverts and composes', () => {
    const t = similarity(2, 30, 3, 4);
    const id = composeSimilarity(invertSimilarity(t), t);
    expect(id.a).toBeCloseTo(1, 12);
    expect(id.b).toBeCloseTo(0, 12);
    expect(id.tx).toBeCloseTo(0, 12);
    expect(id.ty).toBeCloseTo(0, 12);
    const u = similarity(0.5, -10, 1, 2);
    const [x, y] = applySimilarity(composeSimilarity(u, t), 5, 6);
    const [x2, y2] = applySimilarity(u, ...applySimilarity(t, 5, 6));
    expect(x).toBeCloseTo(x2, 10);
    expect(y).toBeCloseTo(y2, 10);
  });

  it('maps landmarks of a moved face back onto the template', () => {
    const size = 112;
    const t = similarity(3.1, 12, 250, 90);
    const landmarks = transformPoints(t, CANONICAL_68); // a face in a frame, template × similarity
    const align = alignmentTransform(landmarks, size);
    const back = transformPoints(align, landmarks);
    for (let i = 0; i < 136; i++) expect(back[i]).toBeCloseTo(CANONICAL_68[i]! * size, 2);
  });
});

function pattern(w: number, h: number): PixelImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      data[o] = (x * 5) & 255;
      data[o + 1] = (y * 3) & 255;
      data[o + 2] = 128 + 100 * Math.sin(x / 7) * Math.cos(y / 9);
    }
  return { data, width: w, height: h, channels: 3 };
}

describe('warpSimilarity', () => {
  it('an integer translation is an exact pixel shift', () => {
    const img = pattern(40, 30);
    const crop = warpSimilarity(img, { a: 1, b: 0, tx: -5, ty: -7 }, 16, 3);
    for (let v = 0; v < 16; v++)
      for (let u = 0; u < 16; u++)
        for (let c = 0; c < 3; c++) expect(crop[(v * 16 + u) * 3 + c]).toBe(img.data[((v + 7) * 40 + u + 5) * 3 + c]);
  });

  it('warping forth and back restores the image interior', () => {
    const img = pattern(64, 64);
    // Scale and rotate about the centre so the inspected interior stays inside the crop.
    const r = similarity(1.2, 17, 0, 0);
    const [cx, cy] = applySimilarity(r, 32, 32);
    const t = { ...r, tx: 32 - cx, ty: 32 - cy };
    const fwd = warpSimilarity(img, t, 64, 3);
    const back = warpSimilarity({ data: fwd, width: 64, height: 64, channels: 3 }, invertSimilarity(t), 64, 3);
    let err = 0;
    let n = 0;
    for (let y = 24; y < 40; y++)
      for (let x = 24; x < 40; x++)
        for (let c = 0; c < 3; c++) {
          err += Math.abs(back[(y * 64 + x) * 3 + c]! - img.data[(y * 64 + x) * 3 + c]!);
          n++;
        }
    expect(err / n).toBeLessThan(4);
  });

  it('converts to BT.601 gray and fills outside the frame', () => {
    const img: PixelImage = { data: new Uint8Array([200, 100, 50]), width: 1, height: 1, channels: 3 };
    const out = warpSimilarity(img, { a: 1, b: 0, tx: 0, ty: 0 }, 3, 1, { fill: 9 });
    expect(out[0]).toBe(Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50));
    expect(out[8]).toBe(9);
  });

  it('alignFace crops the face where the template says', () => {
    // A frame with one bright dot at the nose tip (point 30) of a transformed template face.
    const t = similarity(2.5, -8, 60, 40);
    const lm = transformPoints(t, Float32Array.from(CANONICAL_68, (v) => v * 100));
    const img: PixelImage = { data: new Uint8Array(400 * 400), width: 400, height: 400, channels: 1 };
    const nx = Math.round(lm[60]!), ny = Math.round(lm[61]!);
    for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) img.data[(ny + dy) * 400 + nx + dx] = 255;
    const { pixels, transform } = alignFace(img, lm, 64, 1);
    const [cx, cy] = applySimilarity(transform, nx, ny);
    expect(cx).toBeCloseTo(CANONICAL_68[60]! * 64, 0);
    expect(cy).toBeCloseTo(CANONICAL_68[61]! * 64, 0);
    expect(pixels[Math.floor(cy) * 64 + Math.floor(cx)]).toBeGreaterThan(200);
  });
});
