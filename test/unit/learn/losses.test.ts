import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/main/services/learn/worker/tfjs';
import { infoNce, maskedMse, temporalMargin, temporalTriplets } from '../../../src/main/services/learn/worker/losses';
import { Rng } from '../../../src/shared/rng';

beforeAll(async () => {
  await initBackend();
});

/** Random unit-ish vectors, deterministic. */
function randomEmbeddings(B: number, T: number, D: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: B * T * D }, () => rng.normal());
}

describe('infoNce', () => {
  it('is low when the two views agree and near log(N) when they are unrelated', () => {
    const [B, T, D] = [3, 5, 32];
    const a = randomEmbeddings(B, T, D, 1);
    const identical = tf.tidy(() => infoNce(tf.tensor3d(a, [B, T, D]), tf.tensor3d(a, [B, T, D]), 0.1).dataSync()[0]!);
    // Shuffle frames of view 2: the "positive" is now some other frame's embedding.
    const perm = new Rng(7).shuffle(Array.from({ length: B * T }, (_, i) => i));
    const shuffled = perm.flatMap((i) => a.slice(i * D, (i + 1) * D));
    const mismatched = tf.tidy(() => infoNce(tf.tensor3d(a, [B, T, D]), tf.tensor3d(shuffled, [B, T, D]), 0.1).dataSync()[0]!);
    expect(identical).toBeLessThan(0.05);
    expect(mismatched).toBeGreaterThan(Math.log(B * T) * 0.5);
    expect(mismatched).toBeGreaterThan(identical + 3);
  });

  it('equals the hand-computed value on a two-frame example', () => {
    // Two frames, orthogonal unit vectors; views identical; temperature 1:
    // each anchor: logits [1, 0] → −log(e / (e + 1)).
    const z = tf.tensor3d([1, 0, 0, 1], [1, 2, 2]);
    const got = infoNce(z, z, 1).dataSync()[0]!;
    expect(got).toBeCloseTo(-Math.log(Math.E / (Math.E + 1)), 5);
  });

  it('ignores masked frames as anchors and as negatives', () => {
    // Frame 2 duplicates frame 0 in view 2 (a confusing negative); masking it restores the clean value.
    const z1 = tf.tensor3d([1, 0, 0, 1, 0, 0], [1, 3, 2]);
    const z2 = tf.tensor3d([1, 0, 0, 1, 1, 0], [1, 3, 2]);
    const mask = tf.tensor2d([1, 1, 0], [1, 3]);
    const masked = infoNce(z1, z2, 1, mask).dataSync()[0]!;
    expect(masked).toBeCloseTo(-Math.log(Math.E / (Math.E + 1)), 4);
    const unmasked = infoNce(z1, z2, 1).dataSync()[0]!;
    expect(unmasked).toBeGreaterThan(masked);
  });

  it('uses negatives from other clips of the batch', () => {
    // One frame per clip: the only negatives are the other clips' frames.
    const z = tf.tensor3d([1, 0, 0, 1], [2, 1, 2]);
    expect(infoNce(z, z, 1).dataSync()[0]!).toBeCloseTo(-Math.log(Math.E / (Math.E + 1)), 5);
  });
});

