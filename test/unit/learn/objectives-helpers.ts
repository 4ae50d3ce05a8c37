/** Tiny model and batch builders shared by the objective tests. */
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from '../../../src/main/services/learn/worker/tfjs';
import { modelConfig } from '../../../src/main/services/learn/config';
import { AuModel } from '../../../src/main/services/learn/worker/model';
import type { PretrainBatch } from '../../../src/main/services/learn/objectives/types';

export function tinyModel(S = 16, T = 4): AuModel {
  return new AuModel(modelConfig('tiny', S, [12], { clipLength: T }), 1);
}

/** A batch of B clips (both views the same pixels), values in input units. */
export function batchOf(model: AuModel, px: Float32Array, B: number, T: number, subjects: (string | null)[], videoIds: number[], mask?: number[]): PretrainBatch {
  const S = model.config.inputSize;
  const both = new Float32Array(2 * px.length);
  both.set(px);
  both.set(px, px.length);
  const clips = tf.tensor5d(both, [2 * B, T, S, S, 1]);
  const h = model.forward(clips);
  const [z1, z2] = tf.split(model.project(h), 2, 0) as [tfjs.Tensor3D, tfjs.Tensor3D];
  return { model, clips, h, z1, z2, mask: tf.tensor2d(mask ?? new Array(B * T).fill(1), [B, T]), videoIds, subjects };
}

/** Smooth random-ish texture of S×S, deterministic. */
export function texture(S: number, seed: number, dx = 0, dy = 0): Float32Array {
  const out = new Float32Array(S * S);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const u = x - dx;
      const v = y - dy;
      out[y * S + x] = Math.sin(u * 0.45 + seed) * Math.cos(v * 0.37 - seed) + 0.5 * Math.sin((u + v) * 0.23 + 2 * seed);
    }
  return out;
}
