/**
 * The spatio-temporal network, written as plain functions over named tf.Variables rather than
 * tf.layers: training needs per-group variable lists (head-only, then everything), losses at a
 * sparse set of outputs, and checkpoints we write ourselves (tfjs has no file IO handler
 * without tfjs-node). Names are logical ('enc/b0c0/w'); each instance prefixes them so two
 * models can live in one process (tf's variable registry is global).
 *
 *   clip [B,T,S,S,1] → per-frame CNN encoder → [B,T,F] → temporal module (residual) → h [B,T,F]
 *   h → projection head → [B,T,P]   (contrastive pretraining only)
 *   h → regression head → 5·sigmoid → [B,T,A]   (AU intensities 0–5)
 */
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from './tfjs';
import type { ModelConfig } from '../config';
import { hashString } from '../../../../shared/rng';
import { GEOMETRY_DIM } from '../data';

export type VarGroup = 'enc' | 'tmp' | 'proj' | 'head';
export const BACKBONE: readonly VarGroup[] = ['enc', 'tmp'];

let instances = 0;

export interface ForwardOut {
  /** Per-frame temporal features [B,T,F]. */
  h: tfjs.Tensor3D;
}

export class AuModel {
  readonly vars = new Map<string, tfjs.Variable>();
  private readonly prefix: string;

  constructor(
    readonly config: ModelConfig,
    seed = 1,
  ) {
    validateModelConfig(config);
    this.prefix = `auw${++instances}/`;
    const c = config;
    const F = c.featureDim;
    let cin = 1;
    c.channels.forEach((cout, b) => {
      for (let k = 0; k < c.convsPerBlock; k++) {
        const n = `enc/b${b}c${k}`;
        this.add(`${n}/w`, [3, 3, cin, cout], seed, 'he', 9 * cin);
        this.add(`${n}/b`, [cout], seed, 'zeros');
        if (c.norm === 'group') {
          this.add(`${n}/gamma`, [cout], seed, 'ones');
          this.add(`${n}/beta`, [cout], seed, 'zeros');
        }
        cin = cout;
      }
    });
    const pooled = pooledSize(c);
    this.add('enc/fc/w', [pooled, F], seed, 'he', pooled);
    this.add('enc/fc/b', [F], seed, 'zeros');
    const U = c.landmarkUnits ?? 0;
    if (U > 0) {
      this.add('enc/lm/w1', [GEOMETRY_DIM, U], seed, 'he', GEOMETRY_DIM);
      this.add('enc/lm/b1', [U], seed, 'zeros');
      this.add('enc/lm/w2', [U, F], seed, 'he', U, 0.5);
    }
    const t = c.temporal;
    for (let l = 0; l < t.layers; l++) {
      const n = `tmp/l${l}`;
      if (t.kind === 'tcn') {
        // Small init on the residual branch: the module starts close to identity.
        this.add(`${n}/w`, [t.kernel * F, F], seed, 'he', t.kernel * F, 0.5);
        this.add(`${n}/b`, [F], seed, 'zeros');
      } else if (t.kind === 'gru') {
        this.add(`${n}/wx`, [F, 3 * F], seed, 'glorot', F);
        this.add(`${n}/wh`, [F, 3 * F], seed, 'glorot', F);
        this.add(`${n}/b`, [3 * F], seed, 'zeros');
      } else if (t.kind === 'attn') {
        for (const m of ['q', 'k', 'v', 'o']) this.add(`${n}/${m}`, [F, F], seed, 'glorot', F);
        this.add(`${n}/ln1/g`, [F], seed, 'ones');
        this.add(`${n}/ln1/b`, [F], seed, 'zeros');
        this.add(`${n}/ln2/g`, [F], seed, 'ones');
        this.add(`${n}/ln2/b`, [F], seed, 'zeros');
        this.add(`${n}/ff1/w`, [F, 2 * F], seed, 'he', F);
        this.add(`${n}/ff1/b`, [2 * F], seed, 'zeros');
        this.add(`${n}/ff2/w`, [2 * F, F], seed, 'he', 2 * F, 0.5);
        this.add(`${n}/ff2/b`, [F], seed, 'zeros');
      }
    }
    if (t.kind === 'attn' && t.layers > 0) this.add('tmp/pos', [c.clipLength, F], seed, 'normal', 1, 0.02);
    this.add('proj/l1/w', [F, F], seed, 'he', F);
    this.add('proj/l1/b', [F], seed, 'zeros');
    this.add('proj/l2/w', [F, c.projDim], seed, 'glorot', F);
    this.add('head/w', [F, c.aus.length], seed, 'glorot', F, 0.5);
    // Most frames of most AUs are 0: start the outputs near a low intensity (5·sigmoid(-2.5) ≈ 0.38).
    this.add('head/b', [c.aus.length], seed, 'const', 1, -2.5);
  }

