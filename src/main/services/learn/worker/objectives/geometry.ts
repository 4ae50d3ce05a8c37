/**
 * Landmark motion: multi-task learning of the face's geometry next to the AUs, as JAA-Net
 * (Shao et al., ECCV 2018) learns face alignment jointly with AU detection. The targets cost no
 * labelling: ingest already tracked 68 landmarks in every frame.
 *
 * Target. Each frame's landmarks mapped into its aligned crop, minus the video's per-coordinate
 * median shape (data.ts videoGeometry), seen through the clip's augmentation (viewDisplacement),
 * in units of 1/32 of the crop side. What is left is how the face moved away from its usual
 * (mostly neutral) shape: brows up, lip corners out, jaw down — the movements FACS defines AUs
 * by — and nothing of who the person is or where the head was.
 *
 * Prediction. A linear head (F → 136) on the frame's temporal features h, so the features the
 * AU head will read must hold the movement linearly:
 *   loss = Σ_{b,t} face·|W·h[b,t] + c − d[b,t]|² / (136 · Σ face).
 * The head is pretraining-only (saved under obj/geometry/).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from '../tfjs';
import { GEOMETRY_DIM } from '../../data';
import type { AuModel } from '../model';
import type { CreateObjective, Objective, PretrainBatch } from '../../objectives/types';
import { VarSet, dense } from './nets';

/** Masked mean squared error of predicted vs target displacements [N,D], mask [N]. */
export function geometryLoss(pred: tfjs.Tensor2D, target: tfjs.Tensor2D, mask: tfjs.Tensor1D): tfjs.Scalar {
  return tf.tidy(() => {
    const se = tf.sum(tf.square(tf.sub(pred, target)), 1);
    const n = tf.maximum(tf.sum(mask), 1);
    return tf.div(tf.sum(tf.mul(se, mask)), tf.mul(n, target.shape[1])) as tfjs.Scalar;
  });
}

/** The linear landmark-motion head and its loss; pretraining's objective and finetuning's multi-task term. */
export class GeometryHead {
  readonly set: VarSet;
  constructor(featureDim: number) {
    this.set = new VarSet('geometry', 1);
    this.set.add('w', [featureDim, GEOMETRY_DIM], featureDim, 'glorot');
    this.set.add('b', [GEOMETRY_DIM], 1, 'zeros');
  }
  /** Loss over temporal features h [N,T,F] against targets [N,T,136] where mask [N,T] is 1. */
  loss(h3: tfjs.Tensor3D, target3: tfjs.Tensor3D, mask2: tfjs.Tensor2D): tfjs.Scalar {
    const [N, T, F] = h3.shape;
    const h = tf.reshape(h3, [N * T, F]) as tfjs.Tensor2D;
    const pred = dense(h, this.set.get('w'), this.set.get('b'));
    const target = tf.reshape(target3, [N * T, GEOMETRY_DIM]) as tfjs.Tensor2D;
    return geometryLoss(pred, target, tf.reshape(mask2, [N * T]) as tfjs.Tensor1D);
  }
  dispose(): void {
    this.set.dispose();
  }
}

class Geometry implements Objective {
  readonly kind = 'geometry';
  private readonly head: GeometryHead;
  constructor(model: AuModel) {
    this.head = new GeometryHead(model.config.featureDim);
  }
  get variables(): Map<string, tfjs.Variable> {
    return this.head.set.vars;
  }
  loss(batch: PretrainBatch): tfjs.Scalar {
    if (!batch.geometry) throw new Error('The geometry objective needs landmark targets in the batch.');
    return this.head.loss(batch.h, batch.geometry.target, batch.geometry.mask);
  }
  dispose(): void {
    this.head.dispose();
  }
}

export const createGeometry: CreateObjective = (_p, model) => new Geometry(model);
