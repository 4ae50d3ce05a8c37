import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/main/services/learn/worker/tfjs';
import { createObjectives } from '../../../src/main/services/learn/worker/objectives';
import { clipIdentities, crossPartners, nearestPull, type CrossIdentity } from '../../../src/main/services/learn/worker/objectives/cross-identity';
import { batchOf, texture, tinyModel } from './objectives-helpers';

beforeAll(async () => {
  await initBackend();
});

describe('cross-identity swap', () => {
  it('identity is the subject, else the video; partners always have a different identity', () => {
    const ids = clipIdentities(['S1', 'S1', null, 'S2'], [10, 11, 12, 13]);
    expect(ids).toEqual(['S1', 'S1', 'video 12', 'S2']);
    const p = crossPartners(ids);
    p.forEach((c, b) => {
      expect(c).not.toBeNull();
      expect(ids[c!]).not.toBe(ids[b]);
    });
    expect(crossPartners(['S1', 'S1', 'S1'])).toEqual([null, null, null]);
  });

  it('the pull is 0 when each AU part has an identical one in another person, and ignores same-person neighbours', () => {
    const [zero, pos] = tf.tidy(() => {
      // rows 0,1 person A; rows 2,3 person B; A0 = B2 and A1 = B3 exactly.
      const a = tf.tensor2d([1, 0, 0, 1, 1, 0, 0, 1], [4, 2]);
      const zero = nearestPull(a, ['A', 'A', 'B', 'B']).dataSync()[0]!;
      // Same vectors within a person do not count: A's nearest other-person vector is orthogonal.
      const b = tf.tensor2d([1, 0, 1, 0, 0, 1, 0, 1], [4, 2]);
      return [zero, nearestPull(b, ['A', 'A', 'B', 'B']).dataSync()[0]!];
    });
    expect(zero).toBeCloseTo(0, 5);
    expect(pos).toBeCloseTo(1, 5);
  });

  it('with cycle and pull off, the loss is exactly the pixel MSE of decode(AU part of the frame, identity part of another frame of its clip)', () => {
    const S = 16;
    const T = 2;
    const model = tinyModel(S, T);
    const [o] = createObjectives([{ kind: 'cross-identity', weight: 1, params: { cycle: 0, pull: 0 } }], model);
    const obj = o!.objective as CrossIdentity;
    // T = 2: the identity of frame t comes from frame 1 − t of the same clip.
    const px0 = new Float32Array(2 * T * S * S);
    for (let f = 0; f < 2 * T; f++) px0.set(texture(S, f), f * S * S);
    const target = tf.tidy(() => {
      const b = batchOf(model, px0, 2, T, ['a', 'b'], [1, 2]);
      const x = tf.reshape(tf.slice(b.clips, [0, 0, 0, 0, 0], [2, T, S, S, 1]), [2 * T, S, S, 1]) as never;
      const { a, i } = obj.heads(model.encodeFrames(x));
      return obj.decode(a, tf.gather(i, [1, 0, 3, 2])).dataSync().slice();
    });
    // Frames differ from their decoding, so the loss is positive…
    const before = tf.tidy(() => obj.loss(batchOf(model, px0, 2, T, ['a', 'b'], [1, 2])).dataSync()[0]!);
    expect(before).toBeGreaterThan(0);
    // …and the loss is exactly the pixel MSE against the decoding.
    let mse = 0;
    for (let k = 0; k < target.length; k++) mse += (target[k]! - px0[k]!) ** 2;
    expect(before).toBeCloseTo(mse / target.length, 4);
    obj.dispose();
    model.dispose();
  });

  it('the swap decodes one person’s AU part with ANOTHER person’s identity and gradients reach encoder, heads and decoder', () => {
    const S = 16;
    const T = 2;
    const model = tinyModel(S, T);
    const [o] = createObjectives([{ kind: 'cross-identity', weight: 1, params: {} }], model);
    const obj = o!.objective as CrossIdentity;
    const px = new Float32Array(3 * T * S * S);
    for (let f = 0; f < 3 * T; f++) px.set(texture(S, f), f * S * S);
    const seen: number[][] = [];
    const decode = obj.decode.bind(obj);
    obj.decode = (a, i) => {
      seen.push([a.shape[0], i.shape[0]]);
      return decode(a, i);
    };
    const { value, grads } = tf.variableGrads(() => obj.loss(batchOf(model, px, 3, T, ['S1', 'S1', 'S2'], [1, 2, 3])));
    // Self-reconstruction over all 6 frames, then the swap over all 6 (each clip has a partner of the other subject).
    expect(seen).toEqual([
      [6, 6],
      [6, 6],
    ]);
    expect(crossPartners(['S1', 'S1', 'S2'])).toEqual([2, 2, 0]);
    expect(value.dataSync()[0]!).toBeGreaterThan(0);
    const names = Object.keys(grads);
    const norm = (s: string) => names.filter((n) => n.includes(s)).reduce((acc, n) => acc + tf.sum(tf.abs(grads[n]!)).dataSync()[0]!, 0);
    for (const part of ['/enc/', 'cross-identity/au/', 'cross-identity/id/', 'cross-identity/dec/']) expect(norm(part)).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    obj.dispose();
    model.dispose();
  });
});
