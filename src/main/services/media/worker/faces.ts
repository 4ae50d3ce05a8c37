// Face detection + 68 landmarks on raw RGB frames, and a single-person tracker over a video.
import { loadFaceApi, faceApiModelDir, type FaceApiModule } from './faceapi';

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FaceDetection {
  box: FaceBox;
  score: number;
  /**
   * This box's 68 landmarks, where the detector thread ran the landmark net on it too (its share
   * of the landmark work: the tracker then runs the net only on the frames between detections).
   */
  landmarks?: Float32Array;
}

export interface FaceObservation {
  box: FaceBox;
  /** Detector score on detection frames; on tracked frames the score of the detection it came from. */
  score: number;
  /** 68 points as x0,y0,x1,y1,… in frame pixels (iBUG 68 order). */
  landmarks: Float32Array;
  source: 'detected' | 'tracked';
}

export interface FaceEngineOptions {
  /**
   * 'tiny' is ~2× faster; 'full' is more precise on mouth and brows (see scripts/demo/measure-faces.ts).
   * 'none' loads the detector alone, for the pipeline's detector thread.
   */
  landmarkModel?: 'tiny' | 'full' | 'none';
  /** Tiny detector input size (multiple of 32): smaller is faster but misses small faces. */
  detectorInputSize?: number;
  minScore?: number;
  modelDir?: string;
}

export interface FaceTimings {
  detectMs: number;
  detectCalls: number;
  /** Of detectCalls: acquisition scans (SCAN_INPUT_SIZE), and detections on a region around a tracked face. */
  scanCalls: number;
  regionCalls: number;
  landmarkMs: number;
  landmarkFaces: number;
}

/** What a detector call looks at: the whole frame at the engine's input size, or an acquisition scan. */
export type DetectMode = 'full' | 'scan';

export interface DetectOptions {
  mode?: DetectMode;
  /** Detect inside this part of the frame only (clipped to it), scaled to the detector's input. */
  region?: FaceBox;
}

/**
 * The acquisition scan's detector input. The tiny detector finds faces of ≳ 35 px at its input:
 * at 224 that is a face of ~100 px in a 640-wide frame. Measured on an ~80-px face in 1280×720
 * decoded at 640: 608 finds it on every frame (as do 8 tiles of 224 at 1:1, for more time),
 * 224–512 and two 360-px halves at 352 do not (two halves at 320 do, but miss other sizes 608 finds).
 */
export const SCAN_INPUT_SIZE = 608;

/**
 * A region around a tracked face: this many face sizes wide. The crop scaled to the 224 input
 * magnifies a small face; 3 and 4 face widths found the 80-px face on every frame, 5 on 7 of 10, 6 on none.
 */
export const REGION_SCALE = 3;

/**
 * Face motion below this share of the landmarks' RMS spread per frame is taken as jitter. Measured
 * with bench:ingest --only: 0.05 left the still demo face and the small face exactly as without
 * motion (NME 0.0047, 0.0238 vs every frame) and took fast head movement from 0.0723 to 0.0672
 * NME vs the truth (every-frame detection: 0.0665); without a dead zone, both still inputs got worse.
 */
export const VELOCITY_DEAD_ZONE = 0.05;

/**
 * The region's side snaps to steps of 2^(1/REGION_SIZE_STEPS) (≈ 9 %) and its centre to a grid of
 * side / REGION_GRID. Following the last box exactly, the region moved with that box's own noise, so
 * the detector saw a still face at a new scale and offset on every grid frame, and its box wobbled
 * with them. Snapped, a still face keeps one region: on the 80-px face in 720p the detector box's
 * frame-to-frame jitter fell from 0.066 / 0.089 (width / height, in landmark spreads) to 0.027 / 0.031,
 * and the face stays within 1/16 of the side of the region's centre, well inside its 3 face widths.
 */
export const REGION_SIZE_STEPS = 8;
export const REGION_GRID = 8;

