/**
 * Worker-side access to training data: crop files opened once per video, clips read with one
 * positioned read each, faceless frames filled from the nearest face frame of the clip (so the
 * temporal module never sees black frames) and flagged in a mask so no loss uses them.
 */
import { CropFlag, CropFileReader, type CropRecord } from '../media/cropFile';
import { MIRROR_68 } from '../media/template';
import { augmentFrame, IDENTITY_AUGMENT, type ClipAugment } from './augment';
import type { InputNorm } from './config';
import type { Rng } from '../../../shared/rng';

export interface VideoSource {
  id: number;
  cropFile: string;
  frameCount: number;
  subject: string | null;
  /** 1 where ingest found a face; used to pick clips that have faces in them. */
  face: Uint8Array;
  /**
   * The tracker's 68 landmarks per frame in frame pixels (136 floats per frame, NaN where there
   * is none), for the objectives that read the face's geometry. Absent = not passed.
   */
  landmarks?: Float32Array;
  /**
   * The face frames a coder marked as this person's neutral face, over all of the person's
   * videos (this one or others). Where given, they are the person-specific reference instead of
   * the video's median. Absent or empty = the video median.
   */
  neutral?: NeutralPart[];
}

/** Marked neutral face frames of one video (ascending), with their landmarks when geometry is read. */
export interface NeutralPart {
  videoId: number;
  cropFile: string;
  frames: number[];
  /** frames.length × 136 landmarks in frame pixels (NaN where none); absent = not passed. */
  landmarks?: Float32Array;
}

/** Landmark displacements are given in units of 1/32 of the crop side (2 px of a 64-px crop). */
export const GEOMETRY_UNIT = 1 / 32;
export const GEOMETRY_DIM = 136;

/** One labelled frame: values per AU of the model's AU set, NaN where that AU is unlabelled. */
export interface LabelledFrame {
  videoId: number;
  frame: number;
  values: Float32Array;
}

export interface ClipRef {
  videoId: number;
  /** Frame indices of the clip, in order. */
  frames: number[];
}

export interface CropLibraryOptions {
  /**
   * Person-specific normalisation: feed each frame minus the person's reference face crop: the
   * median of the frames marked neutral where the person has marks (VideoSource.neutral), else
   * the video's median face. In most footage the face is neutral most of the time, so the
   * median is close to the person's neutral face; a marked neutral stretch says so outright
   * (for footage that is mostly expressive). What is left is the expression, not the identity.
   */
  reference?: InputNorm;
  /** Also prepare each video's landmark geometry relative to its median shape (see readClip). */
  geometry?: boolean;
}

export class CropLibrary {
  private constructor(
    private readonly readers: Map<number, CropFileReader>,
    readonly videos: Map<number, VideoSource>,
    readonly cropSize: number,
    private readonly references: Map<number, Uint8Array>,
    private readonly geometry: Map<number, VideoGeometry>,
  ) {}

  static async open(videos: readonly VideoSource[], opts: CropLibraryOptions = {}): Promise<CropLibrary> {
    const readers = new Map<number, CropFileReader>();
    let size = 0;
    try {
      for (const v of videos) {
        const r = await CropFileReader.open(v.cropFile).catch((err: Error) => {
          throw new Error(`Cannot read the face crops of video ${v.id} (${v.cropFile}): ${err.message}. Re-import the video.`);
        });
        if (r.header.channels !== 1) throw new Error(`Video ${v.id}'s crops are not gray; re-import it.`);
        if (size && r.header.cropSize !== size) throw new Error(`Video ${v.id}'s crops are ${r.header.cropSize} px, others ${size} px.`);
        size = r.header.cropSize;
        readers.set(v.id, r);
      }
    } catch (err) {
      for (const r of readers.values()) await r.close();
      throw err;
    }
    if (!size) throw new Error('There are no videos with face crops to train on. Import videos first.');
    // A crop file may hold fewer frames than the database says (e.g. an import cut short).
    const fixed = videos.map((v) => ({ ...v, frameCount: Math.min(v.frameCount, readers.get(v.id)!.frameCount) }));
    const lib = new CropLibrary(readers, new Map(fixed.map((v) => [v.id, v])), size, new Map(), new Map());
    try {
      // One reference per person, shared by the person's videos (the marks are the same list).
      const neutralCrops = new Map<string, Uint8Array>();
      const neutralShapes = new Map<string, Float32Array | null>();
      if (opts.reference === 'video-median') {
        for (const v of fixed) {
          const key = neutralKey(v);
          if (key && !neutralCrops.has(key)) neutralCrops.set(key, medianOfCrops(await lib.neutralRecords(v.id), size));
          lib.references.set(v.id, key ? neutralCrops.get(key)! : await medianCrop(readers.get(v.id)!, size));
        }
      }
      if (opts.geometry) {
        for (const v of fixed) {
          const key = neutralKey(v);
          if (key && !neutralShapes.has(key)) neutralShapes.set(key, await lib.neutralShape(v));
          // A video without landmarks gets an all-invalid geometry: no target, no loss, no feature.
          const landmarks = v.landmarks ?? new Float32Array(v.frameCount * GEOMETRY_DIM).fill(NaN);
          lib.geometry.set(v.id, await videoGeometry(readers.get(v.id)!, landmarks, v.frameCount, (key && neutralShapes.get(key)) || undefined));
        }
      }
    } catch (err) {
      await lib.close();
      throw err;
    }
    return lib;
  }

