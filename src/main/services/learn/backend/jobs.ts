/**
 * The learning jobs, backend side: gather what the worker needs from the database (videos,
 * face flags, labels, the split), run the task in a worker process, forward its progress as
 * job progress and 'learn/progress' events, and write what it streams back (model rows,
 * predictions, metrics). The worker never touches SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobContext, JobRunner } from '../../jobs/manager';
import type { JobParams } from '../../jobs/kinds';
import { runTask } from '../../../worker/launch';
import type { LearnProgress } from '../../../../shared/types';
import { getLabelRule } from '../../store/labelRule';
import { listVideos } from '../../store/videos';
import { ApiError } from '../../../../shared/errors';
import { finetuneConfig, pretrainConfig, type FinetuneOverrides } from '../config';
import { readModelJson } from '../modelFile';
import { computeModelMetrics } from './evaluate';
import type { LabelledFrame, VideoSource } from '../data';
import type { BaselineInput, BaselineResult } from '../worker/baseline-task';
import { MetricsAccumulator, type MetricsTable } from '../metrics';
import { Rng } from '../../../../shared/rng';
import { personOf } from '../../../../shared/people';
import { getModel, insertModel, setModelMetrics } from '../../store/models';
import { labelledFrames, normalisationOf, requireCropsOf, splitBySubject, trainingVideos } from './trainingData';
import { modelDirFor } from './modelFolders';
import { putPredictions } from '../../store/predictions';
import type { TrainEvent } from '../worker/hooks';
import type { TrainResult } from '../worker/train';
import { resolveObjectives } from '../objectives/catalog';
import { applyBlend, compareModels, crossFittedDelivered, fitBlends, outOfFoldTable, truthMatrix, type OutOfFold } from './blend';
import type { AuBlend, Interval, ModelComparison } from '../../../../shared/types';
import { auColumn } from '../../../../shared/aus';
import { finetunePlan, plannedFolds, trainingLabel } from '../../../../shared/finetunePlan';

/** Declared with their schemas in jobs/kinds.ts (rows outlive the code that queued them). */
export type PretrainJobParams = JobParams<'pretrain'>;
export type FinetuneJobParams = JobParams<'finetune'>;
export type PredictJobParams = JobParams<'predict'>;

export const LEARN_JOB_KINDS = ['pretrain', 'finetune', 'predict'] as const;

/**
 * Progress of one training: its steps as a share of the job's span, in a message that names the
 * training (`stage`: "fold 2 of 3", "final model") since the step counter restarts with each.
 * The time left is the job's (the progress bar's), not the training's: the message carries none.
 */
function forward(ctx: JobContext, kind: 'pretrain' | 'finetune', model: string, span: [number, number], stage?: string) {
  return (e: TrainEvent) => {
    const base = { jobId: ctx.job.id, kind, model, ...(stage ? { training: stage } : {}), step: e.step };
    let p: LearnProgress;
    if (e.type === 'step') {
      p = { ...base, event: 'step', totalSteps: e.totalSteps, phase: e.phase, loss: e.loss, parts: e.parts, lr: e.lr, framesPerSec: e.framesPerSec, etaSeconds: e.etaSeconds };
      const what = kind === 'pretrain' ? 'Pretraining' : `Finetuning ${stage ? `${stage} ` : ''}(${e.phase})`;
      ctx.progress(span[0] + (span[1] - span[0]) * (e.step / e.totalSteps), `${what} step ${e.step}/${e.totalSteps}, loss ${e.loss.toFixed(4)}, ${e.framesPerSec.toFixed(0)} frames/s`);
    } else if (e.type === 'eval') {
      p = { ...base, event: 'eval', valLoss: e.valLoss, valIcc: e.valIcc, best: e.best };
    } else {
      p = { ...base, event: e.type };
    }
    ctx.events.emit('learn/progress', p);
  };
}

function backendLabel(b: { kind: string; threads?: number; simd?: boolean }): string {
  return b.kind === 'wasm' ? `wasm${b.simd ? '-simd' : ''}${b.threads && b.threads > 1 ? `×${b.threads}` : ''}` : b.kind;
}

/**
 * Imports run in their own lane beside training, so a job may start while videos are still
 * coming in: it uses those that are ready, and says so in its log and progress line.
 */