/**
 * The square region detection uses around a tracked box, or null when it would not magnify
 * (the region is most of the frame anyway: whole-frame detection already sees the face large enough).
 */
export function detectRegion(box: FaceBox, width: number, height: number): FaceBox | null {
  const exact = REGION_SCALE * Math.max(box.width, box.height);
  const side = Math.round(2 ** (Math.round(Math.log2(exact) * REGION_SIZE_STEPS) / REGION_SIZE_STEPS));
  if (side >= 0.75 * Math.max(width, height)) return null;
  const w = Math.min(side, width);
  const h = Math.min(side, height);
  const grid = side / REGION_GRID;
  const cx = Math.round((box.x + box.width / 2) / grid) * grid;
  const cy = Math.round((box.y + box.height / 2) / grid) * grid;
  // Shifted, not shrunk, at the frame's edge: the face keeps its magnification there.
  const x = Math.max(0, Math.min(width - w, Math.round(cx - w / 2)));
  const y = Math.max(0, Math.min(height - h, Math.round(cy - h / 2)));
  return { x, y, width: w, height: h };
}

/** Boxes of two passes over one frame: overlapping ones (IoU > 0.4) are one face, the higher score kept. */
function mergeDetections(dets: FaceDetection[]): FaceDetection[] {
  const out: FaceDetection[] = [];
  for (const d of [...dets].sort((a, b) => b.score - a.score)) if (!out.some((o) => iou(o.box, d.box) > 0.4)) out.push(d);
  return out;
}

function iou(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** The pixels of a (clipped, integer) rectangle of a frame. */
function cropRgb(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) data.set(img.data.subarray(((y + r) * img.width + x) * 3, ((y + r) * img.width + x + w) * 3), r * w * 3);
  return { data, width: w, height: h };
}

/** A box clipped to the frame in whole pixels (at least 1×1). */
function clipBox(box: FaceBox, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const x = Math.min(width - 1, Math.max(0, Math.floor(box.x)));
  const y = Math.min(height - 1, Math.max(0, Math.floor(box.y)));
  const w = Math.max(1, Math.min(width - x, Math.floor(box.x + box.width) - x));
  const h = Math.max(1, Math.min(height - y, Math.floor(box.y + box.height) - y));
  return { x, y, w, h };
}

type Tf = FaceApiModule['tf'];

export class FaceEngine {
  readonly timings: FaceTimings = { detectMs: 0, detectCalls: 0, scanCalls: 0, regionCalls: 0, landmarkMs: 0, landmarkFaces: 0 };

  private constructor(
    private readonly api: FaceApiModule,
    private readonly opts: Required<Omit<FaceEngineOptions, 'modelDir'>>,
  ) {}

  static async load(opts: FaceEngineOptions = {}): Promise<FaceEngine> {
    const api = await loadFaceApi();
    const dir = opts.modelDir ?? faceApiModelDir();
    const landmarkModel = opts.landmarkModel ?? 'full';
    if (!api.nets.tinyFaceDetector.isLoaded) await api.nets.tinyFaceDetector.loadFromDisk(dir);
    if (landmarkModel !== 'none') {
      const lm = landmarkModel === 'tiny' ? api.nets.faceLandmark68TinyNet : api.nets.faceLandmark68Net;
      if (!lm.isLoaded) await lm.loadFromDisk(dir);
    }
    return new FaceEngine(api, {
      landmarkModel,
      detectorInputSize: opts.detectorInputSize ?? 224,
      minScore: opts.minScore ?? 0.4,
    });
  }

  get landmarkModel(): 'tiny' | 'full' | 'none' {
    return this.opts.landmarkModel;
  }

  get detectorInputSize(): number {
    return this.opts.detectorInputSize;
  }

  get minScore(): number {
    return this.opts.minScore;
  }

  private get tf(): Tf {
    return this.api.tf;
  }

  private toTensor(img: RgbImage) {
    return this.tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
  }