  /** The crop records of the frames marked neutral for `videoId`'s person (face frames only), or null when unmarked. */
  async neutralRecords(videoId: number): Promise<CropRecord[] | null> {
    const v = this.videos.get(videoId);
    if (!v?.neutral?.length) return null;
    const out: CropRecord[] = [];
    for (const part of v.neutral) for (const rec of await this.partRecords(part)) if (rec.flag !== CropFlag.NoFace) out.push(rec);
    return out;
  }

  /** The records of one part's frames, in its order (so index i matches part.landmarks). */
  private async partRecords(part: NeutralPart): Promise<CropRecord[]> {
    const own = this.readers.get(part.videoId);
    // A marked video outside the training set is opened only to read its marked frames.
    const reader =
      own ??
      (await CropFileReader.open(part.cropFile).catch((err: Error) => {
        throw new Error(`Cannot read the neutral frames of video ${part.videoId} (${part.cropFile}): ${err.message}. Re-import the video or clear its neutral marks.`);
      }));
    try {
      return await readFrames(reader, part.frames);
    } finally {
      if (!own) await reader.close();
    }
  }

  /** Per-coordinate median crop-space shape over the person's marked frames with landmarks (null: none has). */
  private async neutralShape(v: VideoSource): Promise<Float32Array | null> {
    const shapes: Float32Array[] = [];
    for (const part of v.neutral ?? []) {
      const lm = part.landmarks;
      if (!lm) continue;
      (await this.partRecords(part)).forEach((rec, i) => {
        if (rec.flag === CropFlag.NoFace || !Number.isFinite(lm[i * GEOMETRY_DIM])) return;
        const shape = new Float32Array(GEOMETRY_DIM);
        toCrop(lm, i * GEOMETRY_DIM, rec, shape, 0);
        shapes.push(shape);
      });
    }
    return shapes.length ? medianShape(shapes) : null;
  }

  /** True when clips come with landmark geometry targets. */
  get hasGeometry(): boolean {
    return this.geometry.size > 0;
  }

  /** Raw crop records [start, start + count) of one video (for feature extractors). */
  async records(videoId: number, start: number, count: number): Promise<CropRecord[]> {
    const reader = this.readers.get(videoId);
    if (!reader) throw new Error(`video ${videoId} is not in this training set`);
    return reader.readClip(start, count);
  }

  /** The video's landmark displacements (opened with geometry: true), or undefined. */
  geometryOf(videoId: number): VideoGeometry | undefined {
    return this.geometry.get(videoId);
  }

  /** True when frames come out with their video's reference face subtracted. */
  get normalized(): boolean {
    return this.references.size > 0;
  }

  async close(): Promise<void> {
    for (const r of this.readers.values()) await r.close();
  }

