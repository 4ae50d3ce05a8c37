/**
 * The classic baseline the benchmark compares against, in the spirit of OpenFace 2's AU
 * intensity models: appearance (HOG of the aligned crop) plus geometry (the 68 landmarks,
 * similarity-normalised), standardised, and one linear ridge regressor per AU.
 */

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
 * Linear ridge regression in its dual form (the labelled frames are far fewer than the
 * features): w = Xᵀ (X Xᵀ + λI)⁻¹ (y − ȳ). Features are standardised with the training
 * statistics; every output uses the same Gram matrix.
 */
export class RidgeModel {
  private mean!: Float64Array;
  private std!: Float64Array;
  private weights: Float64Array[] = [];
  private bias: number[] = [];

  constructor(readonly lambda: number) {}

  fit(X: Float32Array[], Y: Float64Array[]): this {
    const n = X.length;
    const d = X[0]!.length;
    this.mean = new Float64Array(d);
    this.std = new Float64Array(d);
    for (const x of X) for (let j = 0; j < d; j++) this.mean[j]! += x[j]! / n;
    for (const x of X) for (let j = 0; j < d; j++) this.std[j]! += (x[j]! - this.mean[j]!) ** 2 / n;
    for (let j = 0; j < d; j++) this.std[j] = Math.sqrt(this.std[j]!) || 1;
    const Z = X.map((x) => this.standardize(x));
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k <= i; k++) {
        let s = 0;
        const a = Z[i]!;
        const b = Z[k]!;
        for (let j = 0; j < d; j++) s += a[j]! * b[j]!;
        K[i * n + k] = s;
        K[k * n + i] = s;
      }
    for (let i = 0; i < n; i++) K[i * n + i]! += this.lambda;
    this.weights = [];
    this.bias = [];
    for (const y of Y) {
      const ybar = y.reduce((a, b) => a + b, 0) / n;
      const alpha = solveSpd(K, Float64Array.from(y, (v) => v - ybar), n);
      const w = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) w[j]! += alpha[i]! * Z[i]![j]!;
      this.weights.push(w);
      this.bias.push(ybar);
    }
    return this;
  }

  private standardize(x: Float32Array): Float64Array {
    const z = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) z[j] = (x[j]! - this.mean[j]!) / this.std[j]!;
    return z;
  }

  /** One value per output, clipped to the 0–5 intensity range. */
  predict(x: Float32Array): number[] {
    const z = this.standardize(x);
    return this.weights.map((w, o) => {
      let s = this.bias[o]!;
      for (let j = 0; j < z.length; j++) s += w[j]! * z[j]!;
      return Math.min(5, Math.max(0, s));
    });
  }
}
