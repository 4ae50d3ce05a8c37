import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/main/services/learn/worker/tfjs';
import { maskedMse } from '../../../src/main/services/learn/worker/losses';
import { createObjectives } from '../../../src/main/services/learn/worker/objectives';
import { AU_REGIONS, RoiInpaint, roiMask } from '../../../src/main/services/learn/worker/objectives/roi-inpaint';
import { Rng } from '../../../src/shared/rng';
import { batchOf, texture, tinyModel } from './objectives-helpers';

beforeAll(async () => {
  await initBackend();
});

describe('RoI patches', () => {
  it('sit on the AU regions of the aligned crop', () => {
    const byName = Object.fromEntries(AU_REGIONS.map((r) => [r.name, r.at]));
    expect(byName['left brow']![1]).toBeLessThan(byName['left eye']![1]);
    expect(byName['left eye']![1]).toBeLessThan(byName.nose![1]);
    expect(byName.nose![1]).toBeLessThan(byName['left mouth corner']![1]);
    expect(byName['left mouth corner']![1]).toBeLessThan(byName.chin![1]);
    for (const r of AU_REGIONS) for (const c of r.at) expect(c > 0.05 && c < 0.95).toBe(true);
  });

  it('masks `patches` squares near a region centre per frame', () => {
    const S = 32;
    const side = 6;
    const m = roiMask(50, S, 1, side, new Rng(3));
    for (let f = 0; f < 50; f++) {
      let n = 0;
      let sx = 0;
      let sy = 0;
      for (let i = 0; i < S * S; i++)
        if (m[f * S * S + i]) {
          n++;
          sx += i % S;
          sy += Math.floor(i / S);
        }
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(side * side);
      const cx = (sx / n + 0.5) / S;
      const cy = (sy / n + 0.5) / S;
      const nearest = Math.min(...AU_REGIONS.map((r) => Math.hypot(r.at[0] - cx, r.at[1] - cy)));
      expect(nearest * S).toBeLessThan(side / 2 + 1);
    }
  });
});

describe('masked-pixel loss', () => {
  it('ignores unmasked pixels and is 0 for a perfect reconstruction of the masked ones', () => {
    const [exact, other] = tf.tidy(() => {
      const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const m = tf.tensor4d([1, 0, 0, 1], [1, 2, 2, 1]);
      const wrongOutside = tf.tensor4d([1, 99, -99, 4], [1, 2, 2, 1]);
      const wrongInside = tf.tensor4d([3, 2, 3, 4], [1, 2, 2, 1]);
      return [maskedMse(wrongOutside, x, m).dataSync()[0]!, maskedMse(wrongInside, x, m).dataSync()[0]!];
    });
    expect(exact).toBe(0);
    expect(other).toBeCloseTo(4 / 2, 6); // (3−1)² over 2 masked pixels
  });

  it('the objective hides the masked pixels from the encoder and its gradient reaches encoder and decoder', () => {
    const S = 16;
    const T = 4;
    const model = tinyModel(S, T);
    const [o] = createObjectives([{ kind: 'roi-inpaint', weight: 1, params: { patches: 2, size: 0.25 } }], model);
    const obj = o!.objective as RoiInpaint;
    // What the encoder sees does not depend on the masked pixels.
    const same = tf.tidy(() => {
      const a = tf.tensor4d(texture(S, 1), [1, S, S, 1]);
      const m = tf.tensor4d(roiMask(1, S, 2, 4, new Rng(1)), [1, S, S, 1]);
      const b = tf.add(a, tf.mul(m, 7)) as tfjs.Tensor4D;
      return tf.max(tf.abs(tf.sub(obj.inpaint(model, a, m), obj.inpaint(model, b, m)))).dataSync()[0]!;
    });
    expect(same).toBe(0);
    const px = new Float32Array(2 * T * S * S);
    for (let f = 0; f < 2 * T; f++) px.set(texture(S, f), f * S * S);
    const { value, grads } = tf.variableGrads(() => obj.loss(batchOf(model, px, 2, T, ['a', 'b'], [1, 2])));
    expect(value.dataSync()[0]!).toBeGreaterThan(0);
    const names = Object.keys(grads);
    const norm = (pred: (n: string) => boolean) => names.filter(pred).reduce((s, n) => s + tf.sum(tf.abs(grads[n]!)).dataSync()[0]!, 0);
    expect(norm((n) => n.includes('/enc/'))).toBeGreaterThan(0);
    expect(norm((n) => n.includes('roi-inpaint/dec/'))).toBeGreaterThan(0);
    expect(names.some((n) => n.includes('/head/'))).toBe(false);
    tf.dispose([value, ...Object.values(grads)]);
    obj.dispose();
    model.dispose();
  });
});
