import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/main/services/learn/worker/tfjs';
import { createObjectives } from '../../../src/main/services/learn/worker/objectives';
import { flowLoss, lucasKanadeGrid } from '../../../src/main/services/learn/worker/objectives/flow';
import { batchOf, texture, tinyModel } from './objectives-helpers';

beforeAll(async () => {
  await initBackend();
});

describe('flow target (Lucas–Kanade on a coarse grid)', () => {
  it('recovers a known sub-pixel and pixel shift in the interior cells', () => {
    const S = 32;
    for (const [sx, sy] of [
      [1, 0],
      [0.5, -0.75],
      [-1.5, 1],
    ] as const) {
      const a = texture(S, 1);
      const b = texture(S, 1, sx, sy); // b(x) = a(x − s): content moves by +s
      const { flow, valid } = lucasKanadeGrid(a, b, S, 4);
      for (const cy of [1, 2])
        for (const cx of [1, 2]) {
          const k = cy * 4 + cx;
          expect(valid[k]).toBe(1);
          expect(flow[2 * k]!).toBeCloseTo(sx, 1);
          expect(flow[2 * k + 1]!).toBeCloseTo(sy, 1);
        }
    }
  });

  it('gives zero flow for identical frames and marks flat cells invalid', () => {
    const S = 16;
    const a = texture(S, 2);
    const same = lucasKanadeGrid(a, a, S, 4);
    expect(Math.max(...same.flow.map(Math.abs))).toBeLessThan(1e-6);
    const flat = lucasKanadeGrid(new Float32Array(S * S), new Float32Array(S * S), S, 4);
    expect([...flat.valid].every((v) => v === 0)).toBe(true);
  });
});

describe('flow loss', () => {
  it('is the weighted mean squared flow error and ignores zero-weight cells', () => {
    const v = tf.tidy(() => {
      const pred = tf.tensor4d([1, 0, 0, 0, 5, 5, 0, 0], [1, 2, 2, 2]);
      const target = tf.tensor4d([0, 0, 0, 2, 0, 0, 0, 0], [1, 2, 2, 2]);
      return flowLoss(pred, target, tf.tensor3d([1, 1, 0, 1], [1, 2, 2])).dataSync()[0]!;
    });
    // cells: |(1,0)|²=1, |(0,−2)|²=4, (ignored 50), 0 → (1 + 4 + 0) / 3
    expect(v).toBeCloseTo(5 / 3, 5);
  });

  it('trains the head from frame features and is 0 on a clip without faces', () => {
    const model = tinyModel(16, 4);
    const [obj] = createObjectives([{ kind: 'flow', weight: 1, params: { grid: 4 } }], model);
    const px = new Float32Array(16 * 16 * 4 * 2);
    for (let b = 0; b < 2; b++) for (let t = 0; t < 4; t++) px.set(texture(16, b, t * 0.5, 0), (b * 4 + t) * 256);
    const loss = tf.tidy(() => obj!.objective.loss(batchOf(model, px, 2, 4, ['a', 'b'], [1, 2])).dataSync()[0]!);
    expect(loss).toBeGreaterThan(0);
    const none = tf.tidy(() => obj!.objective.loss(batchOf(model, px, 2, 4, ['a', 'b'], [1, 2], new Array(8).fill(0))).dataSync()[0]!);
    expect(none).toBe(0);
    expect([...obj!.objective.variables.keys()].sort()).toEqual(['h1/b', 'h1/w', 'out/b', 'out/w']);
    obj!.objective.dispose();
    model.dispose();
  });
});
