/**
 * The training loop and its standard hooks, without TensorFlow.js: the "model" is one number
 * trained by gradient descent on (w − 3)², its checkpoint a JSON file, so every step, resume
 * and early stop below is real and its numbers can be worked out by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCurve } from '../../../src/main/services/learn/curve';
import { checkpointHook, curveHook, evaluationHook, progressHook, stepLogHook, type TrainEvent, type TrainIO, type ValidationState } from '../../../src/main/services/learn/worker/hooks';
import { runLoop, type LoopHook, type StepOutcome } from '../../../src/main/services/learn/worker/loop';
import { caughtAsync, tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-loop-');
afterEach(() => tmp.cleanup());

/** w ← w − 0.25·∂(w − 3)²/∂w, i.e. halfway to 3 each step: 0, 1.5, 2.25, 2.625, … */
class Quadratic {
  w = 0;
  readonly seen: number[] = [];
  step(index: number): StepOutcome {
    this.seen.push(index);
    const loss = (this.w - 3) ** 2;
    this.w -= 0.25 * 2 * (this.w - 3);
    return { loss, parts: { square: loss } };
  }
  /** A validation loss that improves until w passes 2, then worsens (overfitting in miniature). */
  validation(): number {
    return (this.w - 2) ** 2;
  }
}

function recorder(): TrainIO & { events: TrainEvent[]; lines: string[]; fractions: number[] } {
  const r = { events: [] as TrainEvent[], lines: [] as string[], fractions: [] as number[] };
  return { ...r, emit: (e) => r.events.push(e), log: (l) => r.lines.push(l), progress: (f) => r.fractions.push(f) };
}

/** The quadratic's checkpoint: its step and w in a JSON file. */
function fileCheckpoint(io: TrainIO, dir: string, q: Quadratic, every: number): LoopHook {
  const file = path.join(dir, 'state.json');
  return checkpointHook(io, {
    every,
    what: 'testing',
    resume() {
      if (!fs.existsSync(file)) return null;
      const s = JSON.parse(fs.readFileSync(file, 'utf8')) as { step: number; w: number };
      q.w = s.w;
      return s.step;
    },
    save: async (step) => fs.writeFileSync(file, JSON.stringify({ step, w: q.w })),
  });
}

async function uninterrupted(steps: number): Promise<number> {
  const q = new Quadratic();
  await runLoop({ totalSteps: steps, framesPerStep: 1, step: (i) => q.step(i), hooks: [], signal: new AbortController().signal });
  return q.w;
}

const kinds = (io: { events: TrainEvent[] }, type: TrainEvent['type']) => io.events.filter((e) => e.type === type).map((e) => e.step);

describe('the training loop', () => {
  it('calls the hooks in list order at every point, and a hook sees what an earlier one logged', async () => {
    const calls: string[] = [];
    const hook = (name: string): LoopHook => ({
      resume() {
        calls.push(`${name} resume`);
        return null;
      },
      start: (l) => void calls.push(`${name} start ${l.step}`),
      beforeStep: (l) => void calls.push(`${name} before ${l.step}`),
      afterStep(l, r) {
        if (name === 'a') r.logs.fromA = l.step * 10;
        calls.push(`${name} after ${l.step} loss ${r.loss} logs ${JSON.stringify(r.logs)}`);
      },
      cancelled: () => void calls.push(`${name} cancelled`),
      end: (l) => void calls.push(`${name} end ${l.step}`),
    });
    const q = new Quadratic();
    const run = await runLoop({ totalSteps: 2, framesPerStep: 4, step: (i) => q.step(i), hooks: [hook('a'), hook('b')], signal: new AbortController().signal });
    expect(calls).toEqual([
      'a resume',
      'b resume',
      'a start 0',
      'b start 0',
      'a before 0',
      'b before 0',
      'a after 1 loss 9 logs {"fromA":10}',
      'b after 1 loss 9 logs {"fromA":10}',
      'a before 1',
      'b before 1',
      'a after 2 loss 2.25 logs {"fromA":20}',
      'b after 2 loss 2.25 logs {"fromA":20}',
      'a end 2',
      'b end 2',
    ]);
    expect(q.seen).toEqual([0, 1]);
    expect(run).toMatchObject({ steps: 2, resumedFrom: null, stoppedEarly: false });
  });

  it('streams each step, its log line, its progress and its curve point', async () => {
    const dir = tmp.make();
    const io = recorder();
    const q = new Quadratic();
    const hooks = [
      stepLogHook(io, { stage: 'pretrain', phase: () => 'contrastive', lr: () => 0.25 }),
      curveHook(dir, (l, r) => ({ step: l.step, loss: r.loss })),
      progressHook(io, (l) => `step ${l.step}`),
    ];
    await runLoop({ totalSteps: 2, framesPerStep: 8, step: (i) => q.step(i), hooks, signal: new AbortController().signal });
    expect(io.events.map((e) => e.type === 'step' && [e.stage, e.phase, e.step, e.totalSteps, e.loss, e.parts.square, e.lr])).toEqual([
      ['pretrain', 'contrastive', 1, 2, 9, 9, 0.25],
      ['pretrain', 'contrastive', 2, 2, 2.25, 2.25, 0.25],
    ]);
    expect(io.lines[1]).toMatch(/^pretrain contrastive step 2\/2 loss 2\.2500 lr 2\.5e-1 \d+ frames\/s ETA 0 s$/);
    expect(io.fractions).toEqual([0.5, 1]);
    expect(readCurve(dir)).toEqual([
      { step: 1, loss: 9 },
      { step: 2, loss: 2.25 },
    ]);
  });
});

