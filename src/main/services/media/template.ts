// Canonical 68-point face in unit crop coordinates (x right, y down, 0..1), iBUG order.
// Derived, not hand-placed: the Procrustes mean of face-api's full 68-point landmarks on the 21
// faces in @vladmandic/face-api's demo photos, mirrored and averaged for left/right symmetry, then
// placed so eye centres sit at y ≈ 0.37 and the whole face (brows to chin, with room for a jaw
// drop) fits in the crop. Those photos are mostly smiling, so the mouth points are a smile;
// alignment uses only the expression-stable points (align.ts STABLE_POINTS).
export const CANONICAL_68: Float32Array = new Float32Array([
  0.1847, 0.3668, 0.1880, 0.4514, 0.2007, 0.5293, 0.2198, 0.6037,
  0.2539, 0.6796, 0.3003, 0.7434, 0.3526, 0.7923, 0.4125, 0.8400,
  0.5000, 0.8705, 0.5875, 0.8400, 0.6474, 0.7923, 0.6997, 0.7434,
  0.7461, 0.6796, 0.7802, 0.6037, 0.7993, 0.5293, 0.8120, 0.4514,
  0.8153, 0.3668, 0.2552, 0.2971, 0.2916, 0.2707, 0.3397, 0.2654,
  0.3867, 0.2714, 0.4281, 0.2900, 0.5719, 0.2900, 0.6133, 0.2714,
  0.6603, 0.2654, 0.7084, 0.2707, 0.7448, 0.2971, 0.5000, 0.3825,
  0.5000, 0.4415, 0.5000, 0.4980, 0.5000, 0.5488, 0.4468, 0.5719,
  0.4707, 0.5809, 0.5000, 0.5889, 0.5293, 0.5809, 0.5532, 0.5719,
  0.3179, 0.3681, 0.3449, 0.3538, 0.3870, 0.3534, 0.4219, 0.3763,
  0.3891, 0.3874, 0.3472, 0.3858, 0.5781, 0.3763, 0.6130, 0.3534,
  0.6551, 0.3538, 0.6821, 0.3681, 0.6528, 0.3858, 0.6109, 0.3874,
  0.3852, 0.6596, 0.4256, 0.6453, 0.4734, 0.6345, 0.5000, 0.6399,
  0.5266, 0.6345, 0.5744, 0.6453, 0.6148, 0.6596, 0.5727, 0.7063,
  0.5359, 0.7260, 0.5000, 0.7333, 0.4641, 0.7260, 0.4273, 0.7063,
  0.3963, 0.6609, 0.4659, 0.6598, 0.5000, 0.6606, 0.5341, 0.6598,
  0.6037, 0.6609, 0.5332, 0.6877, 0.5000, 0.6913, 0.4668, 0.6877,
]);

/** iBUG-68 left/right mirror partner of each point (a mirrored face's point k is point MIRROR_68[k]). */
export const MIRROR_68: readonly number[] = (() => {
  const m = Array.from({ length: 68 }, (_, i) => i);
  const pairs: [number, number][] = [[31, 35], [32, 34], [36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46], [48, 54], [49, 53], [50, 52], [55, 59], [56, 58], [60, 64], [61, 63], [65, 67]];
  for (let i = 0; i < 17; i++) m[i] = 16 - i;
  for (let i = 17; i < 27; i++) m[i] = 43 - i;
  for (const [a, b] of pairs) [m[a], m[b]] = [b, a];
  return m;
})();
