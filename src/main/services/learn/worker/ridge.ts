/**
 * Ridge regression that scales with the labelled frames: the normal equations built in one
 * blocked pass over Float32 rows (Float64 sums), one Householder tridiagonalisation of the
 * Gram matrix per training set, and from it every λ and every output. (A + λI)⁻¹ = Q (T + λI)⁻¹ Qᵀ
 * with T tridiagonal, so each λ costs a linear tridiagonal solve plus two reflector sweeps
 * (O(d²)), not a factorisation. The tridiagonal form is the first half of an eigendecomposition;
 * the QL iterations and the eigenvectors would triple the cost and buy nothing here.
 */

/** Rows of a packed row-major Float32 matrix gathered into standardised sums. */
export interface GramSums {
  /** Σ (x − shift)(x − shift)ᵀ, lower triangle only (row-major d×d). */
  gram: Float64Array;
  /** Σ (x − shift). */
  sum: Float64Array;
  count: number;
}

export function emptySums(d: number): GramSums {
  return { gram: new Float64Array(d * d), sum: new Float64Array(d), count: 0 };
}

export function addSums(into: GramSums, from: GramSums): void {
  const g = into.gram;
  const f = from.gram;
  for (let i = 0; i < g.length; i++) g[i]! += f[i]!;
  for (let j = 0; j < into.sum.length; j++) into.sum[j]! += from.sum[j]!;
  into.count += from.count;
}

const BLOCK = 64;

/**
 * Adds rows `rows` of X (n×d, row-major) to `sums`, shifted by `shift`. The shift (a mean over a
 * superset of the rows) keeps Σxxᵀ − n·μμᵀ from cancelling: the variance comes out right even for
 * a feature whose mean is large against its spread. Blocks of rows are transposed so the d²/2
 * dot products run over contiguous memory.
 */
export function accumulateGram(X: Float32Array | Float64Array, d: number, rows: ArrayLike<number>, shift: Float64Array, sums: GramSums, onRows?: (done: number) => void): void {
  const T = new Float64Array(d * BLOCK);
  const G = sums.gram;
  for (let r0 = 0; r0 < rows.length; r0 += BLOCK) {
    const B = Math.min(BLOCK, rows.length - r0);
    for (let r = 0; r < B; r++) {
      const off = rows[r0 + r]! * d;
      for (let j = 0; j < d; j++) {
        const v = X[off + j]! - shift[j]!;
        T[j * BLOCK + r] = v;
        sums.sum[j]! += v;
      }
    }
    if (B < BLOCK) for (let j = 0; j < d; j++) T.fill(0, j * BLOCK + B, (j + 1) * BLOCK);
    // Two rows of G by four columns per step: eight sums share six loads.
    let i = 0;
    for (; i + 1 < d; i += 2) {
      const ta = i * BLOCK;
      const tb = ta + BLOCK;
      const ga = i * d;
      const gb = ga + d;
      let j = 0;
      for (; j + 3 <= i; j += 4) {
        const t0 = j * BLOCK;
        const t1 = t0 + BLOCK;
        const t2 = t1 + BLOCK;
        const t3 = t2 + BLOCK;
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let b0 = 0;
        let b1 = 0;
        let b2 = 0;
        let b3 = 0;
        for (let r = 0; r < B; r++) {
          const x = T[ta + r]!;
          const y = T[tb + r]!;
          const c0 = T[t0 + r]!;
          const c1 = T[t1 + r]!;
          const c2 = T[t2 + r]!;
          const c3 = T[t3 + r]!;
          a0 += x * c0;
          a1 += x * c1;
          a2 += x * c2;
          a3 += x * c3;
          b0 += y * c0;
          b1 += y * c1;
          b2 += y * c2;
          b3 += y * c3;
        }
        G[ga + j]! += a0;
        G[ga + j + 1]! += a1;
        G[ga + j + 2]! += a2;
        G[ga + j + 3]! += a3;
        G[gb + j]! += b0;
        G[gb + j + 1]! += b1;
        G[gb + j + 2]! += b2;
        G[gb + j + 3]! += b3;
      }
      for (; j <= i + 1; j++) {
        const tj = j * BLOCK;
        let sa = 0;
        let sb = 0;
        for (let r = 0; r < B; r++) {
          sa += T[ta + r]! * T[tj + r]!;
          sb += T[tb + r]! * T[tj + r]!;
        }
        if (j <= i) G[ga + j]! += sa;
        G[gb + j]! += sb;
      }
    }
    for (; i < d; i++) {
      const ti = i * BLOCK;
      for (let j = 0; j <= i; j++) {
        const tj = j * BLOCK;
        let s = 0;
        for (let r = 0; r < B; r++) s += T[ti + r]! * T[tj + r]!;
        G[i * d + j]! += s;
      }
    }
    if (onRows && (r0 / BLOCK) % 16 === 15) onRows(r0 + B);
  }
  sums.count += rows.length;
}

