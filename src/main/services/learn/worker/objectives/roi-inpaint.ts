/**
 * WSRTL (2022) (a): RoI inpainting. Pretraining only.
 *
 * Region centres. The stored crops are aligned: ingest warps each frame by the similarity that
 * maps its stable landmarks onto the canonical 68-point template (media/template.ts), so in
 * every crop the AU regions sit at the template's positions up to the face's own expression
 * and the clip's augmentation (a few pixels of shift/scale/rotation). We therefore place
 * patches at the template's region centres × S, jittered by ±patch/4 — rather than re-reading
 * each frame's 68 source-pixel landmarks and its image→crop transform, which the training
 * batch does not carry and which would only move the centres by those same few pixels.
 * Regions: both brows (inner/mid brow), both eyes, nose tip, both mouth corners, chin/lower lip.
 *
 * Per step, view 1's frames x [N,S,S,1] (N = B·T) get `patches` square patches of side
 * round(size·S), each centred on a random region; M = 1 inside a patch. The masked frame
 * x·(1−M) (0 = mid-gray in input units) goes through the per-frame encoder, and a small conv
 * decoder reconstructs the image:
 *   loss = Σ M·w·(D(enc(x·(1−M))) − x)² / Σ M·w,   w = 1 on frames with a face,
 * so only masked pixels count.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from '../tfjs';
import { maskedMse } from '../losses';
import type { AuModel } from '../model';
import type { CreateObjective, Objective, PretrainBatch } from '../../objectives/types';
import { Rng } from '../../../../../shared/rng';
import { CANONICAL_68 } from '../../../media/template';
import { ConvDecoder, VarSet } from './nets';

const mean = (idx: number[]) => {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += CANONICAL_68[2 * i]!;
    y += CANONICAL_68[2 * i + 1]!;
  }
  return [x / idx.length, y / idx.length] as [number, number];
};

/** AU region centres in unit crop coordinates (iBUG 68 indices). */
export const AU_REGIONS: { name: string; at: [number, number] }[] = [
  { name: 'left brow', at: mean([18, 19, 20]) },
  { name: 'right brow', at: mean([23, 24, 25]) },
  { name: 'left eye', at: mean([36, 37, 38, 39, 40, 41]) },
  { name: 'right eye', at: mean([42, 43, 44, 45, 46, 47]) },
  { name: 'nose', at: mean([30, 31, 35]) },
  { name: 'left mouth corner', at: mean([48]) },
  { name: 'right mouth corner', at: mean([54]) },
  { name: 'chin', at: mean([57, 8]) },
];

/** Patch mask [n,S,S] (1 = masked): `patches` squares of side `side` px per frame at jittered region centres. */
export function roiMask(n: number, S: number, patches: number, side: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * S * S);
  const half = side / 2;
  for (let f = 0; f < n; f++) {
    for (let p = 0; p < patches; p++) {
      const r = AU_REGIONS[rng.int(AU_REGIONS.length)]!;
      const cx = r.at[0] * S + rng.uniform(-side / 4, side / 4);
      const cy = r.at[1] * S + rng.uniform(-side / 4, side / 4);
      const x0 = Math.max(0, Math.round(cx - half));
      const y0 = Math.max(0, Math.round(cy - half));
      const x1 = Math.min(S, x0 + side);
      const y1 = Math.min(S, y0 + side);
      for (let y = y0; y < y1; y++) out.fill(1, f * S * S + y * S + x0, f * S * S + y * S + x1);
    }
  }
  return out;
}

export class RoiInpaint implements Objective {
  readonly kind = 'roi-inpaint';
  private readonly set = new VarSet('roi-inpaint', 2);
  private readonly decoder: ConvDecoder;
  private readonly rng: Rng;
  constructor(
    private readonly p: Record<string, number>,
    model: AuModel,
  ) {
    this.decoder = new ConvDecoder(this.set, model.config.featureDim, model.config.inputSize);
    this.rng = new Rng(p.seed! >>> 0 || 1);
  }
  get variables(): Map<string, tfjs.Variable> {
    return this.set.vars;
  }
  /** Reconstruction of masked frames x [N,S,S,1] from the encoder features. */
  inpaint(model: AuModel, x: tfjs.Tensor4D, m: tfjs.Tensor4D): tfjs.Tensor4D {
    return this.decoder.decode(model.encodeFrames(tf.mul(x, tf.sub(1, m))));
  }
  loss(batch: PretrainBatch): tfjs.Scalar {
    const { model, clips, mask } = batch;
    const [B, T] = mask.shape;
    const S = clips.shape[2];
    const N = B * T;
    const x = tf.reshape(tf.slice(clips, [0, 0, 0, 0, 0], [B, T, S, S, 1]), [N, S, S, 1]) as tfjs.Tensor4D;
    const side = Math.max(2, Math.round(this.p.size! * S));
    const m = tf.tensor4d(roiMask(N, S, this.p.patches!, side, this.rng), [N, S, S, 1]);
    const w = tf.mul(m, tf.reshape(mask, [N, 1, 1, 1]));
    return maskedMse(this.inpaint(model, x, m), x, w);
  }
  dispose(): void {
    this.set.dispose();
  }
}

export const createRoiInpaint: CreateObjective = (p, model) => new RoiInpaint(p, model);
