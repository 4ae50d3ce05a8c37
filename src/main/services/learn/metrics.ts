/**
 * Agreement between predicted and true intensities, as the AU literature reports it:
 * ICC(3,1) (two-way mixed, consistency, single rater; Shrout & Fleiss 1979) per AU and
 * averaged, Pearson r and MAE. Undefined values (an AU whose true intensity never varies on
 * the frames scored, or a constant prediction for r) are null and are left out of averages,
 * which then say over how many AUs they were taken.
 */
import type { MetricsTable } from '../../../shared/types';

export function icc31(y: ArrayLike<number>, p: ArrayLike<number>): number | null {
  const n = y.length;
  if (n < 2) return null;
  const k = 2;
  let grand = 0;
  for (let i = 0; i < n; i++) grand += y[i]! + p[i]!;
  grand /= n * k;
  let mY = 0;
  let mP = 0;
  for (let i = 0; i < n; i++) {
    mY += y[i]!;
    mP += p[i]!;
  }
  mY /= n;
  mP /= n;
  let ssR = 0;
  let ssE = 0;
  for (let i = 0; i < n; i++) {
    const rowMean = (y[i]! + p[i]!) / 2;
    ssR += k * (rowMean - grand) ** 2;
    ssE += (y[i]! - rowMean - mY + grand) ** 2 + (p[i]! - rowMean - mP + grand) ** 2;
  }
  const msR = ssR / (n - 1);
  const msE = ssE / ((n - 1) * (k - 1));
  const denom = msR + (k - 1) * msE;
  if (!(denom > 1e-12)) return null;
  return (msR - msE) / denom;
}

export function pearson(y: ArrayLike<number>, p: ArrayLike<number>): number | null {
  const n = y.length;
  if (n < 2) return null;
  let my = 0;
  let mp = 0;
  for (let i = 0; i < n; i++) {
    my += y[i]!;
    mp += p[i]!;
  }
  my /= n;
  mp /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = y[i]! - my;
    const b = p[i]! - mp;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  if (sxx < 1e-12 || syy < 1e-12) return null;
  return sxy / Math.sqrt(sxx * syy);
}

export function mae(y: ArrayLike<number>, p: ArrayLike<number>): number | null {
  if (!y.length) return null;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i]! - p[i]!);
  return s / y.length;
}

export type { AuMetric, MetricsTable } from '../../../shared/types';

/** Pairs per AU (truth, prediction) → the table. */
export class MetricsAccumulator {
  private readonly y = new Map<number, number[]>();
  private readonly p = new Map<number, number[]>();
  private readonly frameKeys = new Set<string>();

  constructor(readonly aus: readonly number[]) {
    for (const au of aus) {
      this.y.set(au, []);
      this.p.set(au, []);
    }
  }

  add(au: number, truth: number, pred: number, frameKey?: string): void {
    if (!Number.isFinite(truth) || !Number.isFinite(pred)) return;
    const ys = this.y.get(au);
    if (!ys) return;
    ys.push(truth);
    this.p.get(au)!.push(pred);
    if (frameKey) this.frameKeys.add(frameKey);
  }

  table(source: string): MetricsTable {
    const perAu = this.aus.map((au) => {
      const y = this.y.get(au)!;
      const p = this.p.get(au)!;
      // Agreement is undefined for an AU that never varies in the truth (e.g. never occurs in
      // the test subjects): ICC would be 0 or less whatever the model does. Left out, as in the literature.
      const varies = y.some((v) => v !== y[0]);
      return { au, n: y.length, icc: varies ? round(icc31(y, p)) : null, r: round(pearson(y, p)), mae: round(mae(y, p)) };
    });
    const avg = (k: 'icc' | 'r' | 'mae') => {
      const v = perAu.map((m) => m[k]).filter((x): x is number => x !== null);
      return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length) : null;
    };
    return { source, frames: this.frameKeys.size, perAu, mean: { icc: avg('icc'), r: avg('r'), mae: avg('mae'), aus: perAu.filter((m) => m.icc !== null).length } };
  }
}

function round(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : Math.round(x * 10000) / 10000;
}
