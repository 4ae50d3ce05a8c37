/**
 * The classic baseline every network is compared against, in the spirit of OpenFace 2's AU
 * intensity models (Baltrušaitis et al. 2015/2018): appearance (HOG of the aligned crop) plus
 * geometry (the 68 landmarks in the aligned crop), both minus the person's median — OpenFace's
 * person-specific normalisation, without which a linear model mostly reads who the person is —
 * standardised, and one linear ridge regressor per AU, its λ chosen by cross-validation over
 * people. Plain typed-array code: no TensorFlow.js.
 */
import { CropFlag, type CropRecord } from '../../media/cropFile';
import { GEOMETRY_DIM, GEOMETRY_UNIT, HistogramMedian, type CropLibrary, type LabelledFrame } from '../data';
import { MetricsAccumulator, type MetricsTable } from '../metrics';
import { predictRow, ridgeFolds, type LinearFit, type RidgeSet } from './ridge';

/** HOG: 8-px cells, 9 unsigned orientation bins, 2×2-cell blocks, L2-Hys, one-cell stride. */
export function hog(px: Uint8Array, size: number, cell = 8, bins = 9): Float32Array {
  const cells = Math.floor(size / cell);
  const hist = new Float32Array(cells * cells * bins);
  for (let y = 1; y < size - 1; y++)
    for (let x = 1; x < size - 1; x++) {
      const gx = px[y * size + x + 1]! - px[y * size + x - 1]!;
      const gy = px[(y + 1) * size + x]! - px[(y - 1) * size + x]!;
      const mag = Math.hypot(gx, gy);
      if (mag === 0) continue;
      let ang = Math.atan2(gy, gx);
      if (ang < 0) ang += Math.PI;
      // Linear interpolation between the two nearest orientation bins.
      const pos = (ang / Math.PI) * bins - 0.5;
      const b0 = Math.floor(pos);
      const w1 = pos - b0;
      const cx = Math.min(cells - 1, Math.floor(x / cell));
      const cy = Math.min(cells - 1, Math.floor(y / cell));
      const base = (cy * cells + cx) * bins;
      hist[base + ((b0 + bins) % bins)]! += mag * (1 - w1);
      hist[base + ((b0 + 1) % bins)]! += mag * w1;
    }
  const blocks = cells - 1;
  const out = new Float32Array(blocks * blocks * 4 * bins);
  let o = 0;
  for (let by = 0; by < blocks; by++)
    for (let bx = 0; bx < blocks; bx++) {
      const start = o;
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
        const base = ((by + dy) * cells + bx + dx) * bins;
        for (let k = 0; k < bins; k++) out[o++] = hist[base + k]!;
      }
      // L2-Hys: normalise, clip at 0.2, normalise again.
      for (let pass = 0; pass < 2; pass++) {
        let n = 1e-6;
        for (let i = start; i < o; i++) n += out[i]! * out[i]!;
        n = Math.sqrt(n);
        for (let i = start; i < o; i++) out[i] = pass === 0 ? Math.min(0.2, out[i]! / n) : out[i]! / n;
      }
    }
  return out;
}

/**
 * Landmarks (x0,y0,x1,y1,…) with translation, scale and rotation removed against `ref` (a
 * normalised reference shape; pass null to get the plain centred, unit-RMS shape).
 */