  /**
   * Faces in the frame, best score first, in frame pixels. `region` looks inside that part of the
   * frame only; mode 'scan' adds a pass at SCAN_INPUT_SIZE for faces too small for the default input.
   */
  async detect(img: RgbImage, opts: DetectOptions = {}): Promise<FaceDetection[]> {
    if (img.data.length !== img.width * img.height * 3) throw new Error(`expected ${img.width}x${img.height} RGB data, got ${img.data.length} bytes`);
    const t0 = performance.now();
    try {
      if (opts.region) {
        this.timings.regionCalls++;
        const c = clipBox(opts.region, img.width, img.height);
        const dets = await this.locate(cropRgb(img, c.x, c.y, c.w, c.h), this.opts.detectorInputSize);
        return dets.map((d) => ({ ...d, box: { ...d.box, x: d.box.x + c.x, y: d.box.y + c.y } }));
      }
      const dets = await this.locate(img, this.opts.detectorInputSize);
      if (opts.mode !== 'scan') return dets;
      this.timings.scanCalls++;
      return mergeDetections([...dets, ...(await this.locate(img, SCAN_INPUT_SIZE))]);
    } finally {
      this.timings.detectMs += performance.now() - t0;
      this.timings.detectCalls++;
    }
  }

  private async locate(img: RgbImage, inputSize: number): Promise<FaceDetection[]> {
    const input = this.toTensor(img);
    try {
      const opts = new this.api.TinyFaceDetectorOptions({ inputSize, scoreThreshold: this.opts.minScore });
      const dets = await this.api.nets.tinyFaceDetector.locateFaces(input, opts);
      return dets
        .map((d) => ({ box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }, score: d.score }))
        .sort((a, b) => b.score - a.score);
    } finally {
      input.dispose();
    }
  }

  /**
   * 68 landmarks for each (frame, box) pair, run as one batch through the landmark net.
   * Boxes are clipped to the frame; the net sees the crop padded to a square, as face-api does.
   */
  async landmarks(items: { image: RgbImage; box: FaceBox }[]): Promise<Float32Array[]> {
    if (items.length === 0) return [];
    const t0 = performance.now();
    const tf = this.tf;
    const crops: { x: number; y: number; w: number; h: number }[] = [];
    const tensors = items.map(({ image, box }) => {
      const c = clipBox(box, image.width, image.height);
      crops.push(c);
      // Cut the box out before it becomes a tensor: the whole frame as int32 costs more than the crop's net input.
      return tf.tensor3d(cropRgb(image, c.x, c.y, c.w, c.h).data, [c.h, c.w, 3], 'int32');
    });
    try {
      if (this.opts.landmarkModel === 'none') throw new Error('this face engine was loaded without a landmark net');
      const net = this.opts.landmarkModel === 'tiny' ? this.api.nets.faceLandmark68TinyNet : this.api.nets.faceLandmark68Net;
      const res = await net.detectLandmarks(tensors);
      const list = Array.isArray(res) ? res : [res];
      return list.map((lm, i) => {
        const c = crops[i]!;
        const out = new Float32Array(136);
        lm.positions.forEach((p, k) => {
          out[2 * k] = p.x + c.x;
          out[2 * k + 1] = p.y + c.y;
        });
        return out;
      });
    } finally {
      for (const t of tensors) t.dispose();
      this.timings.landmarkMs += performance.now() - t0;
      this.timings.landmarkFaces += items.length;
    }
  }
}

function center(b: FaceBox): [number, number] {
  return [b.x + b.width / 2, b.y + b.height / 2];
}

/** Centroid and RMS spread of landmarks: a pose-stable frame for carrying a box between frames. */
export function shapeFrame(lm: Float32Array): { cx: number; cy: number; s: number } {
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < 68; i++) {
    cx += lm[2 * i]!;
    cy += lm[2 * i + 1]!;
  }
  cx /= 68;
  cy /= 68;
  let ss = 0;
  for (let i = 0; i < 68; i++) ss += (lm[2 * i]! - cx) ** 2 + (lm[2 * i + 1]! - cy) ** 2;
  return { cx, cy, s: Math.sqrt(ss / 68) || 1 };
}

