/**
 * WSRTL (2022) (b): optical flow from a single frame. Training only.
 *
 * Target. For consecutive frames (x_t, x_{t+1}) of view 1 of a clip — both frames of a view
 * share one augmentation draw, so the only change between them is the face's own motion — a
 * dense flow on a coarse G×G grid by Lucas–Kanade, computed in plain TS (no gradient): both
 * frames are smoothed with a [1 2 1]² kernel; for each grid cell, over a window of side 2·S/G
 * centred on the cell, the 2×2 structure tensor of x_t's gradients gives the flow
 * (u,v) = −A⁻¹·Σ(∇x_t · e), e = x_{t+1}(p + (u,v)) − x_t(p), refined by 3 warp iterations
 * (bilinear). Cells whose structure tensor is near-singular (flat texture) get (0,0) and
 * weight 0. Flow is in crop pixels. Being single-scale, it is meant for the small motions
 * between consecutive crops (a couple of pixels).
 *
 * Prediction. From frame t's per-frame encoder features alone (no temporal context) an
 * auxiliary MLP head F → 64 → G·G·2 predicts that grid:
 *   loss = Σ_{t, cell} w·|pred − flow|² / Σ w,  w = face(t)·face(t+1)·textured(cell).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from '../tfjs';
import type { AuModel } from '../model';
import type { CreateObjective, Objective, PretrainBatch } from '../../objectives/types';
import { VarSet, dense, frameFeatures } from './nets';

function smooth(src: ArrayLike<number>, off: number, S: number): Float32Array {
  const tmp = new Float32Array(S * S);
  const out = new Float32Array(S * S);
  const at = (x: number) => Math.min(S - 1, Math.max(0, x));
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) tmp[y * S + x] = 0.25 * src[off + y * S + at(x - 1)]! + 0.5 * src[off + y * S + x]! + 0.25 * src[off + y * S + at(x + 1)]!;
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) out[y * S + x] = 0.25 * tmp[at(y - 1) * S + x]! + 0.5 * tmp[y * S + x]! + 0.25 * tmp[at(y + 1) * S + x]!;
  return out;
}

function bilinear(img: Float32Array, S: number, x: number, y: number): number {
  const cx = Math.min(S - 1, Math.max(0, x));
  const cy = Math.min(S - 1, Math.max(0, y));
  const x0 = Math.min(S - 2, Math.floor(cx));
  const y0 = Math.min(S - 2, Math.floor(cy));
  const fx = cx - x0;
  const fy = cy - y0;
  const i = y0 * S + x0;
  return (1 - fy) * ((1 - fx) * img[i]! + fx * img[i + 1]!) + fy * ((1 - fx) * img[i + S]! + fx * img[i + S + 1]!);
}

/**
 * Lucas–Kanade flow from frame a to frame b (S×S each, at offsets aOff/bOff of their arrays)
 * on a G×G grid: returns flow [G,G,2] (dx, dy in pixels) and valid [G,G] (1 = textured cell).
 */
export function lucasKanadeGrid(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  S: number,
  G: number,
  aOff = 0,
  bOff = 0,
  iterations = 3,
): { flow: Float32Array; valid: Float32Array } {
  const A = smooth(a, aOff, S);
  const Bm = smooth(b, bOff, S);
  const gx = new Float32Array(S * S);
  const gy = new Float32Array(S * S);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      gx[y * S + x] = 0.5 * (A[y * S + Math.min(S - 1, x + 1)]! - A[y * S + Math.max(0, x - 1)]!);
      gy[y * S + x] = 0.5 * (A[Math.min(S - 1, y + 1) * S + x]! - A[Math.max(0, y - 1) * S + x]!);
    }
  const flow = new Float32Array(G * G * 2);
  const valid = new Float32Array(G * G);
  const cell = S / G;
  for (let cyI = 0; cyI < G; cyI++)
    for (let cxI = 0; cxI < G; cxI++) {
      const cx = (cxI + 0.5) * cell;
      const cy = (cyI + 0.5) * cell;
      const x0 = Math.max(1, Math.floor(cx - cell));
      const x1 = Math.min(S - 1, Math.ceil(cx + cell));
      const y0 = Math.max(1, Math.floor(cy - cell));
      const y1 = Math.min(S - 1, Math.ceil(cy + cell));
      let sxx = 0;
      let sxy = 0;
      let syy = 0;
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) {
          const i = y * S + x;
          sxx += gx[i]! * gx[i]!;
          sxy += gx[i]! * gy[i]!;
          syy += gy[i]! * gy[i]!;
        }
      const det = sxx * syy - sxy * sxy;
      const n = (x1 - x0) * (y1 - y0);
      // Near-singular: flat or one-directional texture (smaller eigenvalue too small).
      const tr = sxx + syy;
      const minEig = tr / 2 - Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
      if (minEig < 1e-3 * n) continue;
      let u = 0;
      let v = 0;
      for (let it = 0; it < iterations; it++) {
        let sxt = 0;
        let syt = 0;
        for (let y = y0; y < y1; y++)
          for (let x = x0; x < x1; x++) {
            const i = y * S + x;
            const e = bilinear(Bm, S, x + u, y + v) - A[i]!;
            sxt += gx[i]! * e;
            syt += gy[i]! * e;
          }
        u -= (syy * sxt - sxy * syt) / det;
        v -= (sxx * syt - sxy * sxt) / det;
      }
      const k = cyI * G + cxI;
      flow[2 * k] = u;
      flow[2 * k + 1] = v;
      valid[k] = 1;
    }
  return { flow, valid };
}