  /**
   * Reads a clip into `out` (T·S² floats from `offset`), augmented with `aug`, and writes its
   * face mask into `mask` (T entries from `maskOffset`). Returns the number of face frames.
   * `appearance`, when given, receives the same frames without the reference subtracted.
   */
  async readClip(
    ref: ClipRef,
    aug: ClipAugment | null,
    rng: Rng,
    out: Float32Array,
    offset: number,
    mask: Float32Array,
    maskOffset: number,
    appearance?: Float32Array,
    geometry?: { out: Float32Array; mask: Float32Array },
  ): Promise<number> {
    const reader = this.readers.get(ref.videoId);
    if (!reader) throw new Error(`video ${ref.videoId} is not in this training set`);
    const lo = Math.min(...ref.frames);
    const hi = Math.max(...ref.frames);
    const records = await reader.readClip(lo, hi - lo + 1);
    const px = this.cropSize * this.cropSize;
    const picked = ref.frames.map((f) => records[f - lo]!);
    const hasFace = picked.map((r) => r.flag !== CropFlag.NoFace);
    const scratch = new Float32Array(px);
    const reference = this.references.get(ref.videoId);
    let faces = 0;
    for (let t = 0; t < picked.length; t++) {
      let src = picked[t]!;
      if (!hasFace[t]) {
        // Nearest face frame within the clip stands in, so neighbours see a face, not black.
        for (let d = 1; d < picked.length; d++) {
          if (t - d >= 0 && hasFace[t - d]) {
            src = picked[t - d]!;
            break;
          }
          if (t + d < picked.length && hasFace[t + d]) {
            src = picked[t + d]!;
            break;
          }
        }
      } else faces++;
      augmentFrame(src.pixels, this.cropSize, aug ?? IDENTITY_AUGMENT, rng, out, offset + t * px, scratch, { reference, appearance, appearanceOffset: offset + t * px });
      mask[maskOffset + t] = hasFace[t] ? 1 : 0;
      if (geometry) {
        const g = this.geometry.get(ref.videoId);
        if (!g) throw new Error(`video ${ref.videoId} has no landmark geometry (open the library with geometry: true)`);
        const o = (maskOffset + t) * GEOMETRY_DIM;
        const ok = hasFace[t] && g.valid[ref.frames[t]!] === 1;
        geometry.mask[maskOffset + t] = ok ? 1 : 0;
        if (ok) viewDisplacement(g.displacement, ref.frames[t]! * GEOMETRY_DIM, aug ?? IDENTITY_AUGMENT, this.cropSize, geometry.out, o);
        else geometry.out.fill(0, o, o + GEOMETRY_DIM);
      }
    }
    return faces;
  }
}

/** Frame indices of a clip starting at `start`: clipLength samples, `stride` apart. */
export function clipFrames(start: number, clipLength: number, stride: number): number[] {
  return Array.from({ length: clipLength }, (_, k) => start + k * stride);
}

/**
 * Draws a random clip for pretraining: videos weighted by their face frames, a start where the
 * clip fits, retried a few times to find one that is mostly faces.
 */
export function randomClip(videos: readonly VideoSource[], faceCounts: readonly number[], clipLength: number, stride: number, rng: Rng): ClipRef {
  const span = (clipLength - 1) * stride + 1;
  const eligible = videos.map((v, i) => (v.frameCount >= span ? faceCounts[i]! : 0));
  const total = eligible.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error(`No video has ${span} frames with faces in them (clip length ${clipLength}, stride ${stride}). Use shorter clips or import longer videos.`);
  let best: ClipRef | null = null;
  let bestFaces = -1;
  for (let attempt = 0; attempt < 8; attempt++) {
    let r = rng.next() * total;
    let vi = 0;
    while (r >= eligible[vi]! && vi < videos.length - 1) r -= eligible[vi++]!;
    const v = videos[vi]!;
    const start = rng.int(v.frameCount - span + 1);
    const frames = clipFrames(start, clipLength, stride);
    const faces = frames.reduce((n, f) => n + (v.face[f] ? 1 : 0), 0);
    if (faces > bestFaces) {
      best = { videoId: v.id, frames };
      bestFaces = faces;
    }
    if (faces >= clipLength * 0.75) break;
  }
  return best!;
}

/**
 * A clip that contains labelled frame `frame` at a random position (clamped where the video
 * edge leaves no room).
 */