/** Detections computed ahead of the tracker (the pipeline's detector thread), per frame of a batch. */
export type Detections = Promise<FaceDetection[]> | undefined;

export interface TrackerOptions {
  /**
   * Run the detector on every k-th frame (frames 0, k, 2k … of the tracker's input); frames between
   * reuse a box predicted from the last landmarks. A fixed grid, so a stage ahead of the tracker
   * knows which frames to detect on; a lost track detects off the grid until it has a face again.
   */
  detectEvery?: number;
  /** After this many frames without our face, take whichever face is nearest the last known position. */
  reacquireAfter?: number;
  /** Frames in a row the landmarks may carry the face while the detector misses it. */
  maxCoast?: number;
  /** Detect a small tracked face on a magnified region around it (default true). */
  regionDetection?: boolean;
}

/**
 * Follows one person through a video: the largest face at the start, then the detection nearest
 * the previous box, so a second person walking through does not steal the track.
 */
export class FaceTracker {
  private last: FaceBox | null = null;
  private lastLandmarks: Float32Array | null = null;
  private boxRel: { dx: number; dy: number; w: number; h: number } | null = null;
  /**
   * The face's motion per frame (landmark centroid, pixels), smoothed, from consecutive frames
   * with landmarks. A tracked frame's box is the last landmarks' box moved on by it: without it,
   * the crop lags a moving face by one or two frames, and the landmark net sees it off-centre.
   */
  private velocity = { x: 0, y: 0 };
  private lastShape: { frame: number; cx: number; cy: number } | null = null;
  private lastScore = 0;
  /** Frames the tracker has seen: its position on the detection grid. */
  private frameNo = 0;
  private lost = 0;
  private readonly k: number;
  private readonly reacquireAfter: number;
  private readonly maxCoast: number;
  private coasted = 0;
  private readonly regionDetection: boolean;

  constructor(
    private readonly engine: FaceEngine,
    opts: TrackerOptions = {},
  ) {
    this.k = Math.max(1, Math.floor(opts.detectEvery ?? 1));
    this.reacquireAfter = opts.reacquireAfter ?? 25;
    this.maxCoast = opts.maxCoast ?? 50;
    this.regionDetection = opts.regionDetection ?? true;
  }

  reset(): void {
    this.last = null;
    this.lastLandmarks = null;
    this.boxRel = null;
    this.velocity = { x: 0, y: 0 };
    this.lastShape = null;
    this.frameNo = 0;
    this.lost = 0;
    this.coasted = 0;
  }

  /**
   * Where detection should look: the tracked face's box, or where it was lost moments ago (null:
   * nothing to follow, so the whole frame; a stage ahead of the tracker scans then).
   */
  get focus(): FaceBox | null {
    return this.last && this.lost < this.reacquireAfter ? this.last : null;
  }

  /** Whether detection on grid frames happens here, on a region around `focus`, rather than on the whole frame. */
  detectsOnRegion(width: number, height: number): boolean {
    return this.regionDetection && !!this.focus && !!detectRegion(this.focus, width, height);
  }

