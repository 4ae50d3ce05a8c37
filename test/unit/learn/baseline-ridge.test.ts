import { describe, expect, it } from 'vitest';
import { AuRidge, fitBaseline, RidgeModel, solveSpd } from '../../../src/main/services/learn/worker/baseline';
import { accumulateGram, emptySums, ridgeFolds, ShiftedSolver } from '../../../src/main/services/learn/worker/ridge';
import type { LabelledFrame } from '../../../src/main/services/learn/data';
import { MetricsAccumulator, type MetricsTable } from '../../../src/main/services/learn/metrics';

/** Deterministic uniform numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// The dual-form ridge as it was before the primal/tridiagonal rewrite, kept as the reference.
class OldRidge {
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
        for (let j = 0; j < d; j++) s += Z[i]![j]! * Z[k]![j]!;
        K[i * n + k] = s;
        K[k * n + i] = s;
      }
    for (let i = 0; i < n; i++) K[i * n + i]! += this.lambda;
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
    return Float64Array.from(x, (v, j) => (v - this.mean[j]!) / this.std[j]!);
  }
  predict(x: Float32Array): number[] {
    const z = this.standardize(x);
    return this.weights.map((w, o) => Math.min(5, Math.max(0, z.reduce((s, v, j) => s + w[j]! * v, this.bias[o]!))));
  }
}

class OldAuRidge {
  private readonly parts: { model: OldRidge; aus: number[] }[] = [];
  constructor(
    readonly lambda: number,
    readonly auCount: number,
  ) {}
  fit(X: readonly Float32Array[], Y: readonly Float64Array[]): this {
    const groups = new Map<string, number[]>();
    Y.forEach((y, a) => {
      const key = Array.from(y, (v) => (Number.isNaN(v) ? '0' : '1')).join('');
      if (key.includes('1')) groups.set(key, [...(groups.get(key) ?? []), a]);
    });
    for (const [key, aus] of groups) {
      const rows = [...key].flatMap((c, i) => (c === '1' ? [i] : []));
      const model = new OldRidge(this.lambda).fit(
        rows.map((i) => X[i]!),
        aus.map((a) => Float64Array.from(rows, (i) => Y[a]![i]!)),
      );
      this.parts.push({ model, aus });
    }
    return this;
  }
  predict(x: Float32Array): number[] {
    const out = new Array<number>(this.auCount).fill(NaN);
    for (const { model, aus } of this.parts) model.predict(x).forEach((p, k) => (out[aus[k]!] = p));
    return out;
  }
}

function oldFitBaseline(aus: readonly number[], labels: readonly LabelledFrame[], features: ReadonlyMap<string, Float32Array>, group: (videoId: number) => string, lambdas: readonly number[]) {
  const rows = labels.filter((l) => features.has(`${l.videoId}:${l.frame}`));
  const X = rows.map((l) => features.get(`${l.videoId}:${l.frame}`)!);
  const Y = aus.map((_, a) => Float64Array.from(rows, (l) => l.values[a]!));
  const names = [...new Set(rows.map((l) => group(l.videoId)))].sort();
  const k = Math.min(5, names.length);
  const foldOf = new Map(names.map((n, i) => [n, i % k]));
  let best: { lambda: number; icc: number; table: MetricsTable | null } = { lambda: lambdas[Math.floor(lambdas.length / 2)]!, icc: -Infinity, table: null };
  for (const lambda of lambdas) {
    const acc = new MetricsAccumulator(aus);
    for (let fold = 0; fold < k; fold++) {
      const inFold = rows.map((l) => foldOf.get(group(l.videoId)) === fold);
      const trainIdx = rows.map((_, i) => i).filter((i) => !inFold[i]);
      const m = new OldAuRidge(lambda, aus.length).fit(
        trainIdx.map((i) => X[i]!),
        Y.map((y) => Float64Array.from(trainIdx, (i) => y[i]!)),
      );
      rows.forEach((l, i) => {
        if (!inFold[i]) return;
        const p = m.predict(X[i]!);
        aus.forEach((au, a) => acc.add(au, l.values[a]!, p[a]!, `${l.videoId}:${l.frame}`));
      });
    }
    const table = acc.table('cross-validation over people, labelled frames');
    const icc = table.mean.icc ?? -Infinity;
    if (icc > best.icc) best = { lambda, icc, table };
  }
  return { model: new OldAuRidge(best.lambda, aus.length).fit(X, Y), lambda: best.lambda, cv: best.table };
}

/** Features with some structure (a few directions carry the targets) plus noise; targets in the 0–5 range. */
function problem(n: number, d: number, outputs: number, seed: number) {
  const r = rng(seed);
  const X = Array.from({ length: n }, () => Float32Array.from({ length: d }, (_, j) => (r() - 0.5) * (1 + (j % 3)) + (j % 5 === 0 ? 2 : 0)));
  const w = Array.from({ length: outputs }, () => Float64Array.from({ length: d }, () => r() - 0.5));
  const Y = w.map((wo) => Float64Array.from(X, (x) => Math.min(5, Math.max(0, 2.5 + 0.3 * x.reduce((s, v, j) => s + v * wo[j]!, 0) + (r() - 0.5) * 0.5))));
  return { X, Y, test: Array.from({ length: 7 }, () => Float32Array.from({ length: d }, (_, j) => (r() - 0.5) * (1 + (j % 3)) + (j % 5 === 0 ? 2 : 0))) };
}