describe('early stopping', () => {
  const evaluation = (io: TrainIO, q: Quadratic, state: ValidationState, o: { every: number; patience: number; competes?: () => boolean; best?: number[] }) =>
    evaluationHook(io, {
      every: o.every,
      patience: o.patience,
      state,
      competes: o.competes ?? (() => true),
      evaluate: async () => ({ loss: q.validation(), icc: null }),
      onBest: () => o.best?.push(q.w),
    });
  const fresh = (): ValidationState => ({ bestVal: null, bestStep: 0, badEvals: 0, stopped: false });

  it('stops after `patience` evaluations without improvement and keeps the best step', async () => {
    const io = recorder();
    const q = new Quadratic();
    const state = fresh();
    const best: number[] = [];
    const dir = tmp.make();
    const hooks = [evaluation(io, q, state, { every: 1, patience: 2, best }), curveHook(dir, (l) => ({ step: l.step }))];
    const run = await runLoop({ totalSteps: 10, framesPerStep: 1, step: (i) => q.step(i), hooks, signal: new AbortController().signal });
    // w = 1.5, 2.25, 2.625, 2.8125: validation (w − 2)² improves twice, then worsens twice → stop at step 4.
    expect(run).toMatchObject({ steps: 4, stoppedEarly: true });
    expect(state).toEqual({ bestVal: 0.0625, bestStep: 2, badEvals: 2, stopped: true });
    expect(best).toEqual([1.5, 2.25]);
    expect(io.events.map((e) => e.type === 'eval' && [e.step, e.best])).toEqual([
      [1, true],
      [2, true],
      [3, false],
      [4, false],
    ]);
    expect(io.lines.at(-1)).toBe('Stopping early at step 4: no validation improvement in 2 evaluations (best at step 2).');
    // The validation numbers reach the curve through the step's logs.
    expect(readCurve(dir).map((p) => p.valLoss)).toEqual([0.25, 0.0625, 0.390625, 0.66015625]);
  });

  it('ignores a warm-up phase that does not compete, and evaluates every N steps and after the last', async () => {
    const io = recorder();
    const q = new Quadratic();
    const state = fresh();
    let phase = 'head';
    const warmUp: LoopHook = { beforeStep: (l) => void (l.step >= 2 && (phase = 'full')) };
    const hooks = [warmUp, evaluation(io, q, state, { every: 1, patience: 1, competes: () => phase === 'full' })];
    const run = await runLoop({ totalSteps: 10, framesPerStep: 1, step: (i) => q.step(i), hooks, signal: new AbortController().signal });
    // Steps 1–2 are the warm-up (the best validation of all, yet not "best"); 3 is best, 4 worse → stop.
    expect(run.steps).toBe(4);
    expect(state).toMatchObject({ bestStep: 3, badEvals: 1, stopped: true });
    expect(io.events.map((e) => e.type === 'eval' && e.best)).toEqual([false, false, true, false]);

    const sparse = recorder();
    const q2 = new Quadratic();
    await runLoop({ totalSteps: 7, framesPerStep: 1, step: (i) => q2.step(i), hooks: [evaluation(sparse, q2, fresh(), { every: 3, patience: 0 })], signal: new AbortController().signal });
    expect(kinds(sparse, 'eval')).toEqual([3, 6, 7]);
  });

  it('a run resumed after it stopped early takes no further step', async () => {
    const q = new Quadratic();
    const state = { ...fresh(), stopped: true };
    const ended: number[] = [];
    const hooks = [evaluation(recorder(), q, state, { every: 1, patience: 2 }), { resume: () => 4, end: (l) => void ended.push(l.step) } satisfies LoopHook];
    const run = await runLoop({ totalSteps: 10, framesPerStep: 1, step: (i) => q.step(i), hooks, signal: new AbortController().signal });
    expect(q.seen).toEqual([]);
    expect(run).toMatchObject({ steps: 4, resumedFrom: 4, stoppedEarly: true });
    expect(ended).toEqual([4]);
  });
});