  private choose(dets: FaceDetection[]): FaceDetection | null {
    if (dets.length === 0) return null;
    if (!this.last) return dets.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a));
    const [px, py] = center(this.last);
    let best: FaceDetection | null = null;
    let bestD = Infinity;
    for (const d of dets) {
      const [x, y] = center(d.box);
      const dist = Math.hypot(x - px, y - py);
      if (dist < bestD) {
        bestD = dist;
        best = d;
      }
    }
    // Farther than a face width from where our person was: likely someone else.
    if (bestD > this.last.width && this.lost < this.reacquireAfter) return null;
    return best;
  }

  /** The box for the frame `ahead` frames after the last landmarks: where the detector would put it there. */
  private predictedBox(ahead = 1, lm = this.lastLandmarks): FaceBox | null {
    if (!lm || !this.boxRel) return null;
    const f = shapeFrame(lm);
    const w = this.boxRel.w * f.s;
    const h = this.boxRel.h * f.s;
    // Soft-thresholded (VELOCITY_DEAD_ZONE): below it, the motion is the landmarks' own jitter,
    // and following it would shake the crop of a still face.
    const speed = Math.hypot(this.velocity.x, this.velocity.y);
    const gain = speed > 0 ? Math.max(0, 1 - (VELOCITY_DEAD_ZONE * f.s) / speed) : 0;
    const cx = f.cx + this.boxRel.dx * f.s + ahead * gain * this.velocity.x;
    const cy = f.cy + this.boxRel.dy * f.s + ahead * gain * this.velocity.y;
    return { x: cx - w / 2, y: cy - h / 2, width: w, height: h };
  }

  private remember(frame: number, box: FaceBox, lm: Float32Array, detected: boolean): void {
    const f = shapeFrame(lm);
    if (detected) {
      const [bx, by] = center(box);
      this.boxRel = { dx: (bx - f.cx) / f.s, dy: (by - f.cy) / f.s, w: box.width / f.s, h: box.height / f.s };
    }
    const prev = this.lastShape;
    if (prev && frame > prev.frame && frame - prev.frame <= this.k) {
      const n = frame - prev.frame;
      // Half new, half old: landmark jitter on a still face stays well under a pixel of box motion.
      this.velocity = { x: 0.5 * this.velocity.x + (0.5 * (f.cx - prev.cx)) / n, y: 0.5 * this.velocity.y + (0.5 * (f.cy - prev.cy)) / n };
    } else this.velocity = { x: 0, y: 0 };
    this.lastShape = { frame, cx: f.cx, cy: f.cy };
    this.last = detected ? box : (this.predictedBox(0, lm) ?? box);
    this.lastLandmarks = lm;
    this.lost = 0;
  }

  /**
   * Tracked landmarks far from where their box expected the face, or rescaled, mean the box slipped
   * off it. Expected: `prev`'s centroid moved on by the face's motion, as predictedBox moved the box;
   * measured from `prev` itself, a small face moving more than half its landmark spread per frame
   * (≈ 7 px at 40 px) failed every tracked frame and was detected on each instead.
   */
  private plausible(prev: Float32Array, next: Float32Array, box: FaceBox): boolean {
    const a = shapeFrame(prev);
    const b = shapeFrame(next);
    // `box` came from predictedBox, which needs boxRel.
    const rel = this.boxRel!;
    const [bx, by] = center(box);
    return Math.hypot(b.cx - (bx - rel.dx * a.s), b.cy - (by - rel.dy * a.s)) < 0.5 * a.s && Math.abs(b.s / a.s - 1) < 0.2;
  }

  /**
   * The detector misses faces it found a frame earlier (strong tilt, motion blur). Where the
   * previous frame had landmarks, run the landmark net on the box they predict and keep the
   * result if it moved plausibly; after `maxCoast` such frames in a row, give up until the
   * detector finds the face again, so a track cannot drift off a face that really left.
   */
  private async coast(frame: number, image: RgbImage): Promise<FaceObservation | null> {
    const prev = this.lastLandmarks;
    const box = this.predictedBox();
    if (!prev || !box || this.coasted >= this.maxCoast) {
      this.lastLandmarks = null;
      return null;
    }
    const [lm] = await this.engine.landmarks([{ image, box }]);
    if (!lm || !this.plausible(prev, lm, box)) {
      this.lastLandmarks = null;
      return null;
    }
    this.coasted++;
    this.remember(frame, box, lm, false);
    return { box, score: this.lastScore, landmarks: lm, source: 'tracked' };
  }

  /** Frames on the grid: the ones `processBatch` detects on unless it is already tracking them. */
  static onGrid(frameNo: number, detectEvery: number): boolean {
    return frameNo % Math.max(1, Math.floor(detectEvery)) === 0;
  }

  /**
   * Processes consecutive frames of one video; returns one observation (or null: no face) per
   * frame. `detections[i]`, where given, is frame i's detector output computed elsewhere; frames
   * without one are detected here when the tracker needs it.
   */
  async processBatch(frames: RgbImage[], detections: Detections[] = []): Promise<(FaceObservation | null)[]> {
    const out: (FaceObservation | null)[] = [];
    const base = this.frameNo;
    const detect = async (j: number) => {
      const frame = frames[j]!;
      // A face small in the frame stays found by looking around it, magnified: the whole frame at the
      // detector's input loses it. The detections handed in are the fallback (they may hold a scan).
      const region = this.regionDetection && this.focus && detectRegion(this.focus, frame.width, frame.height);
      if (region) {
        const near = await this.engine.detect(frame, { region });
        return near.length ? near : ((await detections[j]) ?? []);
      }
      return (await detections[j]) ?? (await this.engine.detect(frame));
    };
    // Frames are chained (each box comes from the previous result), so batch the landmark net
    // over runs of tracked frames that share one predicted box, and over detected frames.
    let i = 0;
    let redo = false;
    while (i < frames.length) {
      this.frameNo = base + i;
      const needDetect = redo || FaceTracker.onGrid(this.frameNo, this.k) || !this.lastLandmarks;
      redo = false;
      if (needDetect) {
        // Detect on a run of frames, then one landmark batch for all of them.
        const run: { idx: number; det: FaceDetection | null }[] = [];
        const span = this.k === 1 ? frames.length - i : 1;
        for (let j = i; j < i + span; j++) {
          const det = this.choose(await detect(j));
          run.push({ idx: j, det });
          if (det) {
            this.last = det.box;
            this.lost = 0;
          } else this.lost++;
        }
        const withFace = run.filter((r) => r.det);
        const need = withFace.filter((r) => !r.det!.landmarks);
        const lms = await this.engine.landmarks(need.map((r) => ({ image: frames[r.idx]!, box: r.det!.box })));
        const byIdx = new Map(need.map((r, n) => [r.idx, lms[n]!]));
        for (const r of withFace) if (r.det!.landmarks) byIdx.set(r.idx, r.det!.landmarks);
        for (const r of run) {
          const lm = byIdx.get(r.idx);
          if (r.det && lm) {
            this.lastScore = r.det.score;
            this.coasted = 0;
            this.remember(base + r.idx, r.det.box, lm, true);
            out.push({ box: r.det.box, score: r.det.score, landmarks: lm, source: 'detected' });
          } else {
            out.push(await this.coast(base + r.idx, frames[r.idx]!));
          }
        }
        i += span;
        continue;
      }
      const runLen = Math.min(this.k - (this.frameNo % this.k), frames.length - i);
      const prev = this.lastLandmarks!;
      const from = this.lastShape ? base + i - this.lastShape.frame : 1;
      const boxes = Array.from({ length: runLen }, (_, n) => this.predictedBox(from + n)!);
      const lms = await this.engine.landmarks(frames.slice(i, i + runLen).map((image, n) => ({ image, box: boxes[n]! })));
      let ok = true;
      for (let n = 0; n < runLen; n++) {
        const lm = lms[n]!;
        if (!ok || !this.plausible(prev, lm, boxes[n]!)) {
          ok = false;
          break;
        }
        this.remember(base + i, boxes[n]!, lm, false);
        out.push({ box: boxes[n]!, score: this.lastScore, landmarks: lm, source: 'tracked' });
        i++;
      }
      if (!ok) redo = true; // this frame again, with the detector
    }
    this.frameNo = base + frames.length;
    return out;
  }

  async process(frame: RgbImage): Promise<FaceObservation | null> {
    return (await this.processBatch([frame]))[0] ?? null;
  }
}