const maxDiff = (a: readonly number[], b: readonly number[]) => a.reduce((m, v, i) => Math.max(m, Number.isNaN(v) && Number.isNaN(b[i]!) ? 0 : Math.abs(v - b[i]!)), 0);

describe('ridge without the per-λ dual solves', () => {
  for (const [n, d] of [
    [12, 30],
    [60, 9],
  ] as const) {
    it(`predicts as the old dual ridge, n = ${n}, d = ${d}, several λ and outputs, either form`, () => {
      const { X, Y, test } = problem(n, d, 3, n * 31 + d);
      for (const lambda of [0.01, 1, 100, 10000]) {
        const old = new OldRidge(lambda).fit(X, Y);
        const now = new RidgeModel(lambda).fit(X, Y);
        for (const x of [...test, ...X.slice(0, 3)]) expect(maxDiff(now.predict(x), old.predict(x))).toBeLessThan(1e-6);
        for (const form of ['primal', 'dual'] as const) {
          const rows = Int32Array.from(X, (_, i) => i);
          const packed = new Float32Array(n * d);
          X.forEach((x, i) => packed.set(x, i * d));
          const [fits] = ridgeFolds(packed, d, rows, new Int32Array(n), 1, Y, [{ without: null, lambdas: [lambda] }], { form });
          const fit = fits![0]!;
          for (const x of test) {
            const p = fit.weights.map((w, o) => Math.min(5, Math.max(0, x.reduce((s, v, j) => s + v * w[j]!, fit.bias[o]!))));
            expect(maxDiff(p, old.predict(x))).toBeLessThan(1e-6);
          }
        }
      }
    });
  }

  it('gives an AU with missing labels its own fit, as the old AuRidge did', () => {
    const { X, Y, test } = problem(40, 15, 4, 7);
    const r = rng(99);
    // AU 1 missing on a third of the frames, AU 3 on other frames, AU 2 nowhere labelled.
    Y[1] = Y[1]!.map((v) => (r() < 0.33 ? NaN : v));
    Y[3] = Y[3]!.map((v, i) => (i % 4 === 0 ? NaN : v));
    Y[2] = Y[2]!.map(() => NaN);
    for (const lambda of [0.1, 10]) {
      const old = new OldAuRidge(lambda, 4).fit(X, Y);
      const now = new AuRidge(lambda, 4).fit(X, Y);
      for (const x of test) expect(maxDiff(now.predict(x), old.predict(x))).toBeLessThan(1e-6);
      expect(Number.isNaN(now.predict(test[0]!)[2]!)).toBe(true);
    }
  });

  it('solves (A + λI) w = b from one tridiagonal reduction as directly as Cholesky does, for every λ', () => {
    const r = rng(5);
    for (const n of [1, 2, 3, 17, 40]) {
      // A = (DB)(DB)ᵀ with half as many columns as rows: positive semidefinite and singular, as a
      // Gram matrix with more features than frames is, with rows of very different scale.
      const m = Math.floor(n / 2) + 1;
      const B = Float64Array.from({ length: n * m }, (_, i) => (r() - 0.5) * (1 + Math.floor(i / m)));
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) A[i * n + j]! += B[i * m + k]! * B[j * m + k]!;
      const b = Float64Array.from({ length: n }, () => r() * 4 - 2);
      const solver = new ShiftedSolver(A.slice(), n);
      const c = solver.rotate(b.slice());
      for (const lambda of [1e-3, 0.1, 1, 100, 1e4]) {
        const shifted = A.slice();
        for (let i = 0; i < n; i++) shifted[i * n + i]! += lambda;
        const direct = solveSpd(shifted, b, n);
        const viaPath = solver.solveRotated(c, lambda);
        const scale = Math.max(...direct.map(Math.abs));
        expect(maxDiff([...viaPath], [...direct]) / scale).toBeLessThan(1e-9);
      }
    }
  });

  it('builds XᵀX of the shifted rows in blocks as a plain loop does', () => {
    const r = rng(3);
    const n = 150;
    const d = 23;
    const X = Float32Array.from({ length: n * d }, () => r() * 3);
    const shift = Float64Array.from({ length: d }, () => r());
    const rows = Int32Array.from({ length: 100 }, (_, i) => (i * 7) % n);
    const sums = emptySums(d);
    accumulateGram(X, d, rows, shift, sums);
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (const row of rows) s += (X[row * d + i]! - shift[i]!) * (X[row * d + j]! - shift[j]!);
        expect(sums.gram[i * d + j]!).toBeCloseTo(s, 8);
      }
    expect(sums.count).toBe(100);
  });
});

