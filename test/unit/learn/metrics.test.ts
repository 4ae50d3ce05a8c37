import { describe, expect, it } from 'vitest';
import { icc31, mae, MetricsAccumulator, pearson } from '../../../src/main/services/learn/metrics';

describe('ICC(3,1)', () => {
  it('matches the Shrout & Fleiss mean-square formula on a hand-worked example', () => {
    const y = [1, 2, 3, 4, 5];
    const p = [2, 2, 4, 5, 5];
    // By hand: row means 1.5 2 3.5 4.5 5, grand 3.3; column means 3 and 3.6.
    // MSR = 2·Σ(row − grand)² / 4 = 2·(3.24 + 1.69 + 0.04 + 1.44 + 2.89) / 4 = 4.65
    // residuals e_ij = x_ij − row_i − col_j + grand: ±0.2/0.3 in each column, SSE = 0.6,
    // MSE = 0.6 / ((5 − 1)(2 − 1)) = 0.15; ICC = (MSR − MSE) / (MSR + MSE) = 4.5 / 4.8
    expect(icc31(y, p)).toBeCloseTo((4.65 - 0.15) / (4.65 + 0.15), 10);
  });

  it('is 1 for a constant offset (consistency, not absolute agreement) and undefined for constants', () => {
    expect(icc31([0, 1, 2, 3], [1, 2, 3, 4])).toBeCloseTo(1, 10);
    expect(icc31([2, 2, 2], [2, 2, 2])).toBeNull();
  });

  it('is negative when the prediction runs against the truth', () => {
    expect(icc31([0, 1, 2, 3], [3, 2, 1, 0])!).toBeLessThan(-0.9);
  });
});

describe('Pearson r and MAE', () => {
  it('compute the textbook values', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 10);
    expect(pearson([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 10);
    expect(mae([0, 1, 2], [1, 1, 0])).toBeCloseTo(1, 10);
    expect(pearson([1, 1], [1, 2])).toBeNull();
  });
});

describe('MetricsAccumulator', () => {
  it('averages per-AU values over the AUs where they are defined', () => {
    const acc = new MetricsAccumulator([1, 2]);
    for (const [y, p] of [[0, 0], [1, 1], [2, 2]]) acc.add(1, y!, p!, `f${y}`);
    for (let i = 0; i < 3; i++) acc.add(2, 0, 0.5, `f${i}`); // AU2 never varies: ICC undefined
    acc.add(1, NaN, 1); // dropped
    const t = acc.table('test');
    expect(t.frames).toBe(3);
    expect(t.perAu[0]!.icc).toBeCloseTo(1, 4);
    expect(t.perAu[1]!.icc).toBeNull();
    expect(t.mean.icc).toBeCloseTo(1, 4);
    expect(t.mean.aus).toBe(1);
    expect(t.mean.mae).toBeCloseTo(0.25, 4);
  });
});