describe('temporalMargin', () => {
  it('builds triplets only where j is strictly nearer to i than k', () => {
    const w = temporalTriplets(3);
    const at = (i: number, j: number, k: number) => w[(i * 3 + j) * 3 + k];
    expect(at(0, 1, 2)).toBe(1);
    expect(at(0, 2, 1)).toBe(0);
    expect(at(1, 0, 2)).toBe(0); // equal distance
    expect(at(1, 1, 2)).toBe(0); // j = i
    expect(Array.from(w).reduce((a, b) => a + b, 0)).toBe(2); // (0,1,2) and (2,1,0)
  });

  it('is zero when similarity falls with distance by more than the margin, positive when reversed', () => {
    // Angles 0°, 30°, 90° for frames 0..2: cos decreasing with time distance.
    const deg = (d: number) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)];
    const ordered = tf.tensor3d([...deg(0), ...deg(30), ...deg(90)], [1, 3, 2]);
    expect(temporalMargin(ordered, 0.1).dataSync()[0]!).toBeCloseTo(0, 6);
    // Frame 2 closer to frame 0 than frame 1 is: both triplets violate.
    const reversed = tf.tensor3d([...deg(0), ...deg(90), ...deg(30)], [1, 3, 2]);
    const v = temporalMargin(reversed, 0.1).dataSync()[0]!;
    // anchor 0: s01 = cos90 = 0, s02 = cos30 → 0.1 − 0 + 0.866; anchor 2: s21 = cos60, s20 = cos30 → 0.1 − 0.5 + 0.866.
    expect(v).toBeCloseTo((0.1 + Math.cos(Math.PI / 6) + 0.1 - 0.5 + Math.cos(Math.PI / 6)) / 2, 4);
  });

  it('across views, the anchor\'s own frame in the other view is a positive that must beat every other frame', () => {
    const w = temporalTriplets(3, true);
    const at = (i: number, j: number, k: number) => w[(i * 3 + j) * 3 + k];
    expect(at(0, 0, 1)).toBe(1); // own frame vs next
    expect(at(1, 1, 0)).toBe(1);
    expect(at(1, 1, 2)).toBe(1);
    expect(at(1, 0, 2)).toBe(0); // equal distance
    expect(at(0, 1, 0)).toBe(0); // k = i never
    // 0: (0,1),(0,2),(1,2); 1: (1,0),(1,2); 2: (2,1),(2,0),(1,0) → 8.
    expect(Array.from(w).reduce((a, b) => a + b, 0)).toBe(8);

    const deg = (d: number) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)];
    const view1 = tf.tensor3d([...deg(0), ...deg(40), ...deg(100)], [1, 3, 2]);
    // Other view: the same frames slightly rotated: every ordering holds by more than 0.05.
    const view2 = tf.tensor3d([...deg(5), ...deg(45), ...deg(105)], [1, 3, 2]);
    expect(temporalMargin(view1, 0.05, undefined, view2).dataSync()[0]!).toBeCloseTo(0, 6);
    // Other view with frames 0 and 1 swapped: anchor 0's own frame (now at 40°) loses to frame 1 (at 0°).
    const swapped = tf.tensor3d([...deg(40), ...deg(0), ...deg(100)], [1, 3, 2]);
    const v = temporalMargin(view1, 0.05, undefined, swapped).dataSync()[0]!;
    const s = (a: number, b: number) => Math.cos(((a - b) * Math.PI) / 180);
    // Triplets (i; j, k) with hinge max(0, 0.05 − s(i,j) + s(i,k)) over the 8 triplets above.
    const a = [0, 40, 100];
    const b = [40, 0, 100];
    const trip = [[0, 0, 1], [0, 0, 2], [0, 1, 2], [1, 1, 0], [1, 1, 2], [2, 2, 1], [2, 2, 0], [2, 1, 0]];
    const expected = trip.reduce((acc, [i, j, k]) => acc + Math.max(0, 0.05 - s(a[i!]!, b[j!]!) + s(a[i!]!, b[k!]!)), 0) / 8;
    expect(expected).toBeGreaterThan(0.1);
    expect(v).toBeCloseTo(expected, 4);
  });
});

describe('maskedMse', () => {
  it('averages only over labelled entries', () => {
    const pred = tf.tensor([1, 2, 3, 4]);
    const target = tf.tensor([0, 0, 3, 100]);
    const mask = tf.tensor([1, 1, 0, 0]);
    expect(maskedMse(pred, target, mask).dataSync()[0]!).toBeCloseTo((1 + 4) / 2, 6);
  });

  it('gives exactly zero gradient to unlabelled outputs', () => {
    const target = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const mask = tf.tensor2d([[1, 0], [0, 0], [0, 1]]);
    const g = tf.grad((p: Tensor) => maskedMse(p, target, mask))(tf.tensor2d([[0, 0], [0, 0], [0, 0]]));
    const v = Array.from(g.dataSync());
    expect(Math.abs(v[1]!)).toBe(0);
    expect(Math.abs(v[2]!)).toBe(0);
    expect(Math.abs(v[3]!)).toBe(0);
    expect(Math.abs(v[4]!)).toBe(0);
    expect(v[0]).toBeCloseTo(-1, 6); // 2·(0 − 1) / 2 labelled entries
    expect(v[5]).toBeCloseTo(-6, 6);
  });
});

describe('sparse-label training signal through the whole network', () => {
  it('gets every parameter gradient from the labelled outputs only', async () => {
    const { AuModel } = await import('../../../src/main/services/learn/worker/model');
    const { modelConfig } = await import('../../../src/main/services/learn/config');
    const model = new AuModel(modelConfig('tiny', 16, [1, 2]), 4);
    const vars = model.variables(['enc', 'tmp', 'head']);
    const x = tf.randomNormal([2, 4, 16, 16, 1], 0, 1, 'float32', 1) as unknown as Parameters<typeof model.forward>[0];
    const grads = (target: number[], mask: number[]) =>
      tf.tidy(() => {
        const { grads: g } = tf.variableGrads(() => maskedMse(model.regress(model.forward(x)), tf.tensor3d(target, [2, 4, 2]), tf.tensor3d(mask, [2, 4, 2])), vars);
        return Object.values(g).map((t) => Array.from(t.dataSync()));
      });
    const mask = Array.from({ length: 16 }, (_, i) => (i === 5 ? 1 : 0)); // one labelled frame × AU
    const t1 = Array.from({ length: 16 }, (_, i) => (i === 5 ? 3 : 0));
    const t2 = Array.from({ length: 16 }, (_, i) => (i === 5 ? 3 : 5)); // unlabelled targets changed
    const g1 = grads(t1, mask);
    const g2 = grads(t2, mask);
    expect(g2).toEqual(g1);
    expect(g1.some((g) => g.some((v) => v !== 0))).toBe(true);
    const none = grads(t1, new Array(16).fill(0));
    expect(none.every((g) => g.every((v) => v === 0))).toBe(true);
    model.dispose();
  });
});