  private add(name: string, shape: number[], seed: number, init: 'he' | 'glorot' | 'zeros' | 'ones' | 'normal' | 'const', fanIn = 1, gain = 1): void {
    const s = (seed * 7919 + hashString(name)) % 2147483647;
    const value = tf.tidy(() => {
      switch (init) {
        case 'zeros':
          return tf.zeros(shape);
        case 'ones':
          return tf.ones(shape);
        case 'const':
          return tf.fill(shape, gain);
        case 'normal':
          return tf.randomNormal(shape, 0, gain, 'float32', s);
        case 'he':
          return tf.truncatedNormal(shape, 0, gain * Math.sqrt(2 / fanIn), 'float32', s);
        case 'glorot': {
          const fanOut = shape[shape.length - 1]!;
          return tf.truncatedNormal(shape, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), 'float32', s);
        }
      }
    });
    this.vars.set(name, tf.variable(value, true, this.prefix + name));
    value.dispose();
  }

  private v(name: string): tfjs.Variable {
    const found = this.vars.get(name);
    if (!found) throw new Error(`model has no variable ${name}`);
    return found;
  }

  /** Variables of the given groups, in a stable order. */
  variables(groups: readonly VarGroup[] = ['enc', 'tmp', 'proj', 'head']): tfjs.Variable[] {
    return [...this.vars.entries()].filter(([n]) => groups.some((g) => n.startsWith(`${g}/`))).map(([, v]) => v);
  }

  /** Logical name of one of this model's variables (tf's name carries the instance prefix). */
  logicalName(v: tfjs.Variable): string {
    return v.name.startsWith(this.prefix) ? v.name.slice(this.prefix.length) : v.name;
  }

  parameterCount(groups?: readonly VarGroup[]): number {
    return this.variables(groups).reduce((n, v) => n + v.size, 0);
  }

  /** Whether the network also reads each frame's landmarks (config.landmarkUnits). */
  get readsLandmarks(): boolean {
    return (this.config.landmarkUnits ?? 0) > 0;
  }

  /** Per-frame features of a batch of frames [N,S,S,1] (and their landmark displacements [N,136]) → [N,F]. */
  encodeFrames(x: tfjs.Tensor4D, landmarks?: tfjs.Tensor2D): tfjs.Tensor2D {
    const c = this.config;
    let y: tfjs.Tensor4D = x;
    c.channels.forEach((cout, b) => {
      for (let k = 0; k < c.convsPerBlock; k++) {
        const n = `enc/b${b}c${k}`;
        y = tf.conv2d(y, this.v(`${n}/w`) as tfjs.Tensor4D, k === 0 ? 2 : 1, 'same');
        y = tf.add(y, this.v(`${n}/b`));
        if (c.norm === 'group') y = groupNorm(y, this.v(`${n}/gamma`), this.v(`${n}/beta`), groupsFor(cout));
        y = tf.relu(y);
      }
    });
    const pooled = (c.pool === 'flatten' ? tf.reshape(y, [y.shape[0], -1]) : tf.mean(y, [1, 2])) as tfjs.Tensor2D;
    let pre = tf.add(tf.matMul(pooled, this.v('enc/fc/w') as tfjs.Tensor2D), this.v('enc/fc/b')) as tfjs.Tensor2D;
    if (this.readsLandmarks) {
      if (!landmarks) throw new Error('This network reads landmarks beside the crops: open the crops with their geometry.');
      const h = tf.relu(tf.add(tf.matMul(landmarks, this.v('enc/lm/w1') as tfjs.Tensor2D), this.v('enc/lm/b1'))) as tfjs.Tensor2D;
      pre = tf.add(pre, tf.matMul(h, this.v('enc/lm/w2') as tfjs.Tensor2D));
    }
    return tf.relu(pre) as tfjs.Tensor2D;
  }

  /** Temporal module over per-frame features [B,T,F] → [B,T,F] (residual). */
  temporal(f: tfjs.Tensor3D): tfjs.Tensor3D {
    const t = this.config.temporal;
    let h = f;
    for (let l = 0; l < t.layers; l++) {
      const n = `tmp/l${l}`;
      if (t.kind === 'tcn') h = tf.add(h, tf.relu(temporalConv(h, this.v(`${n}/w`) as tfjs.Tensor2D, this.v(`${n}/b`), t.kernel, 2 ** l)));
      else if (t.kind === 'gru') h = tf.add(h, gru(h, this.v(`${n}/wx`) as tfjs.Tensor2D, this.v(`${n}/wh`) as tfjs.Tensor2D, this.v(`${n}/b`)));
      else if (t.kind === 'attn') {
        if (l === 0) h = tf.add(h, tf.slice(this.v('tmp/pos'), [0, 0], [h.shape[1], -1]));
        h = tf.add(h, selfAttention(layerNorm(h, this.v(`${n}/ln1/g`), this.v(`${n}/ln1/b`)), this.v(`${n}/q`), this.v(`${n}/k`), this.v(`${n}/v`), this.v(`${n}/o`)));
        const z = layerNorm(h, this.v(`${n}/ln2/g`), this.v(`${n}/ln2/b`));
        h = tf.add(h, dense3(tf.relu(dense3(z, this.v(`${n}/ff1/w`), this.v(`${n}/ff1/b`))), this.v(`${n}/ff2/w`), this.v(`${n}/ff2/b`)));
      }
    }
    return h;
  }

  /** Clips [B,T,S,S,1] (and their landmark displacements [B,T,136]) → temporal features [B,T,F]. */
  forward(clips: tfjs.Tensor5D, landmarks?: tfjs.Tensor3D): tfjs.Tensor3D {
    const [B, T, S] = clips.shape;
    const frames = tf.reshape(clips, [B * T, S, S, 1]) as tfjs.Tensor4D;
    const lm = landmarks ? (tf.reshape(landmarks, [B * T, GEOMETRY_DIM]) as tfjs.Tensor2D) : undefined;
    const f = tf.reshape(this.encodeFrames(frames, lm), [B, T, this.config.featureDim]) as tfjs.Tensor3D;
    return this.temporal(f);
  }

  /** Projection for the contrastive objectives [B,T,F] → [B,T,P] (not normalised). */
  project(h: tfjs.Tensor3D): tfjs.Tensor3D {
    const z = tf.relu(dense3(h, this.v('proj/l1/w'), this.v('proj/l1/b')));
    return dense3(z, this.v('proj/l2/w'));
  }

  /** AU intensities in 0..5, [B,T,F] → [B,T,A]. */
  regress(h: tfjs.Tensor3D): tfjs.Tensor3D {
    return tf.mul(5, tf.sigmoid(dense3(h, this.v('head/w'), this.v('head/b'))));
  }

  /** Copies another model's variables of the given groups (e.g. a pretrained backbone). */
  copyFrom(values: ReadonlyMap<string, tfjs.Tensor>, groups: readonly VarGroup[]): string[] {
    const copied: string[] = [];
    for (const [name, v] of this.vars) {
      if (!groups.some((g) => name.startsWith(`${g}/`))) continue;
      const src = values.get(name);
      if (!src) continue;
      if (src.shape.join('x') !== v.shape.join('x')) throw new Error(`${name}: pretrained shape ${src.shape.join('x')} does not fit ${v.shape.join('x')}`);
      v.assign(src);
      copied.push(name);
    }
    return copied;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

export function validateModelConfig(c: ModelConfig): void {
  const bad = (m: string) => {
    throw new Error(`Invalid model settings: ${m}`);
  };
  if (!c.channels.length || c.channels.some((n) => !Number.isInteger(n) || n < 1)) bad('channels must be positive integers');
  if (c.inputSize < 2 ** c.channels.length) bad(`a ${c.inputSize}-pixel crop cannot go through ${c.channels.length} stride-2 blocks`);
  if (!c.aus.length) bad('the AU set is empty');
  if (c.clipLength < 1) bad('clip length must be at least 1');
  if (c.temporal.kind === 'tcn' && c.temporal.kernel % 2 !== 1) bad('the temporal kernel must be odd');
  if (c.convsPerBlock < 1) bad('at least one convolution per block');
}

/** Side of the encoder's last feature map ('same' padding, stride 2 per block). */
function finalSide(c: ModelConfig): number {
  let side = c.inputSize;
  for (let b = 0; b < c.channels.length; b++) side = Math.ceil(side / 2);
  return side;
}

/** Length of the pooled vector the encoder's dense layer reads. */
function pooledSize(c: ModelConfig): number {
  const ch = c.channels[c.channels.length - 1]!;
  return c.pool === 'flatten' ? finalSide(c) ** 2 * ch : ch;
}

function groupsFor(c: number): number {
  for (const g of [8, 4, 2]) if (c % g === 0 && c / g >= 2) return g;
  return 1;
}

/** Group normalisation: per sample and channel group, so train and inference behave the same. */
function groupNorm(x: tfjs.Tensor4D, gamma: tfjs.Tensor, beta: tfjs.Tensor, groups: number): tfjs.Tensor4D {
  const [n, h, w, c] = x.shape;
  const g = tf.reshape(x, [n, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  const norm = tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, 1e-5))), [n, h, w, c]) as tfjs.Tensor4D;
  return tf.add(tf.mul(norm, gamma), beta);
}