/** Masked squared error between predicted and target flow: Σ w·|p − t|² / Σ w (w per cell). */
export function flowLoss(pred: tfjs.Tensor, target: tfjs.Tensor, weight: tfjs.Tensor): tfjs.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(tf.sum(tf.square(tf.sub(pred, target)), -1), weight)), tf.maximum(tf.sum(weight), 1)) as tfjs.Scalar);
}

export class SingleFrameFlow implements Objective {
  readonly kind = 'flow';
  private readonly set = new VarSet('flow', 3);
  constructor(
    private readonly p: Record<string, number>,
    model: AuModel,
  ) {
    const F = model.config.featureDim;
    const G = p.grid!;
    this.set.add('h1/w', [F, 64], F);
    this.set.add('h1/b', [64], 1, 'zeros');
    this.set.add('out/w', [64, G * G * 2], 64, 'glorot');
    this.set.add('out/b', [G * G * 2], 1, 'zeros');
  }
  get variables(): Map<string, tfjs.Variable> {
    return this.set.vars;
  }
  /** Flow grid predicted from per-frame features [N,F] → [N,G,G,2]. */
  predict(f: tfjs.Tensor2D): tfjs.Tensor4D {
    const G = this.p.grid!;
    const y = dense(tf.relu(dense(f, this.set.get('h1/w'), this.set.get('h1/b'))), this.set.get('out/w'), this.set.get('out/b'));
    return tf.reshape(y, [f.shape[0], G, G, 2]) as tfjs.Tensor4D;
  }
  loss(batch: PretrainBatch): tfjs.Scalar {
    const { model, clips, mask } = batch;
    const [B, T] = mask.shape;
    if (T < 2) return tf.scalar(0);
    const S = clips.shape[2];
    const G = this.p.grid!;
    const F = model.config.featureDim;
    // Lucas–Kanade needs the face's texture, which reference-subtracted input has lost.
    const px = batch.pixels ?? clips.dataSync();
    const m = mask.dataSync();
    const n = B * (T - 1);
    const target = new Float32Array(n * G * G * 2);
    const weight = new Float32Array(n * G * G);
    const rows: number[] = [];
    let k = 0;
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T - 1; t++, k++) {
        rows.push(b * T + t);
        if (!m[b * T + t] || !m[b * T + t + 1]) continue;
        const { flow, valid } = lucasKanadeGrid(px, px, S, G, (b * T + t) * S * S, (b * T + t + 1) * S * S);
        target.set(flow, k * G * G * 2);
        weight.set(valid, k * G * G);
      }
    const f = tf.gather(tf.reshape(frameFeatures(model, clips, B, batch.f), [B * T, F]), rows) as tfjs.Tensor2D;
    return flowLoss(this.predict(f), tf.tensor4d(target, [n, G, G, 2]), tf.tensor3d(weight, [n, G, G]));
  }
  dispose(): void {
    this.set.dispose();
  }
}

export const createFlow: CreateObjective = (p, model) => new SingleFrameFlow(p, model);
