/**
 * ICC(3,1), Pearson r and linearly weighted kappa against reference implementations on fixed
 * inputs. The reference values were computed once and are written here (the machine that runs
 * the tests need not have R or Python):
 *
 *   ICC: R psych 2.2.9, ICC(x, lmer = FALSE), row "Single_fixed_raters". On Shrout & Fleiss's
 *        (1979) Table 2 (6 targets × 4 judges) psych gives ICC(1,1) .166, ICC(2,1) .290,
 *        ICC(3,1) .715, the paper's .17, .29, .71, so it is the paper's ICC(3,1); our icc31
 *        takes two raters, so it is checked on every pair of the paper's judges.
 *   kappa: scikit-learn 1.2.1, cohen_kappa_score(a, b, labels=range(6), weights='linear'), and
 *        R psych cohen.kappa(cbind(a, b), w = 1 − |i − j|/5, levels = 0:5): both agree.
 *   r:   SciPy 1.10.1, scipy.stats.pearsonr.
 */
import { describe, expect, it } from 'vitest';
import { weightedKappa } from '../../../src/main/services/agreement/kappa';
import { icc31, pearson } from '../../../src/main/services/learn/metrics';

/** Shrout & Fleiss (1979), Table 2: four judges rate six targets. */
const SF = [
  [9, 2, 5, 8],
  [6, 1, 3, 2],
  [8, 4, 6, 8],
  [7, 1, 2, 6],
  [10, 5, 6, 9],
  [6, 2, 4, 7],
];
const judge = (j: number) => SF.map((row) => row[j]!);

/** Two coders on twenty frames, 0–5. */
const A = [0, 0, 1, 2, 3, 3, 4, 5, 0, 1, 2, 2, 0, 0, 3, 4, 1, 0, 2, 5];
const B = [0, 1, 1, 3, 3, 2, 4, 4, 0, 0, 2, 3, 0, 1, 3, 5, 2, 0, 1, 5];

describe('ICC(3,1) against R psych on Shrout & Fleiss (1979)', () => {
  const pairs: [number, number, number][] = [
    [0, 1, 0.7453416149],
    [0, 2, 0.725],
    [0, 3, 0.6865671642],
    [1, 2, 0.8944099379],
    [1, 3, 0.6691449814],
    [2, 3, 0.6567164179],
  ];
  for (const [i, j, expected] of pairs) {
    it(`judges ${i + 1} and ${j + 1}: ${expected}`, () => {
      expect(icc31(judge(i), judge(j))).toBeCloseTo(expected, 9);
    });
  }
});

describe('Pearson r against SciPy', () => {
  it('two coders', () => expect(pearson(A, B)).toBeCloseTo(0.9108692163666015, 12));
  it('Shrout & Fleiss judges 1 and 4', () => expect(pearson(judge(0), judge(3))).toBeCloseTo(0.7501772840114584, 12));
});

describe('linearly weighted kappa on 0–5 against scikit-learn and R psych', () => {
  it('two coders on twenty frames', () => {
    expect(weightedKappa(A, B)).toBeCloseTo(0.7319034852546917, 12);
  });

  it('keeps the fixed 0–5 scale when some levels are never used', () => {
    const g1 = [0, 0, 1, 1, 3, 3, 5, 5, 0, 1, 3, 0, 0, 5, 1];
    const g2 = [0, 1, 1, 3, 3, 5, 5, 3, 0, 0, 1, 0, 1, 5, 3];
    expect(weightedKappa(g1, g2)).toBeCloseTo(0.5770065075921909, 12);
    // What an implementation indexing only the levels seen (0, 1, 3, 5) would say instead.
    expect(weightedKappa(g1, g2)).not.toBeCloseTo(0.5683453237410072, 4);
  });

  it('is 1 for perfect agreement, undefined when both coders use one level only, and refuses non-levels', () => {
    expect(weightedKappa([0, 1, 2, 5], [0, 1, 2, 5])).toBeCloseTo(1, 12);
    expect(weightedKappa([2, 2, 2], [2, 2, 2])).toBeNull();
    expect(weightedKappa([], [])).toBeNull();
    expect(() => weightedKappa([1.5], [1])).toThrow(/whole levels/);
    expect(() => weightedKappa([6], [1])).toThrow(/whole levels/);
    expect(() => weightedKappa([1, 2], [1])).toThrow(/2 ratings/);
  });
});