function layerNorm(x: tfjs.Tensor3D, g: tfjs.Tensor, b: tfjs.Tensor): tfjs.Tensor3D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/** Dense layer applied to every frame of [B,T,In] (one matmul over B·T rows). */
export function dense3(x: tfjs.Tensor3D, w: tfjs.Tensor, b?: tfjs.Tensor): tfjs.Tensor3D {
  const [B, T, I] = x.shape;
  const out = w.shape[1]!;
  let y = tf.matMul(tf.reshape(x, [B * T, I]) as tfjs.Tensor2D, w as tfjs.Tensor2D);
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [B, T, out]) as tfjs.Tensor3D;
}

/**
 * A 'same'-padded temporal convolution written as shifted slices plus one matmul. tfjs has no
 * gradient for dilated conv2d, and the matmul is wasm's fastest kernel anyway.
 */
export function temporalConv(h: tfjs.Tensor3D, w: tfjs.Tensor2D, b: tfjs.Tensor, kernel: number, dilation: number): tfjs.Tensor3D {
  const [B, T, F] = h.shape;
  const half = ((kernel - 1) / 2) * dilation;
  const padded = tf.pad(h, [[0, 0], [half, half], [0, 0]]);
  const taps: tfjs.Tensor3D[] = [];
  for (let k = 0; k < kernel; k++) taps.push(tf.slice(padded, [0, k * dilation, 0], [B, T, F]));
  const stacked = kernel === 1 ? taps[0]! : tf.concat(taps, 2);
  return dense3(stacked, w, b);
}