export function noteStillImporting(ctx: JobContext, videoIds: readonly number[] | undefined): string {
  const wanted = videoIds ? new Set(videoIds) : null;
  const coming = listVideos(ctx.project.db).filter((v) => (v.status === 'pending' || v.status === 'ingesting') && (!wanted || wanted.has(v.id)));
  if (!coming.length) return '';
  const names = coming.slice(0, 3).map((v) => v.name).join(', ') + (coming.length > 3 ? ', …' : '');
  ctx.log(`${coming.length} video(s) still importing are not in this job (${names}); run it again once they are ready to include them.`);
  return ` (${coming.length} still importing, not included)`;
}

export const pretrainJob: JobRunner<'pretrain'> = async (ctx) => {
  const p = ctx.params;
  const project = ctx.project;
  const db = project.db;
  const cfg = pretrainConfig(p.preset, project.cropSize, project.auSet().aus, p.overrides);
  const dir = modelDirFor(project.dir, p.name);
  // With the landmarks: objectives such as 'geometry' read them (a few MB per hour of video).
  const videos = trainingVideos(db, project.dir, p.videoIds, { landmarks: true });
  requireCropsOf(db, project.dir, videos);
  if (!videos.length) throw new ApiError('invalid_argument', 'There are no imported videos to pretrain on. Import videos first.');
  ctx.progress(0, `Pretraining ${p.name} on ${videos.length} videos${noteStillImporting(ctx, p.videoIds)}…`);
  const result = await runTask(
    'pretrain',
    { modelDir: dir, config: cfg, videos },
    { signal: ctx.signal, onLog: (l) => ctx.log(l), onEvent: forward(ctx, 'pretrain', p.name, [0, 1]) },
  );
  const resolved = resolveObjectives(cfg.objectives);
  const id = insertModel(db, {
    stage: 'pretrain',
    parentId: null,
    name: p.name,
    checkpoint: path.relative(project.dir, dir),
    params: {
      preset: p.preset,
      config: cfg,
      // With every setting filled in, so the model says exactly what trained it.
      objectives: resolved,
      videoIds: videos.map((v) => v.id),
      normalisation: normalisationRecord(cfg.model.inputNorm, videos),
      ...runSummary(result, ctx.job.id),
    },
    metrics: null,
    backend: backendLabel(result.backend),
  });
  ctx.log(`Saved pretrained model ${p.name} (#${id}): ${result.steps} steps in ${result.seconds.toFixed(0)} s, ${result.framesPerSec.toFixed(0)} frames/s on ${backendLabel(result.backend)}.`);
  ctx.events.emit('data/changed', { domain: 'models' });
  return { modelId: id };
};