export function normalizeShape(lm: ArrayLike<number>, ref: Float32Array | null): Float32Array {
  const n = lm.length / 2;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += lm[2 * i]!;
    my += lm[2 * i + 1]!;
  }
  mx /= n;
  my /= n;
  const c = new Float32Array(lm.length);
  let s = 0;
  for (let i = 0; i < n; i++) {
    c[2 * i] = lm[2 * i]! - mx;
    c[2 * i + 1] = lm[2 * i + 1]! - my;
    s += c[2 * i]! ** 2 + c[2 * i + 1]! ** 2;
  }
  s = Math.sqrt(s / n) || 1;
  for (let i = 0; i < c.length; i++) c[i]! /= s;
  if (!ref) return c;
  // Procrustes rotation onto the reference.
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = [c[2 * i]!, c[2 * i + 1]!];
    const [u, v] = [ref[2 * i]!, ref[2 * i + 1]!];
    num += x * v - y * u;
    den += x * u + y * v;
  }
  const th = Math.atan2(num, den);
  const [cos, sin] = [Math.cos(th), Math.sin(th)];
  const out = new Float32Array(c.length);
  for (let i = 0; i < n; i++) {
    out[2 * i] = cos * c[2 * i]! - sin * c[2 * i + 1]!;
    out[2 * i + 1] = sin * c[2 * i]! + cos * c[2 * i + 1]!;
  }
  return out;
}

/** Solves A x = b for a symmetric positive definite A (n×n, row-major) by Cholesky. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (s <= 0) throw new Error('ridge system is not positive definite');
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j]!;
    }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

/**
 * Linear ridge regression on standardised features (training statistics), one output per
 * target sharing one decomposition; primal or dual form, whichever costs less (ridge.ts).
 */
export class RidgeModel {
  private fitted: LinearFit = { weights: [], bias: [] };

  constructor(readonly lambda: number) {}

  static fromLinear(lambda: number, fit: LinearFit): RidgeModel {
    const m = new RidgeModel(lambda);
    m.fitted = fit;
    return m;
  }

  fit(X: readonly Float32Array[], Y: readonly Float64Array[]): this {
    const d = X[0]!.length;
    const rows = Int32Array.from(X, (_, i) => i);
    const [fits] = ridgeFolds(packRows(X, d), d, rows, new Int32Array(X.length), 1, Y, [{ without: null, lambdas: [this.lambda] }]);
    this.fitted = fits![0]!;
    return this;
  }

  /** The fitted model on the raw features (the fit already folds the standardisation in): value = c + w·x per output. */
  linear(): { c: number; w: Float64Array }[] {
    return this.fitted.weights.map((w, o) => ({ c: this.fitted.bias[o]!, w }));
  }

  /** One value per output, clipped to the 0–5 intensity range. */
  predict(x: Float32Array): number[] {
    return this.fitted.weights.map((_, o) => predictRow(this.fitted, o, x, 0, x.length));
  }
}

/** Rows packed into one row-major Float32Array, the layout the fits read. */
export function packRows(X: readonly Float32Array[], d: number): Float32Array {
  const out = new Float32Array(X.length * d);
  X.forEach((x, i) => out.set(x, i * d));
  return out;
}

const HOG_BINS = 512;

/** Per-dimension median of HOG vectors, 512 bins per dimension (HOG lies in 0..1 after L2-Hys); zeros when none was added. */
class HogMedian extends HistogramMedian {
  private readonly binned: Uint16Array;
  constructor(dim: number) {
    super(dim, HOG_BINS);
    this.binned = new Uint16Array(dim);
  }
  addHog(h: Float32Array): void {
    for (let j = 0; j < this.dim; j++) this.binned[j] = Math.min(HOG_BINS - 1, Math.floor(h[j]! * HOG_BINS));
    this.add(this.binned);
  }
  median(): Float32Array {
    const bins = this.medianBins();
    const m = new Float32Array(this.dim);
    if (bins) for (let j = 0; j < this.dim; j++) m[j] = (bins[j]! + 0.5) / HOG_BINS;
    return m;
  }
}

/**
 * Per-frame baseline features of the videos of a CropLibrary opened with `geometry: true`:
 * [HOG − the person's reference HOG, landmark displacements from the reference shape]. The
 * reference is the median over the frames marked neutral where the person has marks, else the
 * video's median (as the CropLibrary's geometry). The medians come from histograms, one
 * streaming pass per video, so an hour of video needs no more memory than a minute.
 */
