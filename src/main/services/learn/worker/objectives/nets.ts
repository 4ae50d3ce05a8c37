/**
 * Small trainable pieces shared by the auxiliary objectives (issue 6): dense layers and a
 * convolutional decoder from a feature vector to an S×S×1 image. They live only in
 * pretraining: the objectives own them, the trainer saves them under obj/<kind>/…, and
 * inference never builds them (the backbone alone is kept in the model file).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from '../tfjs';
import { hashString } from '../../../../../shared/rng';

let instances = 0;

/** A named set of variables with He/Glorot initialisation; names are unique per instance. */
export class VarSet {
  readonly vars = new Map<string, tfjs.Variable>();
  private readonly prefix: string;
  constructor(
    kind: string,
    private readonly seed = 1,
  ) {
    this.prefix = `auwobj${++instances}/${kind}/`;
  }
  add(name: string, shape: number[], fanIn: number, init: 'he' | 'glorot' | 'zeros' = 'he', gain = 1): tfjs.Variable {
    const s = (this.seed * 7919 + hashString(name)) % 2147483647;
    const fanOut = shape[shape.length - 1]!;
    const std = init === 'he' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
    const value = init === 'zeros' ? tf.zeros(shape) : tf.truncatedNormal(shape, 0, gain * std, 'float32', s);
    const v = tf.variable(value, true, this.prefix + name);
    value.dispose();
    this.vars.set(name, v);
    return v;
  }
  get(name: string): tfjs.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no variable ${name}`);
    return v;
  }
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

export function dense(x: tfjs.Tensor2D, w: tfjs.Tensor, b?: tfjs.Tensor): tfjs.Tensor2D {
  const y = tf.matMul(x, w as tfjs.Tensor2D);
  return (b ? tf.add(y, b) : y) as tfjs.Tensor2D;
}

/** Nearest-neighbour ×2 upsampling written with reshape and broadcast (gradients on every backend). */
export function upsample2(x: tfjs.Tensor4D): tfjs.Tensor4D {
  const [n, h, w, c] = x.shape;
  const y = tf.mul(tf.reshape(x, [n, h, 1, w, 1, c]), tf.ones([1, 1, 2, 1, 2, 1]));
  return tf.reshape(y, [n, 2 * h, 2 * w, c]) as tfjs.Tensor4D;
}

/**
 * Decoder: dense → s0×s0×C0 → (×2 upsample, 3×3 conv, ReLU) per level → 3×3 conv to one
 * channel, in the network's input units ((gray − 0.5) / 0.25). s0 = S / 2^levels with as many
 * levels (≤ 3) as S divides by.
 */
export class ConvDecoder {
  readonly levels: number;
  readonly base: number;
  private readonly chans: number[];
  constructor(
    private readonly set: VarSet,
    readonly inDim: number,
    readonly size: number,
    width = 32,
  ) {
    let levels = 0;
    while (levels < 3 && size % 2 ** (levels + 1) === 0 && size / 2 ** (levels + 1) >= 2) levels++;
    this.levels = levels;
    this.base = size / 2 ** levels;
    this.chans = [width];
    for (let l = 0; l < levels; l++) this.chans.push(Math.max(8, this.chans[l]! >> 1));
    set.add('dec/fc/w', [inDim, this.base * this.base * width], inDim);
    set.add('dec/fc/b', [this.base * this.base * width], 1, 'zeros');
    for (let l = 0; l < levels; l++) {
      set.add(`dec/up${l}/w`, [3, 3, this.chans[l]!, this.chans[l + 1]!], 9 * this.chans[l]!);
      set.add(`dec/up${l}/b`, [this.chans[l + 1]!], 1, 'zeros');
    }
    set.add('dec/out/w', [3, 3, this.chans[levels]!, 1], 9 * this.chans[levels]!, 'glorot');
    set.add('dec/out/b', [1], 1, 'zeros');
  }
  /** z [N,D] → images [N,S,S,1]. */
  decode(z: tfjs.Tensor2D): tfjs.Tensor4D {
    const s = this.set;
    const n = z.shape[0];
    let y = tf.reshape(tf.relu(dense(z, s.get('dec/fc/w'), s.get('dec/fc/b'))), [n, this.base, this.base, this.chans[0]!]) as tfjs.Tensor4D;
    for (let l = 0; l < this.levels; l++) {
      y = upsample2(y);
      y = tf.relu(tf.add(tf.conv2d(y, s.get(`dec/up${l}/w`) as tfjs.Tensor4D, 1, 'same'), s.get(`dec/up${l}/b`))) as tfjs.Tensor4D;
    }
    return tf.add(tf.conv2d(y, s.get('dec/out/w') as tfjs.Tensor4D, 1, 'same'), s.get('dec/out/b')) as tfjs.Tensor4D;
  }
}

/**
 * View 1's per-frame encoder features [B,T,F] (single-frame: no temporal context). Taken from
 * the batch when the trainer exposes them, else encoded here.
 */
export function frameFeatures(
  model: { encodeFrames(x: tfjs.Tensor4D): tfjs.Tensor2D; config: { featureDim: number } },
  clips: tfjs.Tensor5D,
  B: number,
  f?: tfjs.Tensor3D,
): tfjs.Tensor3D {
  const [, T, S] = clips.shape;
  if (f) return tf.slice(f, [0, 0, 0], [B, T, f.shape[2]]);
  const v1 = tf.slice(clips, [0, 0, 0, 0, 0], [B, T, S, S, 1]);
  return tf.reshape(model.encodeFrames(tf.reshape(v1, [B * T, S, S, 1]) as tfjs.Tensor4D), [B, T, model.config.featureDim]) as tfjs.Tensor3D;
}