function gru(x: tfjs.Tensor3D, wx: tfjs.Tensor2D, wh: tfjs.Tensor2D, b: tfjs.Tensor): tfjs.Tensor3D {
  const [B, T, F] = x.shape;
  const xs = tf.unstack(dense3(x, wx, b), 1) as tfjs.Tensor2D[];
  const [whZR, whN] = tf.split(wh, [2 * F, F], 1) as [tfjs.Tensor2D, tfjs.Tensor2D];
  let h: tfjs.Tensor2D = tf.zeros([B, F]);
  const outs: tfjs.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const [xz, xr, xn] = tf.split(xs[t]!, 3, 1) as tfjs.Tensor2D[];
    const [hz, hr] = tf.split(tf.matMul(h, whZR), 2, 1) as tfjs.Tensor2D[];
    const z = tf.sigmoid(tf.add(xz!, hz!));
    const r = tf.sigmoid(tf.add(xr!, hr!));
    const n = tf.tanh(tf.add(xn!, tf.matMul(tf.mul(r, h), whN)));
    h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
    outs.push(h);
  }
  return tf.stack(outs, 1) as tfjs.Tensor3D;
}

function selfAttention(x: tfjs.Tensor3D, wq: tfjs.Tensor, wk: tfjs.Tensor, wv: tfjs.Tensor, wo: tfjs.Tensor): tfjs.Tensor3D {
  const F = x.shape[2];
  const q = dense3(x, wq);
  const k = dense3(x, wk);
  const v = dense3(x, wv);
  const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(F)));
  return dense3(tf.matMul(att, v) as tfjs.Tensor3D, wo);
}

/**
 * Multiply-adds ×2 of one frame's forward pass (encoder + its share of the temporal module and
 * heads). A training step costs about 3× forward (forward, input grads, weight grads).
 */
export function forwardFlopsPerFrame(c: ModelConfig, withProjection: boolean): number {
  let flops = 0;
  let side = c.inputSize;
  let cin = 1;
  for (const cout of c.channels) {
    for (let k = 0; k < c.convsPerBlock; k++) {
      if (k === 0) side = Math.ceil(side / 2);
      flops += 2 * side * side * 9 * cin * cout;
      cin = cout;
    }
  }
  const F = c.featureDim;
  flops += 2 * pooledSize(c) * F;
  const U = c.landmarkUnits ?? 0;
  flops += 2 * U * (GEOMETRY_DIM + F);
  const t = c.temporal;
  if (t.kind === 'tcn') flops += t.layers * 2 * t.kernel * F * F;
  if (t.kind === 'gru') flops += t.layers * 2 * 6 * F * F;
  if (t.kind === 'attn') flops += t.layers * (2 * 4 * F * F + 4 * c.clipLength * F + 2 * 4 * F * F);
  flops += withProjection ? 2 * F * F + 2 * F * c.projDim : 2 * F * c.aus.length;
  return flops;
}
