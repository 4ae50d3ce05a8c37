/**
 * What FACS reliability reports add to intensity agreement: occurrence agreement (is the AU
 * present at all, at intensity ≥ a threshold; FACS A = 1 by default) as percent agreement and
 * Cohen's kappa, and 95 % confidence intervals by a bootstrap over frames.
 */
import { Rng } from '../../../shared/rng';

/** Presence of each rating at `threshold` or above. */
export function presence(values: ArrayLike<number>, threshold: number): Uint8Array {
  return Uint8Array.from({ length: values.length }, (_, i) => (values[i]! >= threshold ? 1 : 0));
}

/** Share of pairs where both coders agree on presence (0–1); null without pairs. */
export function percentAgreement(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) throw new Error(`percentAgreement: ${a.length} ratings for the first coder, ${b.length} for the second`);
  if (!a.length) return null;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/**
 * Cohen's (1960) kappa on two categories (absent 0, present 1): (po − pe) / (1 − pe). Null
 * when it is undefined: no pairs, or both coders on one category throughout (pe = 1).
 */
export function presenceKappa(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n !== b.length) throw new Error(`presenceKappa: ${n} ratings for the first coder, ${b.length} for the second`);
  if (!n) return null;
  let same = 0;
  let pa = 0;
  let pb = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) same++;
    pa += a[i] ? 1 : 0;
    pb += b[i] ? 1 : 0;
  }
  const po = same / n;
  const pe = (pa / n) * (pb / n) + (1 - pa / n) * (1 - pb / n);
  if (1 - pe < 1e-12) return null;
  return (po - pe) / (1 - pe);
}

export interface BootstrapOptions {
  /** Resamples; 1000 by default. */
  reps?: number;
  /** Fixed by default, so the same labels always give the same interval. */
  seed?: number;
}

/**
 * A 95 % percentile bootstrap interval of `stat` over n frames: `reps` resamples of the frames
 * with replacement (indices handed to `stat`). Resamples where the statistic is undefined
 * (every pair on one level) are left out; null when fewer than half of them are defined, or
 * with fewer than two frames.
 */
export function bootstrapCi(n: number, stat: (idx: Int32Array) => number | null, opts: BootstrapOptions = {}): [number, number] | null {
  const reps = opts.reps ?? 1000;
  if (n < 2) return null;
  const rng = new Rng(opts.seed ?? 20_201_130);
  const idx = new Int32Array(n);
  const values: number[] = [];
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    const v = stat(idx);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length < reps / 2) return null;
  values.sort((x, y) => x - y);
  return [quantile(values, 0.025), quantile(values, 0.975)];
}

/** Linear interpolation between order statistics (R type 7, NumPy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}

/** Two rating arrays resampled by `idx`, into reusable buffers. */
export function resampler(a: ArrayLike<number>, b: ArrayLike<number>): (idx: Int32Array) => [Float64Array, Float64Array] {
  const x = new Float64Array(a.length);
  const y = new Float64Array(b.length);
  return (idx) => {
    for (let i = 0; i < idx.length; i++) {
      x[i] = a[idx[i]!]!;
      y[i] = b[idx[i]!]!;
    }
    return [x, y];
  };
}
