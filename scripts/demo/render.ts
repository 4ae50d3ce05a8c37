// Raster helpers for the synthetic face videos: piecewise-affine warping and a few soft strokes.

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

function sample(src: RgbImage, x: number, y: number, out: Uint8Array, o: number): void {
  const W = src.width;
  const H = src.height;
  if (x < 0) x = 0;
  else if (x > W - 1) x = W - 1;
  if (y < 0) y = 0;
  else if (y > H - 1) y = H - 1;
  const x0 = x | 0;
  const y0 = y | 0;
  const x1 = x0 + 1 < W ? x0 + 1 : x0;
  const y1 = y0 + 1 < H ? y0 + 1 : y0;
  const fx = x - x0;
  const fy = y - y0;
  const d = src.data;
  const i00 = (y0 * W + x0) * 3;
  const i10 = (y0 * W + x1) * 3;
  const i01 = (y1 * W + x0) * 3;
  const i11 = (y1 * W + x1) * 3;
  const w00 = (1 - fx) * (1 - fy);
  const w10 = fx * (1 - fy);
  const w01 = (1 - fx) * fy;
  const w11 = fx * fy;
  out[o] = w00 * d[i00]! + w10 * d[i10]! + w01 * d[i01]! + w11 * d[i11]! + 0.5;
  out[o + 1] = w00 * d[i00 + 1]! + w10 * d[i10 + 1]! + w01 * d[i01 + 1]! + w11 * d[i11 + 1]! + 0.5;
  out[o + 2] = w00 * d[i00 + 2]! + w10 * d[i10 + 2]! + w01 * d[i01 + 2]! + w11 * d[i11 + 2]! + 0.5;
}

/**
 * Renders `src` deformed so that mesh vertex k moves from srcPts[k] to dstPts[k]: each destination
 * triangle is filled by the affine map back to its source triangle (inverse mapping, no holes).
 */
export function warpPiecewiseAffine(src: RgbImage, srcPts: ArrayLike<number>, dstPts: ArrayLike<number>, tris: Uint16Array, out: RgbImage): void {
  const W = out.width;
  const H = out.height;
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t]!;
    const b = tris[t + 1]!;
    const c = tris[t + 2]!;
    const x0 = dstPts[2 * a]!, y0 = dstPts[2 * a + 1]!;
    const x1 = dstPts[2 * b]!, y1 = dstPts[2 * b + 1]!;
    const x2 = dstPts[2 * c]!, y2 = dstPts[2 * c + 1]!;
    const det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (Math.abs(det) < 1e-9) continue;
    const u0 = srcPts[2 * a]!, v0 = srcPts[2 * a + 1]!;
    const du1 = srcPts[2 * b]! - u0, dv1 = srcPts[2 * b + 1]! - v0;
    const du2 = srcPts[2 * c]! - u0, dv2 = srcPts[2 * c + 1]! - v0;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
    const maxX = Math.min(W - 1, Math.ceil(Math.max(x0, x1, x2)));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
    const maxY = Math.min(H - 1, Math.ceil(Math.max(y0, y1, y2)));
    const inv = 1 / det;
    const eps = -1e-6;
    for (let py = minY; py <= maxY; py++) {
      for (let px = minX; px <= maxX; px++) {
        const l1 = ((px - x0) * (y2 - y0) - (x2 - x0) * (py - y0)) * inv;
        if (l1 < eps) continue;
        const l2 = ((x1 - x0) * (py - y0) - (px - x0) * (y1 - y0)) * inv;
        if (l2 < eps || l1 + l2 > 1 - eps) continue;
        sample(src, u0 + l1 * du1 + l2 * du2, v0 + l1 * dv1 + l2 * dv2, out.data, (py * W + px) * 3);
      }
    }
  }
}

/** Multiplies pixels near a segment by (1 − strength·gaussian(distance)): a soft skin crease. */
export function darkenSegment(img: RgbImage, x0: number, y0: number, x1: number, y1: number, sigma: number, strength: number): void {
  if (strength <= 0.002) return;
  const r = Math.ceil(3 * sigma);
  const minX = Math.max(0, Math.floor(Math.min(x0, x1)) - r);
  const maxX = Math.min(img.width - 1, Math.ceil(Math.max(x0, x1)) + r);
  const minY = Math.max(0, Math.floor(Math.min(y0, y1)) - r);
  const maxY = Math.min(img.height - 1, Math.ceil(Math.max(y0, y1)) + r);
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy || 1;
  const k = -1 / (2 * sigma * sigma);
  for (let y = minY; y <= maxY; y++)
    for (let x = minX; x <= maxX; x++) {
      const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2));
      const d2 = (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2;
      const f = 1 - strength * Math.exp(k * d2);
      const o = (y * img.width + x) * 3;
      img.data[o] = img.data[o]! * f;
      img.data[o + 1] = img.data[o + 1]! * f;
      img.data[o + 2] = img.data[o + 2]! * f;
    }
}

function inside(poly: ArrayLike<number>, x: number, y: number): boolean {
  let c = false;
  const n = poly.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[2 * i]!, yi = poly[2 * i + 1]!;
    const xj = poly[2 * j]!, yj = poly[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/** Blends a colour into a polygon with 4× supersampled (anti-aliased) edges. */
export function fillPolygon(img: RgbImage, poly: ArrayLike<number>, rgb: [number, number, number], alpha: number): void {
  if (alpha <= 0.002) return;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < poly.length; i += 2) {
    minX = Math.min(minX, poly[i]!);
    maxX = Math.max(maxX, poly[i]!);
    minY = Math.min(minY, poly[i + 1]!);
    maxY = Math.max(maxY, poly[i + 1]!);
  }
  const x0 = Math.max(0, Math.floor(minX)), x1 = Math.min(img.width - 1, Math.ceil(maxX));
  const y0 = Math.max(0, Math.floor(minY)), y1 = Math.min(img.height - 1, Math.ceil(maxY));
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      let cov = 0;
      for (const [sx, sy] of SUB) if (inside(poly, x + sx, y + sy)) cov++;
      if (!cov) continue;
      const a = (alpha * cov) / 4;
      const o = (y * img.width + x) * 3;
      for (let c = 0; c < 3; c++) img.data[o + c] = img.data[o + c]! * (1 - a) + rgb[c]! * a;
    }
}

const SUB: [number, number][] = [
  [-0.25, -0.25],
  [0.25, -0.25],
  [-0.25, 0.25],
  [0.25, 0.25],
];

/**
 * Lighting drift and sensor noise, in place: gain × (1 + gradient across the frame) plus noise
 * drawn from a precomputed Gaussian table at a per-frame offset (cheap and still deterministic).
 */
export function lightAndNoise(img: RgbImage, gain: number, gradX: number, gradY: number, noiseTable: Int8Array, noiseOffset: number): void {
  const { width: W, height: H, data } = img;
  const n = noiseTable.length;
  let k = noiseOffset % n;
  for (let y = 0; y < H; y++) {
    const gy = gradY * (y / H - 0.5);
    for (let x = 0; x < W; x++) {
      const g = gain * (1 + gradX * (x / W - 0.5) + gy);
      const o = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = data[o + c]! * g + noiseTable[k]!;
        if (++k === n) k = 0;
        data[o + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}
