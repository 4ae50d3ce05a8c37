/**
 * The learning engine end to end: real SQLite project, real worker processes (runTask forks
 * src/main/worker/entry.ts under tsx), tiny model and tiny synthetic crops.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LearnProgress } from '../../../src/shared/types';
import { modelDirFor } from '../../../src/main/services/learn/backend/modelFolders';
import { readPredictionArray } from '../../../src/main/services/store/predictions';
import { initBackend } from '../../../src/main/services/learn/worker/tfjs';
import { readModelFile, saveModelFile } from '../../../src/main/services/learn/worker/checkpoint';
import { AuModel } from '../../../src/main/services/learn/worker/model';
import { recordEvents } from '../../helpers/events';
import { tmpDirs } from '../../helpers/tmp';
import { makeLearnProject, type LearnFixture, finished } from './fixture';

const tmp = tmpDirs('auw-learn-');
let fx: LearnFixture | null = null;

afterEach(async () => {
  await fx?.app.workbench.close();
  fx = null;
  tmp.cleanup();
});


describe('pretrain → finetune → predict through the worker', () => {
  it('trains, stores a prediction for every frame (NaN without a face) and metrics', async () => {
    const noFace = (f: number) => f % 17 === 5;
    fx = await makeLearnProject(tmp.make(), { videos: 3, frames: 48, labelEvery: 4, noFace });
    const rec = recordEvents(fx.app.events);

    const pre = await fx.call('models/pretrain', { name: 'pre', preset: 'tiny', steps: 4, checkpointEvery: 2 });
    const preJob = await finished(fx, pre.id);
    expect(preJob.error).toBeNull();
    expect(preJob.state).toBe('done');
    const steps = rec.all.filter((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).event === 'step').map((m) => m.payload as LearnProgress);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(steps.every((s) => Number.isFinite(s.loss) && s.parts?.geometry !== undefined)).toBe(true);
    const models = await fx.call('models/list', {});
    const preModel = models.find((m) => m.name === 'pre')!;
    expect(preModel.stage).toBe('pretrain');
    expect(preModel.backend).toMatch(/wasm|node/);
    // The per-step loss is in the job log and in the curve file.
    const log = (fx.app.workbench.requireProject().db.prepare('SELECT log FROM jobs WHERE id = ?').get(pre.id) as { log: string }).log;
    expect(log).toMatch(/pretrain contrastive step 4\/4 loss \d/);
    expect((await fx.call('models/curve', { modelId: preModel.id })).map((p) => p.step)).toEqual([1, 2, 3, 4]);

    const ft = await fx.call('models/finetune', { name: 'ft', parentId: preModel.id, preset: 'tiny', headSteps: 2, fullSteps: 4, valFraction: 0.34, cvFolds: 0 });
    const ftJob = await finished(fx, ft.id);
    expect(ftJob.error).toBeNull();
    expect(ftJob.state).toBe('done');
    const ftModel = (await fx.call('models/list', {})).find((m) => m.name === 'ft')!;
    expect(ftModel.parentId).toBe(preModel.id);
    const split = ftModel.params.split as { train: number[]; val: number[] };
    expect(split.val).toHaveLength(1);
    expect(split.train).toHaveLength(2);
    const phases = rec.all
      .filter((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).kind === 'finetune' && (m.payload as LearnProgress).event === 'step')
      .map((m) => (m.payload as LearnProgress).phase);
    expect(phases).toEqual(['head', 'head', 'full', 'full', 'full', 'full']);

    const db = fx.app.workbench.requireProject().db;
    for (const videoId of fx.videoIds) {
      const p = readPredictionArray(db, ftModel.id, videoId)!;
      expect(p.aus).toEqual([12, 25]);
      expect(p.frameCount).toBe(48);
      for (let a = 0; a < 2; a++)
        for (let f = 0; f < 48; f++) {
          const v = p.data[a * 48 + f]!;
          if (noFace(f)) expect(v).toBeNaN();
          else expect(v >= 0 && v <= 5).toBe(true);
        }
    }
    const track = await fx.call('predictions/get', { modelId: ftModel.id, videoId: fx.videoIds[0]! });
    expect(track?.values[12]?.[5]).toBeNull();
    const metrics = ftModel.metrics as { heldOutLabels: { perAu: { au: number; n: number }[]; mean: { mae: number } } };
    expect(metrics.heldOutLabels.perAu.map((m) => m.au)).toEqual([12, 25]);
    expect(metrics.heldOutLabels.perAu[0]!.n).toBeGreaterThan(5);
    expect(metrics.heldOutLabels.mean.mae).toBeGreaterThan(0);
    // Recomputing from the stored predictions gives the same held-out figures.
    const again = await fx.call('models/metrics', { modelId: ftModel.id });
    expect((again.metrics as typeof metrics).heldOutLabels).toEqual(metrics.heldOutLabels);
    rec.stop();
  });

  it('refuses a second model with a taken name and bad objective settings, with readable messages', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 1, frames: 12, labelEvery: 4 });
    await expect(fx.call('models/pretrain', { name: 'x', preset: 'tiny', objectives: [{ kind: 'nope', weight: 1, params: {} }] })).rejects.toThrow(/no pretraining objective "nope"/);
    await expect(fx.call('models/pretrain', { name: 'x', preset: 'tiny', objectives: [{ kind: 'infonce', weight: 1, params: { temperature: 0 } }] })).rejects.toThrow(
      /temperature must be between/,
    );
    await expect(fx.call('models/pretrain', { name: 'x', preset: 'tiny', inputNorm: 'raw' as 'none' })).rejects.toThrow(/input normalisation is "video-median" or "none"/);
    await fx.call('models/pretrain', { name: 'x', preset: 'tiny', steps: 1, inputNorm: 'none' });
    await expect(fx.call('models/pretrain', { name: 'x', preset: 'tiny' })).rejects.toThrow(/already training "x"/);
    await fx.app.workbench.requireJobs().idle();
    const x = (await fx.call('models/list', {})).find((m) => m.name === 'x')!;
    expect((x.params.config as { model: { inputNorm: string } }).model.inputNorm).toBe('none');
    await expect(fx.call('models/finetune', { name: 'y', parentId: x.id, preset: 'tiny', inputNorm: 'video-median' })).rejects.toThrow(/x already fixes what the network reads/);
  });
});

describe('cross-validation over people', () => {
  it('scores each person with a network and a baseline trained without them, then trains the final model on everyone', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 3, frames: 40, labelEvery: 4 });
    // One person with a neutral face marked: the folds, the baseline and the final model read it.
    await fx.call('neutral/mark', { videoId: fx.videoIds[0]!, firstFrame: 0, lastFrame: 3, coder: 'alice' });
    expect(await fx.call('learn/labelledPeople', {})).toEqual({ people: 3, frames: 30 });
    const rec = recordEvents(fx.app.events);
    const job = await finished(fx, (await fx.call('models/finetune', { name: 'cv', preset: 'tiny', fullSteps: 3, cvFolds: 3 })).id);
    expect(job.error).toBeNull();
    // The step counter restarts with each training; each step says which training it belongs to.
    const steps = rec.all.filter((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).event === 'step').map((m) => m.payload as LearnProgress);
    expect(steps.map((s) => `${s.training} ${s.step}`)).toEqual(['fold 1 of 3', 'fold 2 of 3', 'fold 3 of 3', 'final model'].flatMap((t) => [1, 2, 3].map((i) => `${t} ${i}`)));
    const messages = rec.all.filter((m) => m.event === 'jobs/progress').map((m) => (m.payload as { message: string | null }).message ?? '');
    expect(messages.some((m) => /^Finetuning fold 2 of 3 \(full\) step 1\/3/.test(m))).toBe(true);
    expect(messages.some((m) => /^Finetuning final model \(full\) step 3\/3/.test(m))).toBe(true);
    // One time left, the job's (the bar's): the message carries none.
    expect(messages.some((m) => /s left/.test(m))).toBe(false);
    const model = (await fx.call('models/list', {})).find((m) => m.name === 'cv')!;
    expect(model.params.normalisation).toEqual({ input: 'video-median', people: { person0: { kind: 'neutral', frames: 4 }, person1: { kind: 'median' }, person2: { kind: 'median' } } });
    // The final model learnt from every labelled video; nothing was held out of it.
    expect(model.params.split).toEqual({ train: fx.videoIds, val: [] });
    const folds = model.params.crossValidation as { folds: number; people: string[][] };
    expect(folds.folds).toBe(3);
    expect(folds.people.flat().sort()).toEqual(['person0', 'person1', 'person2']);
    const cv = (model.metrics as { crossValidation: { folds: number; people: number; frames: number; network: { frames: number; perAu: { n: number }[] }; baseline: { frames: number } | null } }).crossValidation;
    expect(cv.folds).toBe(3);
    expect(cv.people).toBe(3);
    // Every labelled frame is scored once, by the fold that did not train on it, for both models.
    expect(cv.frames).toBe(30);
    expect(cv.network.frames).toBe(30);
    expect(cv.network.perAu.every((m) => m.n === 30)).toBe(true);
    expect(cv.baseline?.frames).toBe(30);
    // The fold models were only for scoring.
    expect(fs.readdirSync(modelDirFor(fx.dir, 'cv')).filter((f) => f.startsWith('cv-'))).toEqual([]);
    const log = (fx.app.workbench.requireProject().db.prepare('SELECT log FROM jobs WHERE id = ?').get(job.id) as { log: string }).log;
    expect(log).toMatch(/Cross-validated ICC over 30 labelled frames of 3 people: network .*, baseline .*, delivered mix/);
    expect(log).toMatch(/Delivered per AU: AU12 (network|baseline|blend)/);
    // Per AU, the delivered track's recipe, chosen on the folds' out-of-fold predictions, with
    // intervals on every score; the baseline it mixes in is saved with the model.
    const blend = model.params.blend as { au: number; networkWeight: number; source: string }[];
    expect(blend.map((b) => b.au)).toEqual([12, 25]);
    const withIntervals = model.metrics as { crossValidation: { comparison: { verdict: string; network: { low: number; high: number } }; delivered: { frames: number } } };
    expect(['network', 'baseline', 'tie']).toContain(withIntervals.crossValidation.comparison.verdict);
    expect(withIntervals.crossValidation.comparison.network.low).toBeLessThanOrEqual(withIntervals.crossValidation.comparison.network.high);
    expect(withIntervals.crossValidation.delivered.frames).toBe(30);
    expect(fs.existsSync(path.join(modelDirFor(fx.dir, 'cv'), 'baseline.json'))).toBe(true);
    // A later Predict delivers the same tracks from the saved network and baseline.
    const db = fx.app.workbench.requireProject().db;
    const before = readPredictionArray(db, model.id, fx.videoIds[1]!)!;
    expect((await finished(fx, (await fx.call('predictions/run', { modelId: model.id })).id)).error).toBeNull();
    expect(Array.from(readPredictionArray(db, model.id, fx.videoIds[1]!)!.data)).toEqual(Array.from(before.data));
  });

  it('falls back to no cross-validation with one labelled person', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 1, frames: 24, labelEvery: 4 });
    expect((await fx.call('learn/labelledPeople', {})).people).toBe(1);
    const job = await finished(fx, (await fx.call('models/finetune', { name: 'one', preset: 'tiny', fullSteps: 2, cvFolds: 3 })).id);
    expect(job.error).toBeNull();
    const log = (fx.app.workbench.requireProject().db.prepare('SELECT log FROM jobs WHERE id = ?').get(job.id) as { log: string }).log;
    expect(log).toContain('Plan: one training, as only one person has labels: no cross-validation, no baseline comparison; label a second person to get them.');
    const model = (await fx.call('models/list', {})).find((m) => m.name === 'one')!;
    expect(model.params.crossValidation).toBeUndefined();
    expect((model.metrics as Record<string, unknown>).crossValidation).toBeUndefined();
  });
});

describe('models saved before pooling and input normalisation were settings', () => {
  it('finetune from them with global averaging and the plain crop, as they were trained', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 2, frames: 24, labelEvery: 4 });
    await finished(fx, (await fx.call('models/pretrain', { name: 'old', preset: 'tiny', steps: 1 })).id);
    const old = (await fx.call('models/list', {})).find((m) => m.name === 'old')!;
    // Rewrite it as an older version wrote it: no `pool` / `inputNorm`, weights shaped for averaging.
    await initBackend();
    const dir = modelDirFor(fx.dir, old.name);
    const { meta, weights } = readModelFile(dir);
    for (const t of weights.values()) t.dispose();
    const { pool: _pool, inputNorm: _norm, ...legacy } = meta.config;
    const legacyModel = new AuModel(legacy, 1);
    expect(legacyModel.vars.get('enc/fc/w')!.shape[0]).toBe(legacy.channels.at(-1));
    await saveModelFile(dir, 'pretrain', legacyModel, meta.info);
    legacyModel.dispose();

    const job = await finished(fx, (await fx.call('models/finetune', { name: 'ft', parentId: old.id, preset: 'tiny', headSteps: 1, fullSteps: 1, valFraction: 0.5, cvFolds: 0 })).id);
    expect(job.error).toBeNull();
    const ft = (await fx.call('models/list', {})).find((m) => m.name === 'ft')!;
    const cfg = ft.params.config as { model: { pool: string; inputNorm: string } };
    expect(cfg.model.pool).toBe('avg');
    expect(cfg.model.inputNorm).toBe('none');
    expect(readPredictionArray(fx.app.workbench.requireProject().db, ft.id, fx.videoIds[0]!)).not.toBeNull();
  });
});

/** The worker process(es) this test process forked, by pid. */
function workerPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('worker/entry'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('crash recovery', () => {
  it('resumes pretraining from the last checkpoint after the worker is killed with SIGKILL', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 2, frames: 24, labelEvery: 6 });
    const rec = recordEvents(fx.app.events);
    const job = await fx.call('models/pretrain', { name: 'crashy', preset: 'tiny', steps: 12, checkpointEvery: 3 });
    // Kill as soon as a checkpoint exists (and at least one more step has run past it).
    await rec.when((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).event === 'step' && (m.payload as LearnProgress).step >= 4);
    const pids = workerPids();
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');
    const failed = await finished(fx, job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/SIGKILL/);
    const dir = path.join(fx.dir, 'models', 'crashy');
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as { step: number };
    expect(saved.step).toBeGreaterThanOrEqual(3);
    expect(saved.step % 3).toBe(0);

    const resumed = await fx.call('models/resume', { jobId: job.id });
    const done = await finished(fx, resumed.id);
    expect(done.error).toBeNull();
    const resumedAt = rec.all.find((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).event === 'resumed' && (m.payload as LearnProgress).jobId === resumed.id);
    expect((resumedAt!.payload as LearnProgress).step).toBe(saved.step);
    const steps = rec.all
      .filter((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).jobId === resumed.id && (m.payload as LearnProgress).event === 'step')
      .map((m) => (m.payload as LearnProgress).step);
    expect(steps[0]).toBe(saved.step + 1);
    expect(steps[steps.length - 1]).toBe(12);
    const model = (await fx.call('models/list', {})).find((m) => m.name === 'crashy')!;
    expect(model.params.resumedFrom).toBe(saved.step);
    // The curve was cut back to the checkpoint and continued: one point per step.
    expect((await fx.call('models/curve', { modelId: model.id })).map((p) => p.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    rec.stop();
  });

  it('cancels a finetuning job with a checkpoint, and resuming it continues from there', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 2, frames: 24, labelEvery: 3 });
    const rec = recordEvents(fx.app.events);
    const job = await fx.call('models/finetune', { name: 'ft', preset: 'tiny', fullSteps: 10, checkpointEvery: 100, valFraction: 0.5, cvFolds: 0 });
    await rec.when((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).event === 'step' && (m.payload as LearnProgress).step >= 3);
    await fx.call('jobs/cancel', { jobId: job.id });
    const cancelled = await finished(fx, job.id);
    expect(cancelled.state).toBe('cancelled');
    const saved = JSON.parse(fs.readFileSync(path.join(fx.dir, 'models', 'ft', 'checkpoint.json'), 'utf8')) as { step: number; kind: string };
    expect(saved.kind).toBe('finetune');
    expect(saved.step).toBeGreaterThanOrEqual(3);
    expect(saved.step).toBeLessThan(10);
    // The Train view offers it: "Cancelled at step N — Resume / Discard".
    expect(await fx.call('models/stopped', {})).toEqual([{ jobId: job.id, kind: 'finetune', name: 'ft', state: 'cancelled', step: saved.step, fold: null, stoppedAt: cancelled.finishedAt }]);

    const resumed = await fx.call('models/resume', { jobId: job.id });
    expect((await finished(fx, resumed.id)).state).toBe('done');
    expect(await fx.call('models/stopped', {})).toEqual([]);
    const at = rec.all.find((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).jobId === resumed.id && (m.payload as LearnProgress).event === 'resumed');
    expect((at!.payload as LearnProgress).step).toBe(saved.step);
    const model = (await fx.call('models/list', {})).find((m) => m.name === 'ft')!;
    expect(model.params.steps).toBe(10);
    expect(await fx.call('predictions/get', { modelId: model.id, videoId: fx.videoIds[0]! })).not.toBeNull();
    rec.stop();
  });

  it('a finetune cancelled in a cross-validation fold keeps that fold\'s checkpoint; discarding removes it', async () => {
    fx = await makeLearnProject(tmp.make(), { videos: 3, frames: 24, labelEvery: 3 });
    const rec = recordEvents(fx.app.events);
    const job = await fx.call('models/finetune', { name: 'cvft', preset: 'tiny', fullSteps: 10, checkpointEvery: 100, cvFolds: 3 });
    await rec.when((m) => m.event === 'learn/progress' && (m.payload as LearnProgress).training === 'fold 2 of 3' && (m.payload as LearnProgress).step >= 2);
    await fx.call('jobs/cancel', { jobId: job.id });
    expect((await finished(fx, job.id)).state).toBe('cancelled');
    const [run] = await fx.call('models/stopped', {});
    expect(run).toMatchObject({ jobId: job.id, name: 'cvft', state: 'cancelled', fold: 2 });
    expect(run!.step).toBeGreaterThanOrEqual(2);
    await expect(fx.call('models/discard', { jobId: job.id })).resolves.toBeNull();
    expect(fs.existsSync(path.join(fx.dir, 'models', 'cvft'))).toBe(false);
    expect(await fx.call('models/stopped', {})).toEqual([]);
    await expect(fx.call('models/discard', { jobId: 999 })).rejects.toThrow();
    rec.stop();
  });
});