/**
 * A symmetric matrix (only its lower triangle is read) reduced to tridiagonal form once, then
 * solved for any shift λ > 0. The matrix is destroyed: its upper triangle keeps the reflectors.
 */
export class ShiftedSolver {
  private readonly diag: Float64Array;
  private readonly off: Float64Array;
  private readonly beta: Float64Array;

  constructor(
    private readonly A: Float64Array,
    readonly n: number,
  ) {
    this.diag = new Float64Array(n);
    this.off = new Float64Array(Math.max(0, n - 1));
    this.beta = new Float64Array(n);
    const p = new Float64Array(n);
    let w = new Float64Array(n);
    let wPrev = new Float64Array(n);
    // Each step's rank-2 update of the trailing block is applied in the same sweep as the next
    // step's product A₂₂v: one pass over the (cache-sized or larger) triangle per step, not two.
    let pending = -1;
    const last = Math.max(0, n - 2);
    for (let k = 0; k < last; k++) {
      if (pending >= 0) {
        const vp = pending * n;
        for (let i = k; i < n; i++) A[i * n + k]! -= A[vp + i]! * wPrev[k]! + wPrev[i]! * A[vp + k]!;
      }
      // Reflector v (stored in row k right of the diagonal) mapping A[k+1.., k] onto a multiple of e₁.
      let norm = 0;
      for (let i = k + 1; i < n; i++) norm += A[i * n + k]! ** 2;
      norm = Math.sqrt(norm);
      const x0 = A[(k + 1) * n + k]!;
      const alpha = x0 > 0 ? -norm : norm;
      this.diag[k] = A[k * n + k]!;
      this.off[k] = alpha;
      const vk = k * n;
      let vv = 0;
      for (let i = k + 1; i < n; i++) {
        const v = A[i * n + k]! - (i === k + 1 ? alpha : 0);
        A[vk + i] = v;
        vv += v * v;
      }
      const beta = vv > 0 ? 2 / vv : 0;
      this.beta[k] = beta;
      if (!beta) this.off[k] = x0;
      // p = A₂₂ v from the lower triangle, row by row, bringing A₂₂ up to date on the way.
      for (let i = k + 1; i < n; i++) p[i] = 0;
      const vp = pending * n;
      for (let i = k + 1; i < n; i++) {
        const ai = i * n;
        const vi = A[vk + i]!;
        let s = 0;
        if (pending >= 0) {
          const pv = A[vp + i]!;
          const pw = wPrev[i]!;
          for (let j = k + 1; j < i; j++) {
            const a = A[ai + j]! - (pv * wPrev[j]! + pw * A[vp + j]!);
            A[ai + j] = a;
            s += a * A[vk + j]!;
            p[j]! += a * vi;
          }
          A[ai + i]! -= 2 * pv * pw;
        } else
          for (let j = k + 1; j < i; j++) {
            const a = A[ai + j]!;
            s += a * A[vk + j]!;
            p[j]! += a * vi;
          }
        p[i]! += s + A[ai + i]! * vi;
      }
      let pv = 0;
      for (let i = k + 1; i < n; i++) {
        p[i]! *= beta;
        pv += p[i]! * A[vk + i]!;
      }
      const K = (beta * pv) / 2;
      for (let i = k + 1; i < n; i++) w[i] = p[i]! - K * A[vk + i]!;
      [w, wPrev] = [wPrev, w];
      pending = beta ? k : -1;
    }
    if (pending >= 0) {
      const vp = pending * n;
      for (let i = last; i < n; i++) for (let j = last; j <= i; j++) A[i * n + j]! -= A[vp + i]! * wPrev[j]! + wPrev[i]! * A[vp + j]!;
    }
    if (n >= 2) {
      this.diag[n - 2] = A[(n - 2) * n + n - 2]!;
      this.off[n - 2] = A[(n - 1) * n + n - 2]!;
    }
    if (n >= 1) this.diag[n - 1] = A[(n - 1) * n + n - 1]!;
  }

