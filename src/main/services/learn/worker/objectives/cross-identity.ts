/**
 * Li & Shan (TIP 2023) (b): cross-identity reconstruction. Pretraining only.
 *
 * Let x[b,t] be view 1's frame t of clip b (B clips, T frames; identity of a clip = its video's
 * subject, else the video id), f = enc(x) its per-frame encoder features [F] (the backbone's
 * single-frame part), and two linear heads split f into an AU part a = f·Wa + ba [Da] and an
 * identity part i = f·Wi + bi [Di]. D(a, i) is a small conv decoder to an S×S×1 image.
 *
 *   L_rec  = mean over frames with faces of mean_pixels (D(a[b,t], i[b,t']) − x[b,t])²,
 *            t' = (t + ⌊T/2⌋) mod T: the identity part comes from ANOTHER frame of the same
 *            person, so it can only carry what is constant in the clip (who), and the AU part
 *            must carry what changes (the expression).
 *   L_cyc  = for each clip b with a partner clip p(b) of a different identity (the next clip in
 *            the batch, cyclically, whose identity differs; none → no term):
 *            x̃ = D(a[b,t], i[p(b),t]) (b's expression on p(b)'s face), re-encoded:
 *            ã, ĩ = heads(enc(x̃));  mean (1 − cos(ã, sg a[b,t])) + (1 − cos(ĩ, sg i[p(b),t])),
 *            sg = stop-gradient (the cycle must reproduce the codes, not move them).
 *   L_pull = mean over frames n of (1 − cos(a_n, a_m(n))), m(n) = the frame of a DIFFERENT
 *            identity whose AU part is nearest in cosine (chosen without gradient): AU parts of
 *            different people showing similar movements are pulled together.
 *   loss   = L_rec + cycle·L_cyc + pull·L_pull.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from '../tfjs';
import { l2normalize } from '../losses';
import type { AuModel } from '../model';
import type { CreateObjective, Objective, PretrainBatch } from '../../objectives/types';
import { personOf } from '../../../../../shared/people';
import { ConvDecoder, VarSet, dense, frameFeatures } from './nets';

/** A constant copy (tfjs has no stop-gradient op: a tensor made from the values has no gradient path). */
const detach = (t: tfjs.Tensor2D): tfjs.Tensor2D => tf.tensor2d(t.dataSync(), t.shape);

/** Identity of each clip: its person (the video's subject, else the video on its own). */
export function clipIdentities(subjects: readonly (string | null)[], videoIds: readonly number[]): string[] {
  return videoIds.map((id, i) => personOf({ id, subject: subjects[i] ?? null }));
}

/** For each clip, the next clip (cyclically) of a different identity, or null when all share one. */
export function crossPartners(ids: readonly string[]): (number | null)[] {
  const n = ids.length;
  return ids.map((id, b) => {
    for (let k = 1; k < n; k++) {
      const c = (b + k) % n;
      if (ids[c] !== id) return c;
    }
    return null;
  });
}

/** Cosine pull toward the nearest AU part of another identity. a [N,D]; ids per row; valid [N] 0/1. */
export function nearestPull(a: tfjs.Tensor2D, ids: readonly string[], valid?: ArrayLike<number>): tfjs.Scalar {
  return tf.tidy(() => {
    const N = a.shape[0];
    const n = l2normalize(a) as tfjs.Tensor2D;
    const sim = tf.matMul(n, n, false, true);
    const simVals = sim.dataSync();
    const target: number[] = [];
    const rows: number[] = [];
    for (let r = 0; r < N; r++) {
      if (valid && !valid[r]) continue;
      let best = -1;
      let bestSim = -Infinity;
      for (let c = 0; c < N; c++) {
        if (ids[c] === ids[r] || (valid && !valid[c])) continue;
        if (simVals[r * N + c]! > bestSim) {
          bestSim = simVals[r * N + c]!;
          best = c;
        }
      }
      if (best >= 0) {
        rows.push(r);
        target.push(best);
      }
    }
    if (!rows.length) return tf.scalar(0);
    const ra = tf.gather(n, rows);
    const ca = tf.gather(n, target);
    return tf.mean(tf.sub(1, tf.sum(tf.mul(ra, ca), 1))) as tfjs.Scalar;
  });
}

