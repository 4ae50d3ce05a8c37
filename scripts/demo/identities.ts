// Turns face-api's demo photos into neutral-faced base images with known landmarks.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ffmpegPath } from '../../src/main/services/media/ffmpeg';
import type { FaceBox, FaceEngine } from '../../src/main/services/media/worker/faces';
import { faceFrame } from './aus';
import { delaunay } from './delaunay';
import { warpPiecewiseAffine, type RgbImage } from './render';

export interface Identity {
  subjectId: string;
  source: string;
  image: RgbImage;
  /** Neutral landmarks (68) in `image` pixels. */
  landmarks: Float32Array;
}

const req = createRequire(import.meta.url);

export function samplePhotos(): string[] {
  const dir = join(dirname(req.resolve('@vladmandic/face-api/package.json')), 'demo');
  return [1, 2, 3, 4, 5, 6].map((i) => join(dir, `sample${i}.jpg`));
}

/** One face of one of the sample photos (the photos are group shots: 3–5 people each). */
export interface FaceSource {
  photo: string;
  /** Rank of the face in its photo by detector score (0 = most confident). */
  rank: number;
  box: FaceBox;
  /** 68 landmarks in photo pixels. */
  landmarks: Float32Array;
}

/**
 * Every usable face of the sample photos, in a fixed order: each photo's most confident face
 * first (photo 1…6, the subjects the demo has always had), then each photo's second face, and
 * so on. Faces turned too far from the camera (nose off the eyes' midline by more than 0.25 of
 * the eye distance) are left out: the 2-D warps that animate the AUs would show the turn. So
 * are the two faces in stage make-up (a painted tear, a clown face): face-api loses them on
 * about a tenth of the frames, which would test the tracker rather than the AU model.
 * The six photos give 17 people.
 */
export async function faceCatalog(engine: FaceEngine): Promise<FaceSource[]> {
  const perPhoto: FaceSource[][] = [];
  for (const photo of samplePhotos()) {
    const img = decodeImage(photo);
    const dets = await engine.detect(img);
    const lms = await engine.landmarks(dets.map((d) => ({ image: img, box: d.box })));
    const name = photo.split(/[\\/]/).pop()!;
    perPhoto.push(
      dets.map((d, rank) => ({ photo, rank, box: d.box, landmarks: lms[rank]! })).filter((f) => Math.abs(yaw(f.landmarks)) <= 0.25 && !STAGE_MAKEUP.includes(`${name}#${f.rank}`)),
    );
  }
  const out: FaceSource[] = [];
  for (let rank = 0; perPhoto.some((faces) => faces.length > rank); rank++) for (const faces of perPhoto) if (faces[rank]) out.push(faces[rank]!);
  return out;
}

/** Faces (photo#rank by detector score) in stage make-up; see faceCatalog. */
const STAGE_MAKEUP = ['sample1.jpg#0', 'sample1.jpg#2'];

/** Nose-tip offset from the eyes' midpoint along the eye line, in eye distances (0 = frontal). */
function yaw(lm: Float32Array): number {
  const { ex, iod } = faceFrame(lm);
  const mx = (lm[2 * 39]! + lm[2 * 42]!) / 2;
  const my = (lm[2 * 39 + 1]! + lm[2 * 42 + 1]!) / 2;
  return ((lm[60]! - mx) * ex[0] + (lm[61]! - my) * ex[1]) / iod;
}

function decodeImage(path: string, vf?: string): RgbImage {
  const ff = ffmpegPath();
  const head = spawnSync(ff, ['-hide_banner', '-i', path], { encoding: 'utf8' }).stderr;
  const dims = /Video: .*?, (\d+)x(\d+)/.exec(head);
  if (!dims) throw new Error(`cannot read image ${path}`);
  let width = Number(dims[1]);
  let height = Number(dims[2]);
  const sz = vf ? /scale=(\d+):(\d+)/.exec(vf) : null;
  if (sz) {
    width = Number(sz[1]);
    height = Number(sz[2]);
  }
  const r = spawnSync(ff, ['-v', 'error', '-i', path, ...(vf ? ['-vf', vf] : []), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 30 });
  if (r.status !== 0 || r.stdout.length !== width * height * 3) throw new Error(`ffmpeg could not decode ${path}: ${r.stderr.toString()}`);
  return { data: new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length), width, height };
}

