/**
 * The one training loop of every stage. It counts and times steps and stops on a cancel or
 * when a hook asks; everything else (resuming, checkpoints, the loss curve, validation, early
 * stopping, logs) is a hook, as in SLEAP's and Keras' training callbacks, so pretraining and
 * finetuning differ only in their step and their list of hooks. No TensorFlow.js here: a step
 * is any function that returns its loss.
 *
 * Hooks run in list order at every point, so the list decides, e.g., that a step's curve
 * point is written after validation added its numbers and before the checkpoint is saved.
 */

export interface StepOutcome {
  loss: number;
  /** The named terms of the loss (one per objective). */
  parts: Record<string, number>;
}

export interface LoopState {
  /** Steps done so far (the next step's index). */
  readonly step: number;
  readonly totalSteps: number;
  /** The step a hook resumed the run at, or null for a fresh start. */
  readonly resumedFrom: number | null;
  readonly stopped: boolean;
  /** Ends the run after the current step (early stopping); the end hooks still run. */
  stop(): void;
}

export interface StepReport extends StepOutcome {
  framesPerSec: number;
  etaSeconds: number | null;
  /** Extra numbers of this step, which hooks add for later hooks (validation → the curve). */
  logs: Record<string, unknown>;
}

export interface LoopHook {
  /** Before anything else: the step to continue from (state restored), or null. At most one hook resumes. */
  resume?(): number | null | Promise<number | null>;
  start?(loop: LoopState): void | Promise<void>;
  beforeStep?(loop: LoopState): void | Promise<void>;
  /** After each step; `loop.step` counts it. */
  afterStep?(loop: LoopState, report: StepReport): void | Promise<void>;
  /** The run was cancelled between two steps; the loop throws the abort once these have run. */
  cancelled?(loop: LoopState): void | Promise<void>;
  /** The last step is done or a hook stopped the run. */
  end?(loop: LoopState): void | Promise<void>;
}

export interface LoopOptions {
  totalSteps: number;
  /** Frames through the network per step, for the throughput figures. */
  framesPerStep: number;
  /** Runs step `index` (0-based: the steps done before it). */
  step(index: number): StepOutcome | Promise<StepOutcome>;
  hooks: readonly LoopHook[];
  signal: AbortSignal;
}

export interface LoopResult {
  steps: number;
  resumedFrom: number | null;
  stoppedEarly: boolean;
  /** Mean throughput over this run's steps, frames per second. */
  framesPerSec: number;
  /** Median wall time of one step, seconds. */
  stepSeconds: number;
}

/** Throughput and ETA from step times. */
export class Pace {
  private ema: number | null = null;
  private readonly times: number[] = [];
  private frames = 0;
  private seconds = 0;

  record(stepSeconds: number, frames: number): void {
    this.ema = this.ema === null ? stepSeconds : 0.9 * this.ema + 0.1 * stepSeconds;
    this.times.push(stepSeconds);
    this.frames += frames;
    this.seconds += stepSeconds;
  }
  eta(remaining: number): number | null {
    return this.ema === null ? null : remaining * this.ema;
  }
  fps(framesPerStep: number): number {
    return this.ema ? framesPerStep / this.ema : 0;
  }
  meanFps(): number {
    return this.seconds > 0 ? this.frames / this.seconds : 0;
  }
  median(): number {
    if (!this.times.length) return 0;
    const s = [...this.times].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  }
}

class State implements LoopState {
  step = 0;
  resumedFrom: number | null = null;
  stopped = false;
  constructor(readonly totalSteps: number) {}
  stop(): void {
    this.stopped = true;
  }
}

export async function runLoop(o: LoopOptions): Promise<LoopResult> {
  const loop = new State(o.totalSteps);
  for (const h of o.hooks) {
    const at = await h.resume?.();
    if (at === undefined || at === null) continue;
    if (loop.resumedFrom !== null) throw new Error('Two training hooks resumed the same run.');
    loop.step = at;
    loop.resumedFrom = at;
  }
  for (const h of o.hooks) await h.start?.(loop);
  const pace = new Pace();
  while (loop.step < loop.totalSteps && !loop.stopped) {
    // Only between steps: a checkpoint taken here is a consistent state to resume from.
    if (o.signal.aborted) {
      for (const h of o.hooks) await h.cancelled?.(loop);
      o.signal.throwIfAborted();
    }
    for (const h of o.hooks) await h.beforeStep?.(loop);
    const t0 = performance.now();
    const outcome = await o.step(loop.step);
    loop.step += 1;
    pace.record((performance.now() - t0) / 1000, o.framesPerStep);
    const report: StepReport = {
      loss: outcome.loss,
      parts: outcome.parts,
      framesPerSec: pace.fps(o.framesPerStep),
      etaSeconds: pace.eta(loop.totalSteps - loop.step),
      logs: {},
    };
    for (const h of o.hooks) await h.afterStep?.(loop, report);
  }
  for (const h of o.hooks) await h.end?.(loop);
  return { steps: loop.step, resumedFrom: loop.resumedFrom, stoppedEarly: loop.stopped, framesPerSec: pace.meanFps(), stepSeconds: pace.median() };
}
