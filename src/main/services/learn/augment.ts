/**
 * Photometric and geometric augmentation of gray crops, in plain JS (a clip is T·S² pixels,
 * microseconds of work next to a training step). One parameter draw per clip: every frame of
 * a view gets the same crop/scale/rotation/colour/blur, so the only change between frames is
 * the face's own motion, which is what the temporal objectives must pick up.
 */
import type { AugmentConfig } from './config';
import type { Rng } from '../../../shared/rng';

export interface ClipAugment {
  /** Inverse affine map from output to source pixel coordinates (about the centre). */
  a: number;
  b: number;
  c: number;
  d: number;
  tx: number;
  ty: number;
  brightness: number;
  contrast: number;
  blurSigma: number;
  noise: number;
}

export const IDENTITY_AUGMENT: ClipAugment = { a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0, brightness: 0, contrast: 1, blurSigma: 0, noise: 0 };

export function drawAugment(cfg: AugmentConfig, size: number, rng: Rng): ClipAugment {
  const s = 1 + rng.uniform(-cfg.scale, cfg.scale);
  const th = (rng.uniform(-cfg.rotate, cfg.rotate) * Math.PI) / 180;
  const flip = rng.next() < cfg.flipProb ? -1 : 1;
  const cos = Math.cos(th) / s;
  const sin = Math.sin(th) / s;
  return {
    a: cos * flip,
    b: -sin,
    c: sin * flip,
    d: cos,
    tx: rng.uniform(-cfg.shift, cfg.shift) * size,
    ty: rng.uniform(-cfg.shift, cfg.shift) * size,
    brightness: rng.uniform(-cfg.brightness, cfg.brightness),
    contrast: 1 + rng.uniform(-cfg.contrast, cfg.contrast),
    blurSigma: rng.next() < cfg.blurProb ? rng.uniform(0.3, cfg.blurSigma) : 0,
    noise: rng.uniform(0, cfg.noise),
  };
}

/** Optional extras of `augmentFrame`. */
export interface FrameExtras {
  /**
   * The video's reference face (0..255, e.g. its median crop): the network input becomes the
   * augmented frame minus the reference under the same view, (x − r) / 0.25.
   */
  reference?: Uint8Array;
  /** Also write the plain augmented frame (no reference subtracted) here, e.g. for flow targets. */
  appearance?: Float32Array;
  appearanceOffset?: number;
}

/**
 * Writes one augmented frame (0..255 gray in `src`) into `out` at `offset` as network input:
 * (x − 0.5) / 0.25 on the 0..1 scale, or (x − reference) / 0.25 when a reference is given.
 *
 * The reference goes through the same geometry, blur, contrast and brightness as the frame
 * (only the sensor noise is the frame's own): a lighting change applies to the person's face
 * as a whole, so it must scale the residual, not leave a ghost of the face (contrast) or a
 * uniform offset (brightness) on top of the expression the network has to read.
 */
export function augmentFrame(src: Uint8Array, size: number, p: ClipAugment, rng: Rng, out: Float32Array, offset: number, scratch?: Float32Array, extras: FrameExtras = {}): void {
  const n = size * size;
  const img = scratch && scratch.length >= n ? scratch : new Float32Array(n);
  warp(src, size, p, img);
  const ref = extras.reference ? warp(extras.reference, size, p, new Float32Array(n)) : null;
  if (p.blurSigma > 0) {
    gaussianBlur(img, size, p.blurSigma);
    if (ref) gaussianBlur(ref, size, p.blurSigma);
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += img[i]!;
  mean /= n;
  const app = extras.appearance;
  const appOffset = extras.appearanceOffset ?? 0;
  const tone = (x: number) => {
    const v = (x - mean) * p.contrast + mean + p.brightness;
    return v < 0 ? 0 : v > 1 ? 1 : v;
  };
  for (let i = 0; i < n; i++) {
    let v = (img[i]! - mean) * p.contrast + mean + p.brightness;
    if (p.noise > 0) v += p.noise * rng.normal();
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    out[offset + i] = ref ? (v - tone(ref[i]!)) / 0.25 : (v - 0.5) / 0.25;
    if (app) app[appOffset + i] = (v - 0.5) / 0.25;
  }
}

/** Geometric part of the augmentation: `src` (0..255) resampled into `img` on the 0..1 scale. */
function warp(src: Uint8Array, size: number, p: ClipAugment, img: Float32Array): Float32Array {
  const half = (size - 1) / 2;
  const geometric = p.a !== 1 || p.b !== 0 || p.c !== 0 || p.d !== 1 || p.tx !== 0 || p.ty !== 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let v: number;
      if (geometric) {
        const ox = x - half;
        const oy = y - half;
        const sx = Math.min(size - 1, Math.max(0, p.a * ox + p.b * oy + half + p.tx));
        const sy = Math.min(size - 1, Math.max(0, p.c * ox + p.d * oy + half + p.ty));
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const x1 = Math.min(size - 1, x0 + 1);
        const y1 = Math.min(size - 1, y0 + 1);
        const fx = sx - x0;
        const fy = sy - y0;
        const top = src[y0 * size + x0]! * (1 - fx) + src[y0 * size + x1]! * fx;
        const bot = src[y1 * size + x0]! * (1 - fx) + src[y1 * size + x1]! * fx;
        v = top * (1 - fy) + bot * fy;
      } else {
        v = src[y * size + x]!;
      }
      img[y * size + x] = v / 255;
    }
  }
  return img;
}

function gaussianBlur(img: Float32Array, size: number, sigma: number): void {
  const r = Math.max(1, Math.ceil(2 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const tmp = new Float32Array(img.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let acc = 0;
      for (let i = -r; i <= r; i++) acc += k[i + r]! * img[y * size + Math.min(size - 1, Math.max(0, x + i))]!;
      tmp[y * size + x] = acc;
    }
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let acc = 0;
      for (let i = -r; i <= r; i++) acc += k[i + r]! * tmp[Math.min(size - 1, Math.max(0, y + i)) * size + x]!;
      img[y * size + x] = acc;
    }
}