/** Mesh anchors: an ellipse around the face (moves with the head) and a fixed frame border. */
export function anchorPoints(lm: Float32Array, width: number, height: number): { ring: Float32Array; border: Float32Array } {
  const { ex, ey } = faceFrame(lm);
  let cx = 0, cy = 0;
  for (let i = 0; i < 68; i++) {
    cx += lm[2 * i]! / 68;
    cy += lm[2 * i + 1]! / 68;
  }
  let ra = 0, rb = 0;
  for (let i = 0; i < 68; i++) {
    const dx = lm[2 * i]! - cx, dy = lm[2 * i + 1]! - cy;
    ra = Math.max(ra, Math.abs(dx * ex[0] + dy * ex[1]));
    rb = Math.max(rb, Math.abs(dx * ey[0] + dy * ey[1]));
  }
  ra *= 1.35;
  rb *= 1.45;
  const ring = new Float32Array(32);
  for (let k = 0; k < 16; k++) {
    const a = (2 * Math.PI * k) / 16;
    const u = ra * Math.cos(a), v = rb * Math.sin(a) - (Math.sin(a) < 0 ? 0.25 * rb * -Math.sin(a) : 0);
    ring[2 * k] = cx + u * ex[0] + v * ey[0];
    ring[2 * k + 1] = cy + u * ex[1] + v * ey[1];
  }
  const m = 24;
  const xs = [-m, width / 3, (2 * width) / 3, width - 1 + m];
  const ys = [-m, height / 3, (2 * height) / 3, height - 1 + m];
  const b: number[] = [];
  for (const x of xs) b.push(x, -m, x, height - 1 + m);
  for (const y of ys.slice(1, 3)) b.push(-m, y, width - 1 + m, y);
  return { ring, border: Float32Array.from(b) };
}

/**
 * The photos are mostly smiling. Close the lips and level/narrow the mouth corners so that
 * "all AUs 0" frames look neutral, making the ground truth honest about what is shown.
 */
function neutralise(lm: Float32Array): Float32Array {
  const out = Float32Array.from(lm);
  const { ex, ey, iod } = faceFrame(lm);
  let mx = 0, my = 0;
  for (let i = 60; i < 68; i++) {
    mx += lm[2 * i]! / 8;
    my += lm[2 * i + 1]! / 8;
  }
  const a = new Float32Array(68), b = new Float32Array(68);
  for (let i = 0; i < 68; i++) {
    const dx = lm[2 * i]! - mx, dy = lm[2 * i + 1]! - my;
    a[i] = dx * ex[0] + dy * ex[1];
    b[i] = dx * ey[0] + dy * ey[1];
  }
  const width = a[54]! - a[48]!;
  const f = Math.min(1, (0.8 * iod) / width);
  for (let i = 48; i < 68; i++) a[i] = a[i]! * f;
  const centre = (b[62]! + b[66]!) / 2;
  for (const [i, w] of [[48, 1], [54, 1], [60, 1], [64, 1], [49, 0.5], [53, 0.5], [59, 0.5], [55, 0.5], [61, 0.5], [63, 0.5], [65, 0.5], [67, 0.5], [50, 0.2], [52, 0.2], [58, 0.2], [56, 0.2]] as const) {
    const corner = i === 48 || i === 60 || [49, 59, 61, 67, 50, 58].includes(i) ? (b[48]! + b[60]!) / 2 : (b[54]! + b[64]!) / 2;
    b[i] = b[i]! + w * (centre + 0.01 * iod - corner);
  }
  const up = (b[61]! + b[62]! + b[63]!) / 3;
  const low = (b[65]! + b[66]! + b[67]!) / 3;
  const line = (up + low) / 2;
  const gap = Math.max(0.8, 0.012 * iod);
  const dUp = line - gap / 2 - up;
  const dLow = line + gap / 2 - low;
  for (const i of [61, 62, 63, 50, 51, 52]) b[i] = b[i]! + dUp;
  for (const i of [49, 53]) b[i] = b[i]! + dUp / 2;
  for (const i of [65, 66, 67, 56, 57, 58]) b[i] = b[i]! + dLow;
  for (const i of [55, 59]) b[i] = b[i]! + dLow / 2;
  // A mouth that was open had the jaw down too: raise the chin along with the lower lip.
  if (dLow < 0) for (const [i, w] of [[6, 0.5], [7, 0.8], [8, 1], [9, 0.8], [10, 0.5]] as const) b[i] = b[i]! + w * dLow;
  for (const i of [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 6, 7, 8, 9, 10]) {
    out[2 * i] = mx + a[i]! * ex[0] + b[i]! * ey[0];
    out[2 * i + 1] = my + a[i]! * ex[1] + b[i]! * ey[1];
  }
  return out;
}