export const finetuneJob: JobRunner<'finetune'> = async (ctx) => {
  const p = ctx.params;
  const project = ctx.project;
  const db = project.db;
  const aus = project.auSet().aus;
  let parentDir: string | null = null;
  const overrides: FinetuneOverrides = { ...p.overrides };
  if (p.parentId !== null) {
    const parent = getModel(db, p.parentId);
    if (parent.stage !== 'pretrain') throw new ApiError('invalid_argument', `Model ${parent.name} is not a pretrained model; choose a pretraining result as the starting point.`);
    parentDir = path.resolve(project.dir, parent.checkpoint);
    // The backbone must have the parent's shape: take its model settings (the head is new).
    // model.json without its weights (this process never loads tfjs), checked against its schema.
    const meta = readModelJson(parentDir);
    const { aus: _parentAus, inputSize: _size, ...shape } = meta.config;
    // Models saved before these settings existed pooled globally and read the plain crop.
    overrides.model = { pool: 'avg', inputNorm: 'none', ...shape, ...(overrides.model?.clipLength ? { clipLength: overrides.model.clipLength } : {}) };
    if (overrides.stride === undefined && typeof meta.info.stride === 'number') overrides.stride = meta.info.stride;
  }
  const cfg = finetuneConfig(p.preset, project.cropSize, aus, overrides);
  // The landmarks go to the worker when the geometry term or the landmark stream reads them.
  const geometry = (cfg.geometryWeight ?? 0) > 0 || (cfg.model.landmarkUnits ?? 0) > 0;
  const videos = trainingVideos(db, project.dir, p.videoIds, { landmarks: true });
  requireCropsOf(db, project.dir, videos);
  if (!videos.length) throw new ApiError('invalid_argument', 'There are no imported videos. Import videos and label some frames first.');
  noteStillImporting(ctx, p.videoIds);
  const labelRule = p.labelRule ?? getLabelRule(db);
  const labels = labelledFrames(db, aus, videos.map((v) => v.id), labelRule);
  // The decision the Train view describes (shared/finetunePlan.ts), from the same labels.
  const labelledVideos = new Set(labels.map((l) => l.videoId));
  const plan = finetunePlan({
    labelledPeople: new Set(videos.filter((v) => labelledVideos.has(v.id)).map(personOf)).size,
    cvFolds: p.cvFolds ?? 0,
    headSteps: cfg.headSteps,
    fullSteps: cfg.fullSteps,
    fromPretrained: parentDir !== null,
  });
  if (plan.reason) ctx.log(`Plan: ${plan.folds ? `${plan.folds} folds and the final model` : 'one training'}, as ${plan.reason}`);
  const cv = plan.folds ? crossValidationFolds(videos, labels, plan.folds, p.splitSeed) : null;
  // With cross-validation the final model learns from every labelled video; otherwise people are held out.
  const split = cv ? { train: videos.map((v) => v.id), val: [] as number[] } : splitBySubject(videos, p.valFraction, p.splitSeed);
  const trainLabels = labels.filter((l) => split.train.includes(l.videoId)).length;
  if (!trainLabels) throw new ApiError('invalid_argument', 'None of the training videos has labelled frames. Label some sampled frames first.');
  const dir = modelDirFor(project.dir, p.name);
  const forWorker = geometry ? videos : videos.map(({ landmarks: _l, ...v }) => v);
  const stages = plan.trainings;
  const end = p.predict ? 0.85 : 1;
  const span = (i: number): [number, number] => [(end * i) / stages, (end * (i + 1)) / stages];

  let crossValidation: CrossValidation | null = null;
  let blend: AuBlend[] | null = null;
  if (cv) {
    ctx.log(`Cross-validation over people: ${cv.length} folds (${cv.map((f) => f.people.join(', ')).join(' | ')}), then the final model on every labelled video.`);
    const net = new MetricsAccumulator(aus);
    const A = aus.length;
    const rowOf = new Map(labels.map((l, i) => [`${l.videoId}:${l.frame}`, i]));
    const networkOutOfFold = new Float32Array(labels.length * A).fill(NaN);
    const foldOfRow = labels.map(() => -1);
    for (const [i, fold] of cv.entries()) {
      const foldDir = path.join(dir, `cv-${i + 1}`);
      const trainIds = videos.filter((v) => !fold.test.includes(v.id)).map((v) => v.id);
      await runTask(
        'finetune',
        { modelDir: foldDir, config: cfg, videos: forWorker, trainVideoIds: trainIds, valVideoIds: [], labels, parentDir },
        { signal: ctx.signal, onLog: (l) => ctx.log(`[fold ${i + 1}] ${l}`), onEvent: forward(ctx, 'finetune', `${p.name} (fold ${i + 1} of ${cv.length})`, span(i), trainingLabel(plan, i)) },
      );
      const held = labels.filter((l) => fold.test.includes(l.videoId));
      await runTask('predict', { modelDir: foldDir, videos: forWorker.filter((v) => fold.test.includes(v.id)) }, {
        signal: ctx.signal,
        onEvent: (e) => {
          for (const l of held) {
            if (l.videoId !== e.videoId) continue;
            const row = rowOf.get(`${l.videoId}:${l.frame}`)!;
            foldOfRow[row] = i;
            aus.forEach((au, a) => {
              const lane = e.aus.indexOf(au);
              if (lane < 0) return;
              const value = e.data[lane * e.frameCount + l.frame]!;
              networkOutOfFold[row * A + a] = value;
              net.add(au, l.values[a]!, value, `${l.videoId}:${l.frame}`);
            });
          }
        },
      });
      // The fold models exist only to be scored.
      fs.rmSync(foldDir, { recursive: true, force: true });
    }
    // The same folds for the baseline, which is also fitted on every label and saved with the
    // model: the delivered tracks mix it in per AU where the folds say it helps.
    const baseline = await baselineScores(ctx, {
      videos,
      aus,
      labels,
      folds: cv.map((f) => ({ train: videos.filter((v) => !f.test.includes(v.id)).map((v) => v.id), test: f.test })),
      saveDir: dir,
    });
    const personOfVideo = new Map(videos.map((v) => [v.id, personOf(v)]));
    const oof: OutOfFold = {
      aus,
      person: labels.map((l) => personOfVideo.get(l.videoId)!),
      fold: foldOfRow,
      truth: truthMatrix(labels, A),
      network: networkOutOfFold,
      baseline: baseline?.outOfFold.length ? baseline.outOfFold : null,
    };
    blend = fitBlends(oof);
    const delivered = crossFittedDelivered(oof);
    const comparison = compareModels(oof, delivered, { seed: p.splitSeed });
    crossValidation = {
      folds: cv.length,
      people: cv.reduce((n, f) => n + f.people.length, 0),
      frames: labels.length,
      network: net.table('cross-validation over people: each fold scored by a model trained without its people'),
      baseline: baseline?.heldOut ?? null,
      baselineLambdas: baseline?.lambdas ?? [],
      delivered: outOfFoldTable(oof, delivered, 'cross-validation over people: the per-AU mix, its weights fitted on the other folds'),
      comparison,
    };
    ctx.log(
      `Cross-validated ICC over ${crossValidation.frames} labelled frames of ${crossValidation.people} people: network ${intervalText(comparison.network)}, ` +
        `baseline (HOG + geometry + ridge) ${intervalText(comparison.baseline)}, delivered mix ${intervalText(comparison.delivered)}; ${verdictText(comparison)}`,
    );
    ctx.log(`Delivered per AU: ${blend.map((b) => `${auColumn(b.au)} ${b.source}${b.source === 'blend' ? ` ${b.networkWeight.toFixed(1)}` : ''}`).join(', ')}.`);
  } else {
    ctx.log(`Split by subject: ${split.train.length} training videos (${trainLabels} labelled frames), ${split.val.length} validation videos (${labels.length - trainLabels}).`);
  }
  const result = await runTask(
    'finetune',
    { modelDir: dir, config: cfg, videos: forWorker, trainVideoIds: split.train, valVideoIds: split.val, labels, parentDir },
    { signal: ctx.signal, onLog: (l) => ctx.log(l), onEvent: forward(ctx, 'finetune', p.name, span(stages - 1), plan.folds ? trainingLabel(plan, plan.folds) : undefined) },
  );
  // Without cross-validation, the baseline is scored on the same held-out people as the network.
  const holdoutBaseline = !cv && split.val.length ? ((await baselineScores(ctx, { videos, aus, labels, folds: [{ train: split.train, test: split.val }] }))?.heldOut ?? null) : null;
  const id = insertModel(db, {
    stage: 'finetune',
    parentId: p.parentId,
    name: p.name,
    checkpoint: path.relative(project.dir, dir),
    params: {
      preset: p.preset,
      config: cfg,
      split,
      labelledFrames: { train: trainLabels, val: labels.length - trainLabels },
      labelRule,
      normalisation: normalisationRecord(cfg.model.inputNorm, videos),
      bestStep: result.bestStep,
      ...(cv ? { crossValidation: { folds: cv.length, people: cv.map((f) => f.people) } } : {}),
      // How each AU's delivered track is made (network, baseline or a mix); without
      // cross-validation there is nothing to choose it by, and the network delivers alone.
      ...(blend ? { blend } : {}),
      ...runSummary(result, ctx.job.id),
    },
    metrics: { validation: result.validation, ...(crossValidation ? { crossValidation } : {}), ...(holdoutBaseline ? { baselineHeldOut: holdoutBaseline } : {}) },
    backend: backendLabel(result.backend),
  });
  ctx.log(`Saved finetuned model ${p.name} (#${id})${cv ? '' : `; best validation at step ${result.bestStep}`}.`);
  ctx.events.emit('data/changed', { domain: 'models' });
  if (p.predict) await predictAndMeasure(ctx, id, undefined, [0.85, 1]);
  return { modelId: id };
};