describe('checkpoints, cancels and resumes', () => {
  it('a cancel stops between steps with a checkpoint, and the resumed run starts at the saved step', async () => {
    const dir = tmp.make();
    const io = recorder();
    const q = new Quadratic();
    const controller = new AbortController();
    const step = (i: number) => {
      // The cancel arrives during the third step: that step finishes, no fourth starts.
      if (i === 2) controller.abort();
      return q.step(i);
    };
    const hooks = [curveHook(dir, (l) => ({ step: l.step })), fileCheckpoint(io, dir, q, 2)];
    const err = await caughtAsync(() => runLoop({ totalSteps: 6, framesPerStep: 1, step, hooks, signal: controller.signal }));
    expect(err).toMatchObject({ name: 'AbortError' });
    expect(q.seen).toEqual([0, 1, 2]);
    expect(kinds(io, 'checkpoint')).toEqual([2, 3]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'))).toEqual({ step: 3, w: 2.625 });

    const io2 = recorder();
    const q2 = new Quadratic();
    const run = await runLoop({ totalSteps: 6, framesPerStep: 1, step: (i) => q2.step(i), hooks: [curveHook(dir, (l) => ({ step: l.step })), fileCheckpoint(io2, dir, q2, 2)], signal: new AbortController().signal });
    expect(run).toMatchObject({ steps: 6, resumedFrom: 3 });
    expect(kinds(io2, 'resumed')).toEqual([3]);
    expect(io2.lines).toEqual(['Resumed testing from the checkpoint at step 3 of 6.']);
    expect(q2.seen).toEqual([3, 4, 5]);
    expect(kinds(io2, 'checkpoint')).toEqual([4, 6]);
    expect(q2.w).toBe(await uninterrupted(6));
    expect(readCurve(dir).map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('after a crash the resumed run starts at the last periodic checkpoint and replays the curve after it', async () => {
    const dir = tmp.make();
    const io = recorder();
    const q = new Quadratic();
    const step = (i: number) => {
      if (i === 3) throw new Error('the worker died');
      return q.step(i);
    };
    const hooks = () => [curveHook(dir, (l) => ({ step: l.step })), fileCheckpoint(io, dir, q, 2)];
    await expect(runLoop({ totalSteps: 6, framesPerStep: 1, step, hooks: hooks(), signal: new AbortController().signal })).rejects.toThrow('the worker died');
    // A failure is no cancel: nothing is saved on the way out.
    expect(kinds(io, 'checkpoint')).toEqual([2]);
    expect(readCurve(dir).map((p) => p.step)).toEqual([1, 2, 3]);

    q.w = NaN;
    q.seen.length = 0;
    const run = await runLoop({ totalSteps: 6, framesPerStep: 1, step: (i) => q.step(i), hooks: hooks(), signal: new AbortController().signal });
    expect(run.resumedFrom).toBe(2);
    expect(q.seen).toEqual([2, 3, 4, 5]);
    expect(q.w).toBe(await uninterrupted(6));
    expect(readCurve(dir).map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a run cancelled before it starts takes no step, saves where it is and throws the AbortError', async () => {
    const dir = tmp.make();
    const io = recorder();
    const q = new Quadratic();
    const controller = new AbortController();
    controller.abort();
    const err = await caughtAsync(() => runLoop({ totalSteps: 3, framesPerStep: 1, step: (i) => q.step(i), hooks: [fileCheckpoint(io, dir, q, 1)], signal: controller.signal }));
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('AbortError');
    expect(q.seen).toEqual([]);
    expect(kinds(io, 'checkpoint')).toEqual([0]);
  });

  it('refuses two hooks that both resume', async () => {
    const resumes: LoopHook = { resume: () => 1 };
    await expect(runLoop({ totalSteps: 3, framesPerStep: 1, step: () => ({ loss: 0, parts: {} }), hooks: [resumes, resumes], signal: new AbortController().signal })).rejects.toThrow(
      'Two training hooks resumed the same run.',
    );
  });
});