  /** b ← Qᵀ b. */
  rotate(b: Float64Array): Float64Array {
    const { A, n } = this;
    for (let k = 0; k + 2 < n; k++) this.reflect(b, k, A, n);
    return b;
  }

  /** (A + λI)⁻¹ b for b already rotated by `rotate`; returns a new vector in the original basis. */
  solveRotated(c: Float64Array, lambda: number): Float64Array {
    const { A, n } = this;
    const u = new Float64Array(n);
    const dd = new Float64Array(n);
    // LDLᵀ of the tridiagonal T + λI, positive definite for a Gram matrix and λ > 0.
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const l = i ? this.off[i - 1]! / dd[i - 1]! : 0;
      dd[i] = this.diag[i]! + lambda - (i ? l * this.off[i - 1]! : 0);
      if (!(dd[i]! > 0)) throw new Error('ridge system is not positive definite');
      prev = c[i]! - l * prev;
      u[i] = prev;
    }
    for (let i = n - 1; i >= 0; i--) u[i] = u[i]! / dd[i]! - (i + 1 < n ? (this.off[i]! / dd[i]!) * u[i + 1]! : 0);
    for (let k = n - 3; k >= 0; k--) this.reflect(u, k, A, n);
    return u;
  }

  private reflect(b: Float64Array, k: number, A: Float64Array, n: number): void {
    const beta = this.beta[k]!;
    if (!beta) return;
    const vk = k * n;
    let s = 0;
    for (let i = k + 1; i < n; i++) s += A[vk + i]! * b[i]!;
    s *= beta;
    for (let i = k + 1; i < n; i++) b[i]! -= s * A[vk + i]!;
  }
}

/** A linear model in the features' own units: ŷ = bias + w·x, one per output. */
export interface LinearFit {
  weights: Float64Array[];
  bias: number[];
}

function clipPrediction(s: number): number {
  return Math.min(5, Math.max(0, s));
}

/** bias + w·x of row `row` of packed X, clipped to the 0–5 intensity range. */
export function predictRow(fit: LinearFit, o: number, X: ArrayLike<number>, row: number, d: number): number {
  const w = fit.weights[o]!;
  const off = row * d;
  let s = fit.bias[o]!;
  for (let j = 0; j < d; j++) s += w[j]! * X[off + j]!;
  return clipPrediction(s);
}

// A feature whose spread is rounding noise is constant; scaling it up would turn noise into signal.
const stdOf = (variance: number): number => (variance > 1e-20 ? Math.sqrt(variance) : 1);

/** Weights found on standardised features, returned in the features' own units. */
function unstandardise(wz: Float64Array, mean: Float64Array, std: Float64Array, ybar: number): { w: Float64Array; bias: number } {
  const w = new Float64Array(wz.length);
  let bias = ybar;
  for (let j = 0; j < w.length; j++) {
    w[j] = wz[j]! / std[j]!;
    bias -= w[j]! * mean[j]!;
  }
  return { w, bias };
}

