/**
 * Occurrence agreement (percent and Cohen's kappa on presence) and the bootstrap intervals of
 * the Agreement tab, on fixed inputs with hand-checked values (kappa as scikit-learn's
 * cohen_kappa_score computes it: (po − pe) / (1 − pe)).
 */
import { describe, expect, it } from 'vitest';
import { weightedKappa } from '../../../src/main/services/agreement/kappa';
import { bootstrapCi, percentAgreement, presence, presenceKappa, resampler } from '../../../src/main/services/agreement/occurrence';
import { icc31 } from '../../../src/main/services/learn/metrics';

/** The two coders of reference-values.test.ts, twenty frames, 0–5. */
const A = [0, 0, 1, 2, 3, 3, 4, 5, 0, 1, 2, 2, 0, 0, 3, 4, 1, 0, 2, 5];
const B = [0, 1, 1, 3, 3, 2, 4, 4, 0, 0, 2, 3, 0, 1, 3, 5, 2, 0, 1, 5];

describe('occurrence agreement', () => {
  it('is percent agreement and Cohen’s kappa on presence at the threshold', () => {
    // At A (1): 14 and 15 frames present, 17 of 20 agree; pe = .7 · .75 + .3 · .25 = .6.
    const a = presence(A, 1);
    const b = presence(B, 1);
    expect([...a].reduce((s, x) => s + x, 0)).toBe(14);
    expect(percentAgreement(a, b)).toBeCloseTo(0.85, 12);
    expect(presenceKappa(a, b)).toBeCloseTo(0.625, 12);
    // At B (2): 18 of 20 agree, pe = .505.
    expect(presenceKappa(presence(A, 2), presence(B, 2))).toBeCloseTo(0.3950 / 0.495, 10);
  });

  it('is undefined without pairs or when both coders say one thing throughout', () => {
    expect(percentAgreement([], [])).toBeNull();
    expect(presenceKappa([], [])).toBeNull();
    expect(presenceKappa([1, 1, 1], [1, 1, 1])).toBeNull();
    expect(percentAgreement([1, 1, 1], [1, 1, 1])).toBe(1);
    expect(presenceKappa([1, 0, 1, 0], [0, 1, 0, 1])).toBeCloseTo(-1, 12);
    expect(() => presenceKappa([1], [1, 0])).toThrow(/1 ratings for the first coder, 2 for the second/);
  });
});

describe('bootstrap intervals over frames', () => {
  it('bracket the statistic, are reproducible, and narrow with more frames', () => {
    const pick = resampler(A, B);
    const icc = icc31(A, B)!;
    const ci = bootstrapCi(A.length, (idx) => icc31(...pick(idx)))!;
    expect(ci[0]).toBeLessThan(icc);
    expect(ci[1]).toBeGreaterThan(icc);
    expect(ci[1]).toBeLessThanOrEqual(1);
    expect(bootstrapCi(A.length, (idx) => icc31(...pick(idx)))).toEqual(ci); // the same labels, the same interval
    const k = bootstrapCi(A.length, (idx) => weightedKappa(...pick(idx)))!;
    expect(k[0]).toBeLessThan(weightedKappa(A, B)!);

    // Five copies of the same frames: the interval is about √5 narrower.
    const A5 = Array.from({ length: 5 }, () => A).flat();
    const B5 = Array.from({ length: 5 }, () => B).flat();
    const pick5 = resampler(A5, B5);
    const ci5 = bootstrapCi(A5.length, (idx) => icc31(...pick5(idx)))!;
    expect(ci5[1] - ci5[0]).toBeLessThan((ci[1] - ci[0]) * 0.6);
  });

  it('is null with fewer than two frames, or where the statistic is mostly undefined', () => {
    expect(bootstrapCi(1, () => 1)).toBeNull();
    expect(bootstrapCi(10, () => null)).toBeNull();
    expect(bootstrapCi(10, () => 0.5)).toEqual([0.5, 0.5]);
  });
});
