/**
 * Cohen's weighted kappa (Cohen 1968) with linear weights, on a fixed ordinal scale: the six
 * FACS intensity levels 0–5. The scale is fixed rather than taken from the levels the coders
 * happened to use: where nobody used C, B against D is still two levels apart, not one (as it
 * would be for an implementation that indexes only the observed levels).
 */

/**
 * κw = 1 − Σ v_ij·o_ij / Σ v_ij·e_ij, with disagreement weights v_ij = |i − j| / (levels − 1),
 * o the observed and e the chance-expected (product of the margins) proportions. Null when it
 * is undefined: no pairs, or every pair on one level for both coders (no disagreement is
 * expected by chance, so there is nothing to compare with).
 */
export function weightedKappa(a: ArrayLike<number>, b: ArrayLike<number>, levels = 6): number | null {
  const n = a.length;
  if (n !== b.length) throw new Error(`weightedKappa: ${n} ratings for the first coder, ${b.length} for the second`);
  if (n === 0) return null;
  const rows = new Float64Array(levels);
  const cols = new Float64Array(levels);
  let observed = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= levels || y >= levels) {
      throw new Error(`weightedKappa: ratings are whole levels 0–${levels - 1}; got ${x} and ${y}`);
    }
    rows[x]!++;
    cols[y]!++;
    observed += Math.abs(x - y);
  }
  let expected = 0;
  for (let i = 0; i < levels; i++) for (let j = 0; j < levels; j++) expected += Math.abs(i - j) * rows[i]! * cols[j]!;
  // Both sums carry the same 1/(levels − 1) weight scale, which cancels; observed is over n
  // pairs, expected over n² margin products.
  if (expected < 1e-12) return null;
  return 1 - (observed * n) / expected;
}