/**
 * One identity from one face of a photo: a size×size image of it with the eyes level (the
 * photos hold tilted heads; the renderer adds its own small head motion), neutralised.
 */
export async function loadIdentity(engine: FaceEngine, face: FaceSource, subjectId: string, size: number): Promise<Identity> {
  const full = decodeImage(face.photo);
  const { ex, iod } = faceFrame(face.landmarks);
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < 68; i++) {
    cx += face.landmarks[2 * i]! / 68;
    cy += face.landmarks[2 * i + 1]! / 68;
  }
  // The face's landmark centre to the image centre, eye distance to 0.2 of the side (as the
  // axis-aligned 1.6 × box crops of earlier demo sets), eyes level.
  const k = (0.2 * size) / iod;
  const crop = resampleRotated(full, cx, cy, ex, 1 / k, size);
  // Landmarks again at the crop's own scale (the net is more precise on a face of this size).
  const toCrop = (x: number, y: number): [number, number] => [size / 2 + k * ((x - cx) * ex[0] + (y - cy) * ex[1]), size / 2 + k * (-(x - cx) * ex[1] + (y - cy) * ex[0])];
  const corners = [toCrop(face.box.x, face.box.y), toCrop(face.box.x + face.box.width, face.box.y), toCrop(face.box.x, face.box.y + face.box.height), toCrop(face.box.x + face.box.width, face.box.y + face.box.height)];
  const side = Math.max(...corners.map((p) => p[0])) - Math.min(...corners.map((p) => p[0]));
  const box = { x: size / 2 - side / 2, y: size / 2 - side / 2, width: side, height: side };
  const [lm] = await engine.landmarks([{ image: crop, box }]);
  const neutral = neutralise(lm!);
  const { ring, border } = anchorPoints(neutral, size, size);
  const src = Float32Array.from([...lm!, ...ring, ...border]);
  const dst = Float32Array.from([...neutral, ...ring, ...border]);
  const image: RgbImage = { data: new Uint8Array(size * size * 3), width: size, height: size };
  warpPiecewiseAffine(crop, src, dst, delaunay(dst), image);
  return { subjectId, source: `${face.photo.split(/[\\/]/).pop()!}#${face.rank}`, image, landmarks: neutral };
}

/**
 * A size×size view of `img` centred on (cx, cy) with its x axis along `ex`, `step` source
 * pixels per output pixel; each output pixel averages a 3×3 grid of bilinear samples, so a
 * 2–3× reduction does not alias.
 */
function resampleRotated(img: RgbImage, cx: number, cy: number, ex: [number, number], step: number, size: number): RgbImage {
  const out: RgbImage = { data: new Uint8Array(size * size * 3), width: size, height: size };
  const { width: W, height: H, data } = img;
  const px = (x: number, y: number, c: number) => data[(Math.min(H - 1, Math.max(0, y)) * W + Math.min(W - 1, Math.max(0, x))) * 3 + c]!;
  for (let v = 0; v < size; v++)
    for (let u = 0; u < size; u++) {
      const acc = [0, 0, 0];
      for (const du of [-1 / 3, 0, 1 / 3])
        for (const dv of [-1 / 3, 0, 1 / 3]) {
          const a = (u + du - size / 2 + 0.5) * step;
          const b = (v + dv - size / 2 + 0.5) * step;
          const x = cx + a * ex[0] - b * ex[1];
          const y = cy + a * ex[1] + b * ex[0];
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          const fx = x - x0;
          const fy = y - y0;
          for (let c = 0; c < 3; c++)
            acc[c]! += (px(x0, y0, c) * (1 - fx) + px(x0 + 1, y0, c) * fx) * (1 - fy) + (px(x0, y0 + 1, c) * (1 - fx) + px(x0 + 1, y0 + 1, c) * fx) * fy;
        }
      const o = (v * size + u) * 3;
      for (let c = 0; c < 3; c++) out.data[o + c] = Math.round(acc[c]! / 9);
    }
  return out;
}
