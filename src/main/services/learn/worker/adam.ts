/**
 * Adam (with decoupled weight decay and global-norm clipping) keyed by the model's logical
 * variable names. tf.train.adam keeps its moments in a list indexed by call order and names
 * them after tf's (instance-prefixed) variable names, which breaks both switching variable
 * sets between phases and restoring into a fresh process; this one has neither problem.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { tf } from './tfjs';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
  /** Clip the global gradient norm to this (0 = no clipping). */
  clipNorm?: number;
}

export interface AdamState {
  step: number;
  moments: Map<string, { m: tfjs.Tensor; v: tfjs.Tensor }>;
}

export class Adam {
  step = 0;
  private readonly moments = new Map<string, { m: tfjs.Variable; v: tfjs.Variable }>();
  lr: number;

  constructor(private readonly o: AdamOptions) {
    this.lr = o.lr;
  }

  /**
   * Applies one update. `grads` is keyed by logical name; `vars` maps those names to the
   * variables to update. Returns the global gradient norm before clipping.
   */
  apply(vars: ReadonlyMap<string, tfjs.Variable>, grads: ReadonlyMap<string, tfjs.Tensor>): number {
    const b1 = this.o.beta1 ?? 0.9;
    const b2 = this.o.beta2 ?? 0.999;
    const eps = this.o.epsilon ?? 1e-8;
    const wd = this.o.weightDecay ?? 0;
    this.step += 1;
    const bc1 = 1 - b1 ** this.step;
    const bc2 = 1 - b2 ** this.step;
    const normT = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))));
    const norm = normT.dataSync()[0]!;
    normT.dispose();
    const clip = this.o.clipNorm && norm > this.o.clipNorm ? this.o.clipNorm / norm : 1;
    tf.tidy(() => {
      for (const [name, g0] of grads) {
        const variable = vars.get(name);
        if (!variable) throw new Error(`Adam: no variable ${name}`);
        let slot = this.moments.get(name);
        if (!slot) {
          slot = { m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) };
          this.moments.set(name, slot);
        }
        const g = clip === 1 ? g0 : tf.mul(g0, clip);
        const m = tf.add(tf.mul(slot.m, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(slot.v, b2), tf.mul(tf.square(g), 1 - b2));
        slot.m.assign(m);
        slot.v.assign(v);
        let update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        // Decoupled decay on weight matrices only (biases and norm scales stay free).
        if (wd > 0 && variable.rank > 1) update = tf.add(update, tf.mul(variable, wd));
        variable.assign(tf.sub(variable, tf.mul(update, this.lr)));
      }
    });
    return norm;
  }

  /** The state to checkpoint (tensors are the live ones: read, don't dispose). */
  state(): AdamState {
    return { step: this.step, moments: new Map([...this.moments].map(([k, s]) => [k, { m: s.m, v: s.v }])) };
  }

  restore(state: AdamState): void {
    this.dispose();
    this.step = state.step;
    for (const [name, s] of state.moments) this.moments.set(name, { m: tf.variable(s.m, false), v: tf.variable(s.v, false) });
  }

  dispose(): void {
    for (const s of this.moments.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.moments.clear();
  }
}
