/**
 * Sliding-window inference plan and merge. A window is clipLength frames `stride` apart; for
 * stride s the video is read as s interleaved subsequences (phase 0, 1, …, s−1) so every frame
 * is covered, and windows slide by `hop` along each. Near the end a last window is aligned
 * with the final frame, and a subsequence shorter than one window repeats its last frame.
 * Each frame's prediction is the average over every window position it occupied.
 */

export interface Window {
  /** Frame index per window position (edge-replicated where the subsequence is short). */
  frames: number[];
  /** Positions 0..valid−1 are real; later ones repeat the last frame and are not merged. */
  valid: number;
}

export function planWindows(frameCount: number, clipLength: number, stride: number, hop: number): Window[] {
  if (frameCount <= 0) return [];
  const T = clipLength;
  const step = Math.max(1, Math.min(T, Math.floor(hop)));
  const out: Window[] = [];
  for (let phase = 0; phase < Math.min(stride, frameCount); phase++) {
    const seq: number[] = [];
    for (let f = phase; f < frameCount; f += stride) seq.push(f);
    if (seq.length <= T) {
      out.push({ frames: Array.from({ length: T }, (_, k) => seq[Math.min(k, seq.length - 1)]!), valid: seq.length });
      continue;
    }
    const starts: number[] = [];
    for (let s = 0; s + T <= seq.length; s += step) starts.push(s);
    if (starts[starts.length - 1]! + T < seq.length) starts.push(seq.length - T);
    for (const s of starts) out.push({ frames: seq.slice(s, s + T), valid: T });
  }
  return out;
}

/** Accumulates window outputs ([T×A] row-major per window) into per-frame averages. */
export class WindowMerger {
  private readonly sum: Float64Array;
  private readonly count: Uint32Array;

  constructor(
    readonly frameCount: number,
    readonly outputs: number,
  ) {
    this.sum = new Float64Array(frameCount * outputs);
    this.count = new Uint32Array(frameCount);
  }

  add(w: Window, values: ArrayLike<number>, offset = 0): void {
    const A = this.outputs;
    for (let t = 0; t < w.valid; t++) {
      const f = w.frames[t]!;
      this.count[f]! += 1;
      for (let a = 0; a < A; a++) this.sum[f * A + a]! += values[offset + t * A + a]!;
    }
  }

  /**
   * The merged result AU-major (A lanes of frameCount values), as the predictions table
   * stores it; NaN where `face` says there is no face, or where no window reached.
   */
  result(face?: Uint8Array): Float32Array {
    const A = this.outputs;
    const N = this.frameCount;
    const out = new Float32Array(A * N);
    for (let f = 0; f < N; f++) {
      const ok = this.count[f]! > 0 && (!face || face[f] === 1);
      for (let a = 0; a < A; a++) out[a * N + f] = ok ? this.sum[f * A + a]! / this.count[f]! : NaN;
    }
    return out;
  }
}