export class BaselineFeatures {
  private constructor(
    private readonly lib: CropLibrary,
    private readonly medians: Map<number, Float32Array>,
    readonly dim: number,
  ) {}

  static async open(lib: CropLibrary, onProgress?: (videosDone: number, videos: number) => void): Promise<BaselineFeatures> {
    if (!lib.hasGeometry) throw new Error('The baseline needs the videos’ landmarks (open the crops with geometry: true).');
    const S = lib.cropSize;
    const hogDim = hog(new Uint8Array(S * S), S).length;
    const medians = new Map<number, Float32Array>();
    for (const v of lib.videos.values()) {
      const acc = new HogMedian(hogDim);
      const neutral = await lib.neutralRecords(v.id);
      if (neutral) for (const rec of neutral) acc.addHog(hog(rec.pixels, S));
      else {
        for (let start = 0; start < v.frameCount; start += 512) {
          for (const rec of await lib.records(v.id, start, Math.min(512, v.frameCount - start))) if (rec.flag !== CropFlag.NoFace) acc.addHog(hog(rec.pixels, S));
        }
      }
      medians.set(v.id, acc.median());
      onProgress?.(medians.size, lib.videos.size);
    }
    return new BaselineFeatures(lib, medians, hogDim + GEOMETRY_DIM);
  }

  /** Features of frames [start, start + count) of a video; null where there is no face. */
  async frames(videoId: number, start: number, count: number): Promise<(Float32Array | null)[]> {
    return (await this.lib.records(videoId, start, count)).map((rec) => this.featureOf(videoId, rec));
  }

  private featureOf(videoId: number, rec: CropRecord): Float32Array | null {
    if (rec.flag === CropFlag.NoFace) return null;
    const S = this.lib.cropSize;
    const median = this.medians.get(videoId)!;
    const geometry = this.lib.geometryOf(videoId)!;
    const unit = GEOMETRY_UNIT * S;
    const h = hog(rec.pixels, S);
    const x = new Float32Array(this.dim);
    for (let j = 0; j < h.length; j++) x[j] = h[j]! - median[j]!;
    // A face frame without landmarks (e.g. crops imported already aligned) keeps its HOG part.
    if (geometry.valid[rec.index]) for (let j = 0; j < GEOMETRY_DIM; j++) x[h.length + j] = geometry.displacement[rec.index * GEOMETRY_DIM + j]! / unit;
    return x;
  }

  /**
   * Features of the given frames (any order), keyed "video:frame"; faceless frames left out.
   * Frames are read in order, video by video, with near neighbours in one read (densely
   * labelled stretches are common); only the asked-for frames pay for HOG.
   */
  async at(frames: readonly { videoId: number; frame: number }[], onProgress?: (done: number, total: number) => void): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    const byVideo = new Map<number, number[]>();
    for (const { videoId, frame } of frames) byVideo.set(videoId, [...(byVideo.get(videoId) ?? []), frame]);
    let done = 0;
    for (const [videoId, list] of byVideo) {
      const sorted = [...new Set(list)].sort((a, b) => a - b);
      for (let i = 0; i < sorted.length; ) {
        let j = i + 1;
        while (j < sorted.length && sorted[j]! - sorted[j - 1]! <= 4 && sorted[j]! - sorted[i]! < 512) j++;
        const start = sorted[i]!;
        const wanted = new Set(sorted.slice(i, j));
        for (const rec of await this.lib.records(videoId, start, sorted[j - 1]! - start + 1)) {
          if (!wanted.has(rec.index)) continue;
          const x = this.featureOf(videoId, rec);
          if (x) out.set(`${videoId}:${rec.index}`, x);
        }
        done += j - i;
        onProgress?.(done, frames.length);
        i = j;
      }
    }
    return out;
  }
}

export const BASELINE_LAMBDAS = [0.01, 0.1, 1, 10, 100, 1000, 10000];