describe('fitBaseline with the λ search from one pass', () => {
  function people(n: number, d: number, persons: number, seed: number) {
    const { X, Y } = problem(n, d, 3, seed);
    const labels: LabelledFrame[] = X.map((_, i) => ({ videoId: i % persons, frame: i, values: Float32Array.from(Y, (y, a) => (a === 2 && i % 5 === 0 ? NaN : y[i]!)) }));
    const features = new Map(X.map((x, i) => [`${i % persons}:${i}`, x]));
    // One faceless labelled frame: left out by both.
    labels.push({ videoId: 0, frame: 10_000, values: new Float32Array([1, 1, 1]) });
    return { labels, features, group: (id: number) => `p${id % Math.ceil(persons / 2 + 1)}` };
  }

  for (const [n, d] of [
    [40, 60],
    [120, 12],
  ] as const) {
    it(`chooses the same λ and predicts the same as the old implementation, n = ${n}, d = ${d}`, () => {
      const { labels, features, group } = people(n, d, 7, n + d);
      const aus = [1, 2, 4];
      const lambdas = [0.01, 0.1, 1, 10, 100, 1000, 10000];
      const old = oldFitBaseline(aus, labels, features, group, lambdas);
      const now = fitBaseline(aus, labels, features, group);
      expect(now.lambda).toBe(old.lambda);
      expect(now.frames).toBe(n);
      for (const [a, row] of old.cv!.perAu.entries()) expect(now.cv!.perAu[a]!.icc!).toBeCloseTo(row.icc!, 6);
      for (const x of [...features.values()].slice(0, 10)) expect(maxDiff(now.model.predict(x), old.model.predict(x))).toBeLessThan(1e-6);
    });
  }

  it('returns each labelled frame’s prediction by the fold model that did not see its person', () => {
    const { labels, features, group } = people(50, 10, 7, 11);
    const aus = [1, 2, 4];
    const fit = fitBaseline(aus, labels, features, group);
    const oof = fit.outOfFold!;
    expect(oof.rows).toHaveLength(50);
    const names = [...new Set(oof.rows.map((l) => group(l.videoId)))].sort();
    const k = Math.min(5, names.length);
    for (let f = 0; f < k; f++) {
      const heldOut = new Set(names.filter((_, i) => i % k === f));
      const train = oof.rows.filter((l) => !heldOut.has(group(l.videoId)));
      const m = new OldAuRidge(fit.lambda, 3).fit(
        train.map((l) => features.get(`${l.videoId}:${l.frame}`)!),
        aus.map((_, a) => Float64Array.from(train, (l) => l.values[a]!)),
      );
      oof.rows.forEach((l, i) => {
        if (!heldOut.has(group(l.videoId))) return;
        const p = m.predict(features.get(`${l.videoId}:${l.frame}`)!);
        expect(maxDiff(aus.map((_, a) => oof.predictions[a]![i]!), p)).toBeLessThan(1e-6);
      });
    }
  });

  // 20,000 × 2,000 takes minutes in plain JavaScript (XᵀX alone is 4·10¹⁰ multiply-adds, and each
  // of the six tridiagonalisations 5·10⁹), too long for the unit suite: by default the frames are
  // the lab's 20,000 and the features 400; RIDGE_N=20000 RIDGE_D=2000 runs the full size.
  const n = Number(process.env.RIDGE_N ?? 20_000);
  const d = Number(process.env.RIDGE_D ?? 400);
  it(`fits ${n} labelled frames × ${d} features with 5-fold cross-validation over 7 λ (prints the time)`, { timeout: 900_000 }, () => {
    const r = rng(1);
    const X = new Float32Array(n * d);
    for (let i = 0; i < X.length; i++) X[i] = r() - 0.5;
    const w = Float64Array.from({ length: d }, () => r() - 0.5);
    const Y = [Float64Array.from({ length: n }, (_, i) => 2.5 + 0.05 * X.subarray(i * d, (i + 1) * d).reduce((s, v, j) => s + v * w[j]!, 0))];
    const partOf = Int32Array.from({ length: n }, (_, i) => i % 5);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const t0 = performance.now();
    const stages: string[] = [];
    const fits = ridgeFolds(X, d, rows, partOf, 5, Y, [...[0, 1, 2, 3, 4].map((f) => ({ without: f, lambdas: [0.01, 0.1, 1, 10, 100, 1000, 10000] })), { without: null, lambdas: [1] }], {
      onProgress: (_, message) => stages.push(`${message}: ${((performance.now() - t0) / 1000).toFixed(1)} s`),
    });
    console.log(`ridge ${n} × ${d}, 5 folds × 7 λ + refit: ${((performance.now() - t0) / 1000).toFixed(1)} s (${stages.filter((m) => !m.startsWith('XᵀX')).join(', ')})`);
    expect(fits).toHaveLength(6);
    expect(fits[5]![0]!.weights[0]!.every(Number.isFinite)).toBe(true);
  });
});