export function clipAround(video: VideoSource, frame: number, clipLength: number, stride: number, rng: Rng): ClipRef {
  const span = (clipLength - 1) * stride + 1;
  if (video.frameCount < span) {
    // A video shorter than one clip: repeat its edge frames rather than refuse it.
    const frames = clipFrames(frame - rng.int(clipLength) * stride, clipLength, stride).map((f) => Math.min(video.frameCount - 1, Math.max(0, f)));
    return { videoId: video.id, frames };
  }
  // Keep the labelled frame on the clip's stride grid while the clip stays inside the video.
  let pos = rng.int(clipLength);
  pos = Math.min(pos, Math.floor(frame / stride));
  pos = Math.max(pos, Math.ceil((frame + span - video.frameCount) / stride));
  const start = frame - pos * stride;
  if (start < 0 || start + span > video.frameCount) {
    const frames = clipFrames(start, clipLength, stride).map((f) => Math.min(video.frameCount - 1, Math.max(0, f)));
    return { videoId: video.id, frames };
  }
  return { videoId: video.id, frames: clipFrames(start, clipLength, stride) };
}

export function countFaces(v: VideoSource): number {
  let n = 0;
  for (let i = 0; i < v.frameCount; i++) n += v.face[i] ? 1 : 0;
  return n;
}

/** A person's reference key when the video carries neutral marks (they are the same list for the person's videos). */
function neutralKey(v: VideoSource): string | null {
  return v.neutral?.length ? JSON.stringify(v.neutral.map((p) => [p.videoId, p.frames])) : null;
}

/** Records of `frames` (ascending) with one read per run of consecutive frames. */
export async function readFrames(reader: CropFileReader, frames: readonly number[]): Promise<CropRecord[]> {
  const out: CropRecord[] = [];
  for (let i = 0; i < frames.length; ) {
    let j = i + 1;
    while (j < frames.length && frames[j] === frames[j - 1]! + 1) j++;
    const inside = frames.slice(i, j).filter((f) => f < reader.frameCount);
    if (inside.length) out.push(...(await reader.readClip(inside[0]!, inside.length)));
    i = j;
  }
  return out;
}

/**
 * Per-dimension median of binned vectors by a histogram per dimension: one pass over any number
 * of vectors in dim × bins counters, so an hour of video needs no more memory than a minute.
 */
export class HistogramMedian {
  private readonly hist: Uint32Array;
  private n = 0;
  constructor(
    protected readonly dim: number,
    private readonly bins: number,
  ) {
    this.hist = new Uint32Array(dim * bins);
  }
  /** One vector, given as its bin (0 … bins − 1) in each dimension. */
  add(binned: ArrayLike<number>): void {
    this.n++;
    for (let j = 0; j < this.dim; j++) this.hist[j * this.bins + binned[j]!]!++;
  }
  /** The median's bin in each dimension; null when nothing was added. */
  medianBins(): Uint16Array | null {
    if (!this.n) return null;
    const out = new Uint16Array(this.dim);
    const half = this.n / 2;
    for (let j = 0; j < this.dim; j++) {
      let acc = 0;
      let b = 0;
      while (b < this.bins - 1 && (acc += this.hist[j * this.bins + b]!) < half) b++;
      out[j] = b;
    }
    return out;
  }
}

/** Per-pixel median of crops (a bin per grey level); mid-gray where no crop was added. */
class PixelMedian extends HistogramMedian {
  constructor(px: number) {
    super(px, 256);
  }
  median(): Uint8Array {
    const bins = this.medianBins();
    return bins ? Uint8Array.from(bins) : new Uint8Array(this.dim).fill(128);
  }
}

/** Per-pixel median of a video's face crops. */
export async function medianCrop(reader: CropFileReader, size: number): Promise<Uint8Array> {
  const m = new PixelMedian(size * size);
  const chunk = 512;
  for (let start = 0; start < reader.frameCount; start += chunk) {
    for (const rec of await reader.readClip(start, Math.min(chunk, reader.frameCount - start))) if (rec.flag !== CropFlag.NoFace) m.add(rec.pixels);
  }
  return m.median();
}

/** Per-pixel median of the given face crops (the marked neutral frames of a person). */
export function medianOfCrops(records: readonly CropRecord[] | null, size: number): Uint8Array {
  const m = new PixelMedian(size * size);
  for (const rec of records ?? []) if (rec.flag !== CropFlag.NoFace) m.add(rec.pixels);
  return m.median();
}