/** AUs labelled on the same rows share one fit; an AU labelled nowhere gets none. */
function groupByLabelPattern(Y: readonly Float64Array[]): { aus: number[]; rows: Int32Array }[] {
  const groups = new Map<string, number[]>();
  Y.forEach((y, a) => {
    const key = Array.from(y, (v) => (Number.isNaN(v) ? '0' : '1')).join('');
    if (!key.includes('1')) return;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  });
  return [...groups].map(([key, aus]) => ({ aus, rows: Int32Array.from([...key].flatMap((c, i) => (c === '1' ? [i] : []))) }));
}

/**
 * One ridge per set of AUs labelled on the same frames (usually one for all): a coder may leave
 * an AU out on some frames, and a missing label must not count as 0.
 */
export class AuRidge {
  private parts: { model: RidgeModel; aus: number[] }[] = [];
  constructor(
    readonly lambda: number,
    readonly auCount: number,
  ) {}

  static fromParts(lambda: number, auCount: number, parts: { fit: LinearFit; aus: number[] }[]): AuRidge {
    const m = new AuRidge(lambda, auCount);
    m.parts = parts.map(({ fit, aus }) => ({ model: RidgeModel.fromLinear(lambda, fit), aus }));
    return m;
  }

  fit(X: readonly Float32Array[], Y: readonly Float64Array[]): this {
    const d = X[0]!.length;
    const packed = packRows(X, d);
    for (const { aus, rows } of groupByLabelPattern(Y)) {
      const [fits] = ridgeFolds(packed, d, rows, new Int32Array(X.length), 1, aus.map((a) => Y[a]!), [{ without: null, lambdas: [this.lambda] }]);
      this.parts.push({ model: RidgeModel.fromLinear(this.lambda, fits![0]!), aus });
    }
    return this;
  }

  /** Per AU, the linear model on the raw features (null for an AU that had no labels). */
  linear(): ({ c: number; w: Float64Array } | null)[] {
    const out = new Array<{ c: number; w: Float64Array } | null>(this.auCount).fill(null);
    for (const { model, aus } of this.parts) model.linear().forEach((l, k) => (out[aus[k]!] = l));
    return out;
  }

  /** One value per AU (NaN for an AU that had no labels), clipped to 0–5. */
  predict(x: Float32Array): number[] {
    const out = new Array<number>(this.auCount).fill(NaN);
    for (const { model, aus } of this.parts) model.predict(x).forEach((p, k) => (out[aus[k]!] = p));
    return out;
  }
}

export interface BaselineFit {
  model: AuRidge;
  lambda: number;
  /** Cross-validated metrics on the labelled frames at the chosen λ (null with one group). */
  cv: MetricsTable | null;
  frames: number;
  /**
   * Each labelled face frame's prediction (AU-major, `predictions[a][i]` for `rows[i]`) by the
   * model of the λ search that did not see the frame's person, at the chosen λ; NaN where that
   * model had no labels of the AU. Null with one group.
   */
  outOfFold: { rows: LabelledFrame[]; predictions: Float64Array[] } | null;
}

export interface BaselineOptions {
  lambdas?: readonly number[];
  maxFolds?: number;
  /** Force the ridge's form (tests). */
  form?: 'primal' | 'dual';
  onProgress?: (fraction: number, message: string) => void;
}

/**
 * Ridge on labelled frames with λ chosen by leave-group-out cross-validation (a group = a
 * person, so λ is chosen for people the model has not seen), then refit on every frame. Every
 * λ of every fold, and the refit, come from one pass over the rows (ridge.ts).
 */