function fitsFrom(lambdas: readonly number[], outputs: number, solve: (o: number) => (lambda: number) => { w: Float64Array; bias: number }): LinearFit[] {
  const out = lambdas.map(() => ({ weights: [] as Float64Array[], bias: [] as number[] }));
  for (let o = 0; o < outputs; o++) {
    const at = solve(o);
    lambdas.forEach((lambda, l) => {
      const { w, bias } = at(lambda);
      out[l]!.weights.push(w);
      out[l]!.bias.push(bias);
    });
  }
  return out;
}

/** Primal ridge from the shifted sums of the training rows: (ZᵀZ + λI) w = Zᵀ(y − ȳ), Z standardised. */
function primal(sums: GramSums, shift: Float64Array, xy: Float64Array[], ysum: number[], d: number, lambdas: readonly number[]): LinearFit[] {
  const n = sums.count;
  const delta = Float64Array.from(sums.sum, (s) => s / n);
  const mean = Float64Array.from(delta, (v, j) => v + shift[j]!);
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) std[j] = stdOf((sums.gram[j * d + j]! - n * delta[j]! * delta[j]!) / n);
  const A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) A[i * d + j] = (sums.gram[i * d + j]! - n * delta[i]! * delta[j]!) / (std[i]! * std[j]!);
  const solver = new ShiftedSolver(A, d);
  return fitsFrom(lambdas, xy.length, (o) => {
    const ybar = ysum[o]! / n;
    const c = solver.rotate(Float64Array.from(xy[o]!, (v, j) => (v - ybar * sums.sum[j]!) / std[j]!));
    return (lambda) => unstandardise(solver.solveRotated(c, lambda), mean, std, ybar);
  });
}

/** Dual ridge on the training rows: w = Zᵀ (ZZᵀ + λI)⁻¹ (y − ȳ); cheaper when rows are fewer than features. */
function dual(X: Float32Array, d: number, rows: ArrayLike<number>, Y: readonly Float64Array[], lambdas: readonly number[]): LinearFit[] {
  const n = rows.length;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0, off = rows[r]! * d; j < d; j++) mean[j]! += X[off + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  for (let r = 0; r < n; r++) for (let j = 0, off = rows[r]! * d; j < d; j++) std[j]! += (X[off + j]! - mean[j]!) ** 2;
  for (let j = 0; j < d; j++) std[j] = stdOf(std[j]! / n);
  // ZZᵀ is the Gram matrix of Z's columns: Zᵀ's rows through the same blocked kernel.
  const Zt = new Float64Array(d * n);
  for (let r = 0; r < n; r++) for (let j = 0, off = rows[r]! * d; j < d; j++) Zt[j * n + r] = (X[off + j]! - mean[j]!) / std[j]!;
  const K = emptySums(n);
  accumulateGram(Zt, n, Int32Array.from({ length: d }, (_, j) => j), new Float64Array(n), K);
  const solver = new ShiftedSolver(K.gram, n);
  return fitsFrom(lambdas, Y.length, (o) => {
    const y = Float64Array.from(rows, (r) => Y[o]![r]!);
    const ybar = y.reduce((a, b) => a + b, 0) / n;
    const c = solver.rotate(y.map((v) => v - ybar));
    return (lambda) => {
      const alpha = solver.solveRotated(c, lambda);
      const wz = new Float64Array(d);
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let r = 0, off = j * n; r < n; r++) sum += Zt[off + r]! * alpha[r]!;
        wz[j] = sum;
      }
      return unstandardise(wz, mean, std, ybar);
    };
  });
}

export interface RidgeSet {
  /** The part whose rows this training set leaves out (a cross-validation fold), or null for all rows. */
  without: number | null;
  lambdas: readonly number[];
}