/** 68 landmarks (frame pixels, from `offset`) into the record's aligned crop, by its image→crop similarity. */
function toCrop(landmarks: Float32Array, offset: number, rec: CropRecord, out: Float32Array, outOffset: number): void {
  const { a, b, tx, ty } = rec.transform;
  for (let k = 0; k < 68; k++) {
    const x = landmarks[offset + 2 * k]!;
    const y = landmarks[offset + 2 * k + 1]!;
    out[outOffset + 2 * k] = a * x - b * y + tx;
    out[outOffset + 2 * k + 1] = b * x + a * y + ty;
  }
}

/** Per-coordinate median of shapes (the upper median for an even count). */
export function medianShape(shapes: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(GEOMETRY_DIM);
  const column = new Float32Array(shapes.length);
  for (let j = 0; j < GEOMETRY_DIM; j++) {
    shapes.forEach((s, i) => (column[i] = s[j]!));
    out[j] = column.sort()[Math.floor(shapes.length / 2)]!;
  }
  return out;
}

/** A video's landmarks in its aligned crops, as displacements from their per-point median. */
export interface VideoGeometry {
  /** frameCount × 136, in crop pixels (0 where invalid). */
  displacement: Float32Array;
  /** 1 where the frame has a face and landmarks. */
  valid: Uint8Array;
}

/**
 * Maps each frame's landmarks into its crop (the record's image→crop similarity) and subtracts
 * the reference shape: the person's neutral shape when given (`reference`, from the marked
 * frames), else the video's per-coordinate median shape. What is left is the face's own
 * movement (the expression) in the frame the network sees, free of identity and head position.
 */
export async function videoGeometry(reader: CropFileReader, landmarks: Float32Array, frameCount: number, reference?: Float32Array): Promise<VideoGeometry> {
  const displacement = new Float32Array(frameCount * GEOMETRY_DIM);
  const valid = new Uint8Array(frameCount);
  const chunk = 512;
  for (let start = 0; start < frameCount; start += chunk) {
    for (const rec of await reader.readClip(start, Math.min(chunk, frameCount - start))) {
      const f = rec.index;
      if (rec.flag === CropFlag.NoFace || !Number.isFinite(landmarks[f * GEOMETRY_DIM])) continue;
      toCrop(landmarks, f * GEOMETRY_DIM, rec, displacement, f * GEOMETRY_DIM);
      valid[f] = 1;
    }
  }
  const shapes: Float32Array[] = [];
  for (let f = 0; f < frameCount; f++) if (valid[f]) shapes.push(displacement.subarray(f * GEOMETRY_DIM, (f + 1) * GEOMETRY_DIM));
  if (!shapes.length) return { displacement, valid };
  const median = reference ?? medianShape(shapes);
  for (let j = 0; j < GEOMETRY_DIM; j++) {
    for (let f = 0; f < frameCount; f++) displacement[f * GEOMETRY_DIM + j] = valid[f] ? displacement[f * GEOMETRY_DIM + j]! - median[j]! : 0;
  }
  return { displacement, valid };
}

/**
 * One frame's displacements as seen in an augmented view, in GEOMETRY_UNITs: the view maps
 * source to output pixels by the inverse of (a b; c d), so a displacement d becomes
 * (a b; c d)⁻¹·d (translation cancels in a difference). A mirrored view also swaps each
 * point with its left/right partner.
 */
export function viewDisplacement(src: Float32Array, srcOffset: number, p: ClipAugment, size: number, out: Float32Array, outOffset: number): void {
  const det = p.a * p.d - p.b * p.c;
  const [ia, ib, ic, id] = [p.d / det, -p.b / det, -p.c / det, p.a / det];
  const unit = GEOMETRY_UNIT * size;
  const mirrored = det < 0;
  for (let k = 0; k < 68; k++) {
    const j = mirrored ? MIRROR_68[k]! : k;
    const dx = src[srcOffset + 2 * j]!;
    const dy = src[srcOffset + 2 * j + 1]!;
    out[outOffset + 2 * k] = (ia * dx + ib * dy) / unit;
    out[outOffset + 2 * k + 1] = (ic * dx + id * dy) / unit;
  }
}
