// Face alignment: fit a similarity transform from detected landmarks to a canonical face, then
// resample an S×S crop. Plain typed-array code: it runs once per frame on the ingest path, where a
// tensor round trip would cost more than the arithmetic.
import { CANONICAL_68 } from './template';

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty (scale = hypot(a, b), rotation = atan2(b, a)). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export const IDENTITY: Similarity = { a: 1, b: 0, tx: 0, ty: 0 };

export function applySimilarity(t: Similarity, x: number, y: number): [number, number] {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  if (d === 0) throw new Error('similarity is degenerate (zero scale)');
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** (outer ∘ inner)(p) = outer(inner(p)). */
export function composeSimilarity(outer: Similarity, inner: Similarity): Similarity {
  return {
    a: outer.a * inner.a - outer.b * inner.b,
    b: outer.b * inner.a + outer.a * inner.b,
    tx: outer.a * inner.tx - outer.b * inner.ty + outer.tx,
    ty: outer.b * inner.tx + outer.a * inner.ty + outer.ty,
  };
}

/**
 * Least-squares similarity mapping src points onto dst (flat x,y arrays), optionally weighted.
 * In 2D this closed form is Umeyama's solution (rotation restricted to det = +1, i.e. no mirroring):
 * treat points as complex numbers and solve q ≈ s·p + t for complex s.
 */
export function fitSimilarity(src: ArrayLike<number>, dst: ArrayLike<number>, indices?: readonly number[], weights?: ArrayLike<number>): Similarity {
  const n = indices ? indices.length : Math.floor(src.length / 2);
  if (n < 2) throw new Error('need at least two point pairs');
  let sw = 0;
  let mpx = 0;
  let mpy = 0;
  let mqx = 0;
  let mqy = 0;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    const w = weights ? weights[k]! : 1;
    sw += w;
    mpx += w * src[2 * i]!;
    mpy += w * src[2 * i + 1]!;
    mqx += w * dst[2 * i]!;
    mqy += w * dst[2 * i + 1]!;
  }
  mpx /= sw;
  mpy /= sw;
  mqx /= sw;
  mqy /= sw;
  let num_a = 0;
  let num_b = 0;
  let den = 0;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    const w = weights ? weights[k]! : 1;
    const px = src[2 * i]! - mpx;
    const py = src[2 * i + 1]! - mpy;
    const qx = dst[2 * i]! - mqx;
    const qy = dst[2 * i + 1]! - mqy;
    num_a += w * (px * qx + py * qy);
    num_b += w * (px * qy - py * qx);
    den += w * (px * px + py * py);
  }
  if (den === 0) throw new Error('source points coincide');
  const a = num_a / den;
  const b = num_b / den;
  return { a, b, tx: mqx - (a * mpx - b * mpy), ty: mqy - (b * mpx + a * mpy) };
}

/**
 * Landmarks that barely move with facial expression: nose bridge/base and the eye corners.
 * Fitting on mouth or brow points would let a smile or jaw drop shift/scale the crop and so
 * partly cancel the very motion the AU model must see.
 */
export const STABLE_POINTS: readonly number[] = [27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 39, 42, 45];

/** The transform from frame pixels to an S×S crop in which the face sits at the canonical place. */
export function alignmentTransform(landmarks: ArrayLike<number>, size: number, points: readonly number[] = STABLE_POINTS): Similarity {
  const dst = new Float32Array(136);
  for (let i = 0; i < 136; i++) dst[i] = CANONICAL_68[i]! * size;
  return fitSimilarity(landmarks, dst, points);
}

export interface PixelImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * Resamples `src` into an S×S crop: crop pixel (u, v) takes the bilinear sample at
 * imageToCrop⁻¹(u, v). Out-of-frame samples become `fill`. RGB → gray uses BT.601 luma.
 */
export function warpSimilarity(
  src: PixelImage,
  imageToCrop: Similarity,
  size: number,
  outChannels: 1 | 3,
  opts: { fill?: number; out?: Uint8Array } = {},
): Uint8Array {
  const inv = invertSimilarity(imageToCrop);
  const out = opts.out ?? new Uint8Array(size * size * outChannels);
  if (out.length < size * size * outChannels) throw new Error('output buffer too small');
  const fill = opts.fill ?? 0;
  const { data, width: W, height: H, channels: C } = src;
  const toGray = C === 3 && outChannels === 1;
  if (C === 1 && outChannels === 3) throw new Error('cannot make RGB from a gray source');
  let o = 0;
  for (let v = 0; v < size; v++) {
    // Sample at pixel centres; affine, so x/y advance by a constant step along the row.
    const cv = v + 0.5;
    let x = inv.a * 0.5 - inv.b * cv + inv.tx - 0.5;
    let y = inv.b * 0.5 + inv.a * cv + inv.ty - 0.5;
    for (let u = 0; u < size; u++, x += inv.a, y += inv.b) {
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < -1 || y0 < -1 || x0 >= W || y0 >= H) {
        for (let c = 0; c < outChannels; c++) out[o++] = fill;
        continue;
      }
      const fx = x - x0;
      const fy = y - y0;
      // Clamp the 2×2 neighbourhood at the border so edge pixels blend instead of going black.
      const xa = x0 < 0 ? 0 : x0;
      const xb = x0 + 1 >= W ? W - 1 : x0 + 1;
      const ya = y0 < 0 ? 0 : y0;
      const yb = y0 + 1 >= H ? H - 1 : y0 + 1;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const i00 = (ya * W + xa) * C;
      const i10 = (ya * W + xb) * C;
      const i01 = (yb * W + xa) * C;
      const i11 = (yb * W + xb) * C;
      if (toGray) {
        const r = w00 * data[i00]! + w10 * data[i10]! + w01 * data[i01]! + w11 * data[i11]!;
        const g = w00 * data[i00 + 1]! + w10 * data[i10 + 1]! + w01 * data[i01 + 1]! + w11 * data[i11 + 1]!;
        const b = w00 * data[i00 + 2]! + w10 * data[i10 + 2]! + w01 * data[i01 + 2]! + w11 * data[i11 + 2]!;
        out[o++] = (0.299 * r + 0.587 * g + 0.114 * b + 0.5) | 0;
      } else {
        for (let c = 0; c < outChannels; c++)
          out[o++] = (w00 * data[i00 + c]! + w10 * data[i10 + c]! + w01 * data[i01 + c]! + w11 * data[i11 + c]! + 0.5) | 0;
      }
    }
  }
  return out;
}

/** Landmarks → aligned crop in one call; also returns the transform (stored with the crop). */
export function alignFace(
  image: PixelImage,
  landmarks: ArrayLike<number>,
  size: number,
  channels: 1 | 3 = 1,
  out?: Uint8Array,
): { pixels: Uint8Array; transform: Similarity } {
  const transform = alignmentTransform(landmarks, size);
  return { pixels: warpSimilarity(image, transform, size, channels, { out }), transform };
}