export class CrossIdentity implements Objective {
  readonly kind = 'cross-identity';
  private readonly set: VarSet;
  private readonly decoder: ConvDecoder;
  constructor(
    private readonly p: Record<string, number>,
    model: AuModel,
  ) {
    const F = model.config.featureDim;
    this.set = new VarSet(this.kind, 1);
    this.set.add('au/w', [F, p.auDim!], F, 'glorot');
    this.set.add('au/b', [p.auDim!], 1, 'zeros');
    this.set.add('id/w', [F, p.idDim!], F, 'glorot');
    this.set.add('id/b', [p.idDim!], 1, 'zeros');
    this.decoder = new ConvDecoder(this.set, p.auDim! + p.idDim!, model.config.inputSize);
  }
  get variables(): Map<string, tfjs.Variable> {
    return this.set.vars;
  }
  heads(f: tfjs.Tensor2D): { a: tfjs.Tensor2D; i: tfjs.Tensor2D } {
    return { a: dense(f, this.set.get('au/w'), this.set.get('au/b')), i: dense(f, this.set.get('id/w'), this.set.get('id/b')) };
  }
  decode(a: tfjs.Tensor2D, i: tfjs.Tensor2D): tfjs.Tensor4D {
    return this.decoder.decode(tf.concat([a, i], 1));
  }
  loss(batch: PretrainBatch): tfjs.Scalar {
    const { model, clips, mask } = batch;
    const [B, T] = mask.shape;
    const S = clips.shape[2];
    const F = model.config.featureDim;
    const N = B * T;
    const x = tf.reshape(tf.slice(clips, [0, 0, 0, 0, 0], [B, T, S, S, 1]), [N, S, S, 1]) as tfjs.Tensor4D;
    const f = tf.reshape(frameFeatures(model, clips, B, batch.f), [N, F]) as tfjs.Tensor2D;
    const { a, i } = this.heads(f);
    const m = mask.dataSync();
    const ids = clipIdentities(batch.subjects, batch.videoIds);

    // Self-reconstruction with the identity part of another frame of the same clip.
    const shift = Math.floor(T / 2);
    const other = Array.from({ length: N }, (_, n) => Math.floor(n / T) * T + ((n % T) + shift) % T);
    const recMask: number[] = Array.from({ length: N }, (_, n) => (m[n]! && m[other[n]!]! ? 1 : 0));
    const recon = this.decode(a, tf.gather(i, other));
    const w = tf.reshape(tf.tensor1d(recMask), [N, 1, 1, 1]);
    const lRec = tf.div(tf.sum(tf.mul(tf.square(tf.sub(recon, x)), w)), Math.max(1, recMask.reduce((s, v) => s + v, 0)) * S * S);

    // Cross-swap cycle.
    const partners = crossPartners(ids);
    const rows: number[] = [];
    const donors: number[] = [];
    for (let n = 0; n < N; n++) {
      const p = partners[Math.floor(n / T)];
      if (p === null || p === undefined) continue;
      const d = p * T + (n % T);
      if (m[n] && m[d]) {
        rows.push(n);
        donors.push(d);
      }
    }
    let lCyc: tfjs.Scalar = tf.scalar(0);
    if (rows.length && this.p.cycle! > 0) {
      const aSrc = tf.gather(a, rows);
      const iSrc = tf.gather(i, donors);
      const swapped = this.decode(aSrc, iSrc);
      const back = this.heads(model.encodeFrames(swapped));
      const cos = (u: tfjs.Tensor2D, v: tfjs.Tensor2D) => tf.sum(tf.mul(l2normalize(u), l2normalize(v)), 1);
      lCyc = tf.add(tf.mean(tf.sub(1, cos(back.a, detach(aSrc)))), tf.mean(tf.sub(1, cos(back.i, detach(iSrc))))) as tfjs.Scalar;
    }

    const frameIds = Array.from({ length: N }, (_, n) => ids[Math.floor(n / T)]!);
    const lPull = this.p.pull! > 0 ? nearestPull(a, frameIds, m) : tf.scalar(0);
    return tf.add(lRec, tf.add(tf.mul(lCyc, this.p.cycle!), tf.mul(lPull, this.p.pull!))) as tfjs.Scalar;
  }
  dispose(): void {
    this.set.dispose();
  }
}

export const createCrossIdentity: CreateObjective = (p, model) => new CrossIdentity(p, model);
