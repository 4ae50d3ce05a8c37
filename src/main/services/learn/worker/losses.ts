/**
 * Loss functions on plain tensors, so each can be tested on hand-made inputs.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from './tfjs';

const NEG = -1e9;

export function l2normalize(x: tfjs.Tensor, axis = -1): tfjs.Tensor {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), axis, true), 1e-12)));
}

/**
 * Per-frame InfoNCE between two views of the same clips (Sanchez et al. 2020, with the
 * frame-wise discrimination inside a clip of Li & Shan 2023).
 *
 * z1, z2: [B,T,D] projections of view 1 and view 2. Every frame of view 1 is an anchor; its
 * positive is the same frame in view 2; its negatives are every other frame of view 2: the
 * other frames of its own clip and all frames of the other clips in the batch. The loss is
 * symmetrised (view 2 anchors against view 1). mask [B,T] (1 = use) drops faceless frames both
 * as anchors and as negatives.
 */
export function infoNce(z1: tfjs.Tensor3D, z2: tfjs.Tensor3D, temperature: number, mask?: tfjs.Tensor2D): tfjs.Scalar {
  return tf.tidy(() => {
    const [B, T, D] = z1.shape;
    const N = B * T;
    const a = l2normalize(tf.reshape(z1, [N, D])) as tfjs.Tensor2D;
    const b = l2normalize(tf.reshape(z2, [N, D])) as tfjs.Tensor2D;
    let logits = tf.div(tf.matMul(a, b, false, true), temperature) as tfjs.Tensor2D;
    const m = mask ? (tf.reshape(mask, [N]) as tfjs.Tensor1D) : (tf.ones([N]) as tfjs.Tensor1D);
    // Masked columns can never be chosen; masked rows do not count.
    const colPenalty = tf.mul(tf.sub(1, m), NEG);
    const one = (l: tfjs.Tensor2D) => {
      const masked = tf.add(l, colPenalty);
      const logProb = tf.sub(tf.mul(tf.eye(N), masked), tf.mul(tf.eye(N), tf.logSumExp(masked, 1, true)));
      const perRow = tf.neg(tf.sum(logProb, 1));
      return tf.div(tf.sum(tf.mul(perRow, m)), tf.maximum(tf.sum(m), 1));
    };
    const l1 = one(logits);
    logits = tf.transpose(logits);
    const l2 = one(logits);
    return tf.mul(tf.add(l1, l2), 0.5) as tfjs.Scalar;
  });
}

/**
 * Triplet weights for the margin-based temporal term: W[i,j,k] = 1 where frame j is strictly
 * nearer to anchor i than frame k. Within one view j, k ≠ i; across views (`crossView`) j = i is
 * allowed, so the anchor's own frame in the other view is the nearest positive of all.
 * Constant per clip length, so built once.
 */
export function temporalTriplets(T: number, crossView = false): Float32Array {
  const w = new Float32Array(T * T * T);
  for (let i = 0; i < T; i++)
    for (let j = 0; j < T; j++)
      for (let k = 0; k < T; k++) if ((crossView || j !== i) && k !== i && Math.abs(i - j) < Math.abs(i - k)) w[(i * T + j) * T + k] = 1;
  return w;
}

/**
 * Li & Shan (2023) margin-based temporal contrast inside a clip: for each anchor frame i, a
 * nearer frame j must be more similar to it than a farther frame k by at least `margin`
 * (cosine similarity): mean over such triplets of max(0, margin − s(i,j) + s(i,k)).
 * z: [B,T,D] anchors; `other` [B,T,D], when given, holds the candidates j, k (the clip's other
 * augmented view, which makes every frame distinct from the rest of its clip: its own frame in
 * the other view must beat them all). mask [B,T] drops triplets that touch a faceless frame.
 */
export function temporalMargin(z: tfjs.Tensor3D, margin: number, mask?: tfjs.Tensor2D, other?: tfjs.Tensor3D): tfjs.Scalar {
  return tf.tidy(() => {
    const [B, T] = z.shape;
    if (T < (other ? 2 : 3)) return tf.scalar(0);
    const n = l2normalize(z) as tfjs.Tensor3D;
    const m = other ? (l2normalize(other) as tfjs.Tensor3D) : n;
    const s = tf.matMul(n, m, false, true); // [B,T,T]
    const diff = tf.sub(tf.expandDims(s, 3), tf.expandDims(s, 2)); // s(i,j) − s(i,k): [B,T,T,T]
    const hinge = tf.relu(tf.sub(margin, diff));
    let w: tfjs.Tensor = tf.tensor(temporalTriplets(T, !!other), [1, T, T, T]);
    if (mask) {
      const mi = tf.reshape(mask, [B, T, 1, 1]);
      const mj = tf.reshape(mask, [B, 1, T, 1]);
      const mk = tf.reshape(mask, [B, 1, 1, T]);
      w = tf.mul(w, tf.mul(mi, tf.mul(mj, mk)));
    } else {
      w = tf.tile(w, [B, 1, 1, 1]);
    }
    return tf.div(tf.sum(tf.mul(hinge, w)), tf.maximum(tf.sum(w), 1)) as tfjs.Scalar;
  });
}

/**
 * Mean squared error over the labelled entries only: mask [B,T,A] is 1 at labelled frames ×
 * labelled AUs, 0 elsewhere. Unlabelled outputs are multiplied by 0 before the sum, so they
 * receive exactly zero gradient: backpropagation through time starts only at labelled outputs.
 */
export function maskedMse(pred: tfjs.Tensor, target: tfjs.Tensor, mask: tfjs.Tensor): tfjs.Scalar {
  return tf.tidy(() => {
    const d = tf.mul(tf.sub(pred, target), mask);
    return tf.div(tf.sum(tf.square(d)), tf.maximum(tf.sum(mask), 1)) as tfjs.Scalar;
  });
}