/** The baseline on the same folds; a failure there is logged, never fails the network's job. */
async function baselineScores(ctx: JobContext, input: BaselineInput): Promise<BaselineResult | null> {
  try {
    return await runTask('baseline', input, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log(`The baseline could not be scored (${err instanceof Error ? err.message : String(err)}); the network's scores stand alone.`);
    return null;
  }
}

/** What the Train view shows as a model's honest score: both models on people they never saw. */
export interface CrossValidation {
  folds: number;
  people: number;
  frames: number;
  network: MetricsTable;
  baseline: MetricsTable | null;
  baselineLambdas: number[];
  /** The delivered per-AU mix, each fold's weights fitted on the other folds (blend.ts). */
  delivered: MetricsTable;
  comparison: ModelComparison;
}

function intervalText(i: Interval | null): string {
  return i ? `${i.estimate.toFixed(3)} [${i.low.toFixed(2)}, ${i.high.toFixed(2)}]` : 'n/a';
}

/** The verdict as one sentence, from the interval of the difference. */
export function verdictText(c: ModelComparison): string {
  const d = c.difference;
  if (!d || c.verdict === 'unknown') return 'no baseline to compare with.';
  if (c.verdict === 'tie') return `can't tell the network and the baseline apart (difference ${d.estimate.toFixed(3)}, 95 % interval ${d.low.toFixed(2)} to ${d.high.toFixed(2)}).`;
  return `the ${c.verdict} is better (difference ${d.estimate.toFixed(3)}, 95 % interval ${d.low.toFixed(2)} to ${d.high.toFixed(2)}).`;
}

/**
 * Folds of the people who have labelled frames (seeded, round-robin after a shuffle), or null
 * when fewer than two people have labels or `k` < 2. Each fold lists its videos.
 */
export function crossValidationFolds(videos: readonly VideoSource[], labels: readonly LabelledFrame[], k: number, seed: number): { people: string[]; test: number[] }[] | null {
  const labelled = new Set(labels.map((l) => l.videoId));
  const people = [...new Set(videos.filter((v) => labelled.has(v.id)).map(personOf))];
  const folds = plannedFolds(people.length, k);
  if (!folds) return null;
  return foldPeople(people, folds, seed).map((mine) => ({ people: mine, test: videos.filter((v) => mine.includes(personOf(v))).map((v) => v.id) }));
}

/** `folds` groups of people: a seeded shuffle of the sorted people, dealt round-robin; each group sorted. */
export function foldPeople(people: readonly string[], folds: number, seed: number): string[][] {
  const order = [...people].sort();
  const rng = new Rng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return Array.from({ length: folds }, (_, f) => order.filter((_, i) => i % folds === f).sort());
}

export const predictJob: JobRunner<'predict'> = async (ctx) => {
  const p = ctx.params;
  await predictAndMeasure(ctx, p.modelId, p.videoIds, [0, 1]);
};

export async function predictAndMeasure(ctx: JobContext, modelId: number, videoIds: number[] | undefined, span: [number, number]): Promise<void> {
  const project = ctx.project;
  const db = project.db;
  const model = getModel(db, modelId);
  if (model.stage !== 'finetune') throw new ApiError('invalid_argument', `${model.name} is only pretrained: finetune it on labels before predicting.`);
  const dir = path.resolve(project.dir, model.checkpoint);
  if (!fs.existsSync(path.join(dir, 'model.json'))) throw new ApiError('not_found', `The files of model ${model.name} are missing from ${dir}.`);
  const readsLandmarks = ((model.params as { config?: { model?: { landmarkUnits?: number } } }).config?.model?.landmarkUnits ?? 0) > 0;
  const videos = trainingVideos(db, project.dir, videoIds, { landmarks: readsLandmarks });
  requireCropsOf(db, project.dir, videos);
  noteStillImporting(ctx, videoIds);
  const trained = (model.params as { normalisation?: { people?: Record<string, unknown> } }).normalisation?.people;
  const now = normalisationOf(videos);
  const moved = trained ? Object.keys(now).filter((p) => p in trained && JSON.stringify(trained[p]) !== JSON.stringify(now[p])) : [];
  if (moved.length) ctx.log(`The neutral reference of ${moved.join(', ')} changed since ${model.name} was trained; predictions use the current one.`);
  ctx.progress(span[0], `Predicting ${videos.length} videos with ${model.name}…`);
  const blend = (model.params as { blend?: AuBlend[] }).blend ?? null;
  const baselineTracks = blend ? await savedBaselineTracks(ctx, dir, blend, videoIds, [span[0], span[0] + (span[1] - span[0]) * 0.3]) : null;
  const networkSpan: [number, number] = baselineTracks ? [span[0] + (span[1] - span[0]) * 0.3, span[1]] : span;
  const result = await runTask(
    'predict',
    { modelDir: dir, videos },
    {
      signal: ctx.signal,
      onLog: (l) => ctx.log(l),
      onProgress: (f, m) => ctx.progress(networkSpan[0] + (networkSpan[1] - networkSpan[0]) * f, m),
      onEvent: (e) => {
        const data = blend ? deliveredTrack(blend, e, baselineTracks?.get(e.videoId) ?? null) : e.data;
        putPredictions(db, modelId, e.videoId, e.aus, e.frameCount, data);
        baselineTracks?.delete(e.videoId);
        ctx.events.emit('data/changed', { domain: 'predictions', videoId: e.videoId });
      },
    },
  );
  ctx.log(`Predictions: ${result.frames} frames in ${result.seconds.toFixed(1)} s (${result.framesPerSec.toFixed(0)} frames/s).`);
  const metrics = computeModelMetrics(db, modelId);
  setModelMetrics(db, modelId, { ...(model.metrics ?? {}), ...metrics });
  const gt = metrics.groundTruthHeldOut ?? metrics.groundTruthAll;
  ctx.log(
    `Metrics of ${model.name}: held-out labels ICC ${metrics.heldOutLabels?.mean.icc ?? 'n/a'}, MAE ${metrics.heldOutLabels?.mean.mae ?? 'n/a'}` +
      (gt ? `; ${gt.source}: ICC ${gt.mean.icc ?? 'n/a'}, MAE ${gt.mean.mae ?? 'n/a'}` : ''),
  );
  ctx.events.emit('data/changed', { domain: 'models' });
}

type Track = { aus: number[]; frameCount: number; data: Float32Array };

/** The baseline saved with a model, run on the videos to predict (only when some AU mixes it in). */
async function savedBaselineTracks(ctx: JobContext, dir: string, blend: readonly AuBlend[], videoIds: number[] | undefined, span: [number, number]): Promise<Map<number, Track> | null> {
  if (blend.every((b) => b.networkWeight >= 1)) return null;
  const tracks = new Map<number, Track>();
  const videos = trainingVideos(ctx.project.db, ctx.project.dir, videoIds, { landmarks: true });
  await runTask(
    'baseline',
    { videos, aus: blend.map((b) => b.au), labels: [], folds: [], predictVideoIds: videos.map((v) => v.id), fromDir: dir },
    {
      signal: ctx.signal,
      onEvent: (e) => {
        tracks.set(e.videoId, e);
        ctx.progress(span[0] + ((span[1] - span[0]) * tracks.size) / videos.length, `Baseline tracks: ${tracks.size} of ${videos.length} videos`);
      },
    },
  );
  return tracks;
}

/** A video's delivered track: per AU, the network's prediction mixed with the baseline's as the model's blend says. */
export function deliveredTrack(blend: readonly AuBlend[], network: Track, baseline: Track | null): Float32Array {
  const n = network.frameCount;
  const out = new Float32Array(network.data.length);
  network.aus.forEach((au, lane) => {
    const b = blend.find((x) => x.au === au);
    const baseLane = baseline ? baseline.aus.indexOf(au) : -1;
    for (let f = 0; f < n; f++) {
      const net = network.data[lane * n + f]!;
      out[lane * n + f] = b ? applyBlend(b, net, baseLane >= 0 ? baseline!.data[baseLane * n + f]! : NaN) : net;
    }
  });
  return out;
}

export const learnRunners: { [K in (typeof LEARN_JOB_KINDS)[number]]: JobRunner<K> } = {
  pretrain: pretrainJob,
  finetune: finetuneJob,
  predict: predictJob,
};

/**
 * The person-specific normalisation a model was trained with: what the network reads
 * (`input`: the crop minus the person's reference, or the plain crop) and, per person, the
 * reference (the frames marked neutral, or each video's median) that the network's input, the
 * landmark geometry and the baseline subtract.
 */
export function normalisationRecord(input: string | undefined, videos: readonly VideoSource[]) {
  return { input: input ?? 'none', people: normalisationOf(videos) };
}

/** What every trained model row records about the run that made it. */
function runSummary(result: TrainResult, jobId: number) {
  return {
    steps: result.steps,
    seconds: result.seconds,
    framesPerSec: result.framesPerSec,
    stepSeconds: result.stepSeconds,
    flopsPerStep: result.flopsPerStep,
    resumedFrom: result.resumedFrom,
    finalLoss: result.finalLoss,
    parameters: result.parameters,
    jobId,
  };
}