export interface RidgeFoldsOptions {
  /** Force a form (tests); by default the cheaper one by flop count. */
  form?: 'primal' | 'dual';
  /** Fraction done by flop count, and what runs now. */
  onProgress?: (fraction: number, message: string) => void;
}

/**
 * Ridge fits of several training sets that are unions of the same parts (the folds of a
 * cross-validation, and all of them): per set, one fit per λ, every output (`Y`, indexed by
 * X's rows) from one decomposition. In the primal form each part's sums are built once, so the
 * pass over the rows — the only cost that grows with them — is paid once for every set.
 * A set with no rows gives null.
 */
export function ridgeFolds(
  X: Float32Array,
  d: number,
  rows: Int32Array,
  partOf: Int32Array,
  parts: number,
  Y: readonly Float64Array[],
  sets: readonly RidgeSet[],
  opts: RidgeFoldsOptions = {},
): (LinearFit[] | null)[] {
  const trainRows = sets.map((s) => rows.filter((r) => s.without === null || partOf[r] !== s.without));
  const n = rows.length;
  const primalCost = (n * d * d) / 2 + sets.length * (4 / 3) * d ** 3;
  const dualCost = trainRows.reduce((c, t) => c + (t.length ** 2 * d) / 2 + (4 / 3) * t.length ** 3, 0);
  const form = opts.form ?? (primalCost <= dualCost ? 'primal' : 'dual');
  const setName = (s: RidgeSet) => (s.without === null ? 'fit on every labelled frame' : `fold ${s.without + 1}, every λ`);
  const out: (LinearFit[] | null)[] = [];
  if (form === 'dual') {
    let done = 0;
    sets.forEach((s, i) => {
      const t = trainRows[i]!.length;
      opts.onProgress?.(done / dualCost, `${setName(s)} (dual, ${t} frames)`);
      out.push(t ? dual(X, d, trainRows[i]!, Y, s.lambdas) : null);
      done += (t ** 2 * d) / 2 + (4 / 3) * t ** 3;
    });
    opts.onProgress?.(1, 'ridge done');
    return out;
  }
  const passShare = (n * d * d) / 2 / primalCost;
  const shift = new Float64Array(d);
  for (const r of rows) for (let j = 0, off = r * d; j < d; j++) shift[j]! += X[off + j]! / n;
  const partSums = Array.from({ length: parts }, () => emptySums(d));
  const partXy = Array.from({ length: parts }, () => Y.map(() => new Float64Array(d)));
  const partYsum = Array.from({ length: parts }, () => Y.map(() => 0));
  let passed = 0;
  for (let p = 0; p < parts; p++) {
    const mine = rows.filter((r) => partOf[r] === p);
    accumulateGram(X, d, mine, shift, partSums[p]!, (done) => opts.onProgress?.((passShare * (passed + done)) / n, `XᵀX over ${n} labelled frames`));
    passed += mine.length;
    Y.forEach((y, o) => {
      const xy = partXy[p]![o]!;
      for (const r of mine) {
        const v = y[r]!;
        partYsum[p]![o]! += v;
        for (let j = 0, off = r * d; j < d; j++) xy[j]! += (X[off + j]! - shift[j]!) * v;
      }
    });
  }
  sets.forEach((s, i) => {
    const sums = emptySums(d);
    const xy = Y.map(() => new Float64Array(d));
    const ysum = Y.map(() => 0);
    for (let p = 0; p < parts; p++) {
      if (p === s.without) continue;
      addSums(sums, partSums[p]!);
      Y.forEach((_, o) => {
        for (let j = 0; j < d; j++) xy[o]![j]! += partXy[p]![o]![j]!;
        ysum[o]! += partYsum[p]![o]!;
      });
    }
    opts.onProgress?.(passShare + ((1 - passShare) * i) / sets.length, setName(s));
    out.push(sums.count ? primal(sums, shift, xy, ysum, d, s.lambdas) : null);
  });
  opts.onProgress?.(1, 'ridge done');
  return out;
}