export function fitBaseline(
  aus: readonly number[],
  labels: readonly LabelledFrame[],
  features: ReadonlyMap<string, Float32Array>,
  group: (videoId: number) => string,
  opts: BaselineOptions = {},
): BaselineFit {
  const rows = labels.filter((l) => features.has(`${l.videoId}:${l.frame}`));
  if (!rows.length) throw new Error('The baseline has no labelled face frames to learn from.');
  const n = rows.length;
  const d = features.get(`${rows[0]!.videoId}:${rows[0]!.frame}`)!.length;
  const X = new Float32Array(n * d);
  rows.forEach((l, i) => X.set(features.get(`${l.videoId}:${l.frame}`)!, i * d));
  const Y = aus.map((_, a) => Float64Array.from(rows, (l) => l.values[a]!));
  const names = [...new Set(rows.map((l) => group(l.videoId)))].sort();
  const k = Math.min(opts.maxFolds ?? 5, names.length);
  const foldOf = new Map(names.map((name, i) => [name, i % k]));
  const fold = Int32Array.from(rows, (l) => foldOf.get(group(l.videoId))!);
  const lambdas = opts.lambdas ?? BASELINE_LAMBDAS;
  const cv = k >= 2;
  // The refit on every row rides along with the folds for every λ: one more decomposition, no
  // second pass over the rows.
  const sets: RidgeSet[] = [...(cv ? Array.from({ length: k }, (_, f) => ({ without: f, lambdas })) : []), { without: null, lambdas }];
  const groups = groupByLabelPattern(Y);
  // oof[λ][a][i]: row i predicted by the fold model that left its person out.
  const oof = lambdas.map(() => aus.map(() => new Float64Array(n).fill(NaN)));
  const final = groups.map(({ aus: members, rows: groupRows }, g) => {
    const fits = ridgeFolds(X, d, groupRows, fold, k, members.map((a) => Y[a]!), sets, {
      form: opts.form,
      onProgress: (f, message) => opts.onProgress?.((g + f) / groups.length, `Baseline: ${message}`),
    });
    fits.slice(0, -1).forEach((perLambda, f) => {
      if (!perLambda) return;
      for (let i = 0; i < n; i++) {
        if (fold[i] !== f) continue;
        perLambda.forEach((fit, l) => members.forEach((a, o) => (oof[l]![a]![i] = predictRow(fit, o, X, i, d))));
      }
    });
    return fits.at(-1)!;
  });
  let best: { l: number; icc: number; table: MetricsTable | null } = { l: Math.floor(lambdas.length / 2), icc: -Infinity, table: null };
  if (cv) {
    lambdas.forEach((_, l) => {
      const acc = new MetricsAccumulator(aus);
      for (let f = 0; f < k; f++)
        rows.forEach((row, i) => {
          if (fold[i] === f) aus.forEach((au, a) => acc.add(au, row.values[a]!, oof[l]![a]![i]!, `${row.videoId}:${row.frame}`));
        });
      const table = acc.table('cross-validation over people, labelled frames');
      const icc = table.mean.icc ?? -Infinity;
      if (icc > best.icc) best = { l, icc, table };
    });
  }
  const lambda = lambdas[best.l]!;
  const parts = groups.map(({ aus: members }, g) => ({ fit: final[g]![best.l]!, aus: members }));
  return {
    model: AuRidge.fromParts(lambda, aus.length, parts),
    lambda,
    cv: best.table,
    frames: n,
    outOfFold: cv ? { rows, predictions: oof[best.l]! } : null,
  };
}

/** Baseline predictions for every frame of a video, AU-major (a · frameCount + f), NaN without a face. */
export async function predictBaselineVideo(fit: { model: { predict(x: Float32Array): number[] } }, features: BaselineFeatures, videoId: number, frameCount: number, aus: number): Promise<Float32Array> {
  const out = new Float32Array(aus * frameCount).fill(NaN);
  for (let start = 0; start < frameCount; start += 512) {
    const xs = await features.frames(videoId, start, Math.min(512, frameCount - start));
    xs.forEach((x, i) => {
      if (!x) return;
      fit.model.predict(x).forEach((p, a) => (out[a * frameCount + start + i] = p));
    });
  }
  return out;
}
