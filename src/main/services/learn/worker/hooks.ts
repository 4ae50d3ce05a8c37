/**
 * The training loop's standard hooks and the events they stream to the backend. They decide
 * when (every N steps, on a cancel, at the end, after an evaluation); what is saved, evaluated
 * or restored is the caller's (train.ts holds the TensorFlow.js side), so this file needs no
 * TensorFlow.js.
 */
import { appendCurve, clearCurve, truncateCurve } from '../curve';
import type { LoopHook, LoopState, StepReport } from './loop';

export interface StepEvent {
  type: 'step';
  stage: 'pretrain' | 'finetune';
  phase: string;
  step: number;
  totalSteps: number;
  loss: number;
  parts: Record<string, number>;
  lr: number;
  framesPerSec: number;
  etaSeconds: number | null;
}
export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
}
export interface EvalEvent {
  type: 'eval';
  step: number;
  valLoss: number;
  valIcc: number | null;
  best: boolean;
}
export interface ResumedEvent {
  type: 'resumed';
  step: number;
}
export type TrainEvent = StepEvent | CheckpointEvent | EvalEvent | ResumedEvent;

/** The part of a worker's IO the hooks use. */
export interface TrainIO {
  emit(event: TrainEvent): void;
  log(line: string): void;
  progress(fraction: number, message?: string): void;
}

function fmtEta(s: number | null): string {
  if (s === null) return '';
  if (s < 90) return ` ETA ${Math.ceil(s)} s`;
  if (s < 5400) return ` ETA ${Math.round(s / 60)} min`;
  return ` ETA ${(s / 3600).toFixed(1)} h`;
}

function stepLine(e: StepEvent): string {
  const parts = Object.entries(e.parts);
  const detail = parts.length > 1 ? ` (${parts.map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')})` : '';
  return `${e.stage} ${e.phase} step ${e.step}/${e.totalSteps} loss ${e.loss.toFixed(4)}${detail} lr ${e.lr.toExponential(1)} ${e.framesPerSec.toFixed(0)} frames/s${fmtEta(e.etaSeconds)}`;
}

/** Streams each step (the backend's live plot) and writes its line to the job log. */
export function stepLogHook(io: TrainIO, o: { stage: StepEvent['stage']; phase: () => string; lr: () => number }): LoopHook {
  return {
    afterStep(loop, r) {
      const e: StepEvent = {
        type: 'step',
        stage: o.stage,
        phase: o.phase(),
        step: loop.step,
        totalSteps: loop.totalSteps,
        loss: r.loss,
        parts: r.parts,
        lr: o.lr(),
        framesPerSec: r.framesPerSec,
        etaSeconds: r.etaSeconds,
      };
      io.emit(e);
      io.log(stepLine(e));
    },
  };
}

export function progressHook(io: TrainIO, message: (loop: LoopState, r: StepReport) => string): LoopHook {
  return { afterStep: (loop, r) => io.progress(loop.step / loop.totalSteps, message(loop, r)) };
}

/**
 * The curve file: one point per step, the step's `logs` (validation) appended to it. A fresh
 * run starts a new curve; a resumed one drops the points after its checkpoint, which it replays.
 */
export function curveHook(dir: string, point: (loop: LoopState, r: StepReport) => Record<string, unknown>): LoopHook {
  return {
    start: (loop) => (loop.resumedFrom !== null ? truncateCurve(dir, loop.step) : clearCurve(dir)),
    afterStep: (loop, r) => appendCurve(dir, { ...point(loop, r), ...r.logs }),
  };
}

/**
 * Resumes from the caller's checkpoint and saves one every `every` steps, on a cancel and at
 * the end. `resume` restores the state and returns its step, or null when there is none.
 */
export function checkpointHook(io: TrainIO, o: { every: number; what: string; resume: () => number | null; save: (step: number) => Promise<void> }): LoopHook {
  const save = async (step: number) => {
    await o.save(step);
    io.emit({ type: 'checkpoint', step });
  };
  return {
    resume: o.resume,
    start(loop) {
      if (loop.resumedFrom === null) return;
      io.emit({ type: 'resumed', step: loop.step });
      io.log(`Resumed ${o.what} from the checkpoint at step ${loop.step} of ${loop.totalSteps}.`);
    },
    // The end hook saves the last step anyway.
    afterStep: (loop) => (loop.step % o.every === 0 && loop.step < loop.totalSteps ? save(loop.step) : undefined),
    cancelled: (loop) => save(loop.step),
    end: (loop) => save(loop.step),
  };
}

/** What early stopping keeps across a resume (it is part of the checkpoint's state). */
export interface ValidationState {
  bestVal: number | null;
  bestStep: number;
  badEvals: number;
  stopped: boolean;
}

/**
 * Validation every `every` steps and after the last one (0 = never): the best step, and early
 * stopping after `patience` evaluations without improvement (0 = never). Only evaluations
 * where `competes()` is true count, so a warm-up phase can neither be best nor run out patience.
 */
export function evaluationHook(
  io: TrainIO,
  o: { every: number; patience: number; state: ValidationState; competes: () => boolean; evaluate: () => Promise<{ loss: number; icc: number | null }>; onBest: () => void },
): LoopHook {
  const s = o.state;
  return {
    start: (loop) => (s.stopped ? loop.stop() : undefined),
    async afterStep(loop, r) {
      const step = loop.step;
      if (!(o.every > 0 && (step % o.every === 0 || step === loop.totalSteps))) return;
      const ev = await o.evaluate();
      const improved = o.competes() && (s.bestVal === null || ev.loss < s.bestVal);
      if (improved) {
        s.bestVal = ev.loss;
        s.bestStep = step;
        s.badEvals = 0;
        o.onBest();
      } else if (o.competes()) s.badEvals += 1;
      io.emit({ type: 'eval', step, valLoss: ev.loss, valIcc: ev.icc, best: improved });
      io.log(`validation at step ${step}: mse ${ev.loss.toFixed(4)}, ICC ${ev.icc ?? 'n/a'}${improved ? ' (best so far)' : ''}`);
      r.logs.valLoss = ev.loss;
      r.logs.valIcc = ev.icc;
      if (o.patience > 0 && s.badEvals >= o.patience) {
        s.stopped = true;
        loop.stop();
        io.log(`Stopping early at step ${step}: no validation improvement in ${o.patience} evaluations (best at step ${s.bestStep}).`);
      }
    },
  };
}
