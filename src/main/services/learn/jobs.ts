/**
 * The learning jobs, backend side: gather what the worker needs from the database (videos,
 * face flags, labels, the split), run the task in a worker process, forward its progress as
 * job progress and 'learn/progress' events, and write what it streams back (model rows,
 * predictions, metrics). The worker never touches SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobContext, JobRunner } from '../jobs/manager';
import { runTask } from '../../worker/launch';
import type { LearnProgress } from '../../../shared/types';
import { ApiError } from '../../../shared/errors';
import { finetuneConfig, pretrainConfig, type FinetuneOverrides, type PresetName, type PretrainOverrides } from './config';
import type { ModelFile } from './checkpoint';
import { computeModelMetrics } from './evaluate';
import { getModel, insertModel, labelledFrames, modelDirFor, putPredictions, setModelMetrics, splitBySubject, trainingVideos } from './store';
import type { TrainEvent, TrainResult } from './train';

export interface PretrainJobParams {
  name: string;
  preset: PresetName;
  overrides: PretrainOverrides;
  videoIds?: number[];
}

export interface FinetuneJobParams {
  name: string;
  preset: PresetName;
  parentId: number | null;
  overrides: FinetuneOverrides;
  valFraction: number;
  splitSeed: number;
  /** Predict every frame of every video once trained (and compute the metrics). */
  predict: boolean;
  /** Train and validate on these videos only. */
  videoIds?: number[];
}

export interface PredictJobParams {
  modelId: number;
  videoIds?: number[];
}

/** model.json without its weights (the backend process never loads tfjs). */
export function readModelMeta(dir: string): ModelFile {
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) throw new ApiError('not_found', `There is no finished model in ${dir} (model.json is missing): train it first, or resume its job.`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ModelFile;
}

export const LEARN_JOB_KINDS = ['pretrain', 'finetune', 'predict'] as const;

function forward(ctx: JobContext, kind: 'pretrain' | 'finetune', model: string, span: [number, number]) {
  return (e: TrainEvent) => {
    const base = { jobId: ctx.job.id, kind, model, step: e.step };
    let p: LearnProgress;
    if (e.type === 'step') {
      p = { ...base, event: 'step', totalSteps: e.totalSteps, phase: e.phase, loss: e.loss, parts: e.parts, lr: e.lr, framesPerSec: e.framesPerSec, etaSeconds: e.etaSeconds };
      const eta = e.etaSeconds === null ? '' : `, ${Math.ceil(e.etaSeconds)} s left`;
      ctx.progress(span[0] + (span[1] - span[0]) * (e.step / e.totalSteps), `${kind === 'pretrain' ? 'Pretraining' : `Finetuning (${e.phase})`} step ${e.step}/${e.totalSteps}, loss ${e.loss.toFixed(4)}, ${e.framesPerSec.toFixed(0)} frames/s${eta}`);
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

export const pretrainJob: JobRunner = async (ctx) => {
  const p = ctx.job.params as unknown as PretrainJobParams;
  const project = ctx.project;
  const db = project.db;
  const cfg = pretrainConfig(p.preset, project.cropSize, project.auSet().aus, p.overrides);
  const dir = modelDirFor(project.dir, p.name);
  // With the landmarks: objectives such as 'geometry' read them (a few MB per hour of video).
  const videos = trainingVideos(db, project.dir, p.videoIds, { landmarks: true });
  if (!videos.length) throw new ApiError('invalid_argument', 'There are no imported videos to pretrain on. Import videos first.');
  ctx.progress(0, `Pretraining ${p.name} on ${videos.length} videos…`);
  const result = await runTask(
    'pretrain',
    { modelDir: dir, config: cfg, videos },
    { signal: ctx.signal, onLog: (l) => ctx.log(l), onEvent: forward(ctx, 'pretrain', p.name, [0, 1]) },
  );
  // Loaded lazily, as in the handlers: the registry pulls in TensorFlow.js.
  const resolved = (await import('./objectives')).resolveObjectives(cfg.objectives);
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
      ...runSummary(result, ctx.job.id),
    },
    metrics: null,
    backend: backendLabel(result.backend),
  });
  ctx.log(`Saved pretrained model ${p.name} (#${id}): ${result.steps} steps in ${result.seconds.toFixed(0)} s, ${result.framesPerSec.toFixed(0)} frames/s on ${backendLabel(result.backend)}.`);
  ctx.events.emit('data/changed', { domain: 'models' });
};

export const finetuneJob: JobRunner = async (ctx) => {
  const p = ctx.job.params as unknown as FinetuneJobParams;
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
    const meta = readModelMeta(parentDir);
    const { aus: _parentAus, inputSize: _size, ...shape } = meta.config;
    // Models saved before these settings existed pooled globally and read the plain crop.
    overrides.model = { pool: 'avg', inputNorm: 'none', ...shape, ...(overrides.model?.clipLength ? { clipLength: overrides.model.clipLength } : {}) };
    if (overrides.stride === undefined && typeof meta.info.stride === 'number') overrides.stride = meta.info.stride;
  }
  const cfg = finetuneConfig(p.preset, project.cropSize, aus, overrides);
  const videos = trainingVideos(db, project.dir, p.videoIds);
  if (!videos.length) throw new ApiError('invalid_argument', 'There are no imported videos. Import videos and label some frames first.');
  const split = splitBySubject(videos, p.valFraction, p.splitSeed);
  const labels = labelledFrames(db, aus, videos.map((v) => v.id));
  const trainLabels = labels.filter((l) => split.train.includes(l.videoId)).length;
  if (!trainLabels) throw new ApiError('invalid_argument', 'None of the training videos has labelled frames. Label some sampled frames first.');
  const dir = modelDirFor(project.dir, p.name);
  ctx.log(`Split by subject: ${split.train.length} training videos (${trainLabels} labelled frames), ${split.val.length} validation videos (${labels.length - trainLabels}).`);
  const span: [number, number] = p.predict ? [0, 0.85] : [0, 1];
  const result = await runTask(
    'finetune',
    { modelDir: dir, config: cfg, videos, trainVideoIds: split.train, valVideoIds: split.val, labels, parentDir },
    { signal: ctx.signal, onLog: (l) => ctx.log(l), onEvent: forward(ctx, 'finetune', p.name, span) },
  );
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
      bestStep: result.bestStep,
      ...runSummary(result, ctx.job.id),
    },
    metrics: { validation: result.validation },
    backend: backendLabel(result.backend),
  });
  ctx.log(`Saved finetuned model ${p.name} (#${id}); best validation at step ${result.bestStep}.`);
  ctx.events.emit('data/changed', { domain: 'models' });
  if (p.predict) await predictAndMeasure(ctx, id, undefined, [0.85, 1]);
};

export const predictJob: JobRunner = async (ctx) => {
  const p = ctx.job.params as unknown as PredictJobParams;
  await predictAndMeasure(ctx, p.modelId, p.videoIds, [0, 1]);
};

async function predictAndMeasure(ctx: JobContext, modelId: number, videoIds: number[] | undefined, span: [number, number]): Promise<void> {
  const project = ctx.project;
  const db = project.db;
  const model = getModel(db, modelId);
  if (model.stage !== 'finetune') throw new ApiError('invalid_argument', `${model.name} is only pretrained: finetune it on labels before predicting.`);
  const dir = path.resolve(project.dir, model.checkpoint);
  if (!fs.existsSync(path.join(dir, 'model.json'))) throw new ApiError('not_found', `The files of model ${model.name} are missing from ${dir}.`);
  const videos = trainingVideos(db, project.dir, videoIds);
  ctx.progress(span[0], `Predicting ${videos.length} videos with ${model.name}…`);
  const result = await runTask(
    'predict',
    { modelDir: dir, videos },
    {
      signal: ctx.signal,
      onLog: (l) => ctx.log(l),
      onProgress: (f, m) => ctx.progress(span[0] + (span[1] - span[0]) * f, m),
      onEvent: (e) => {
        putPredictions(db, modelId, e.videoId, e.aus, e.frameCount, e.data);
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

export const learnRunners: Record<(typeof LEARN_JOB_KINDS)[number], JobRunner> = {
  pretrain: pretrainJob,
  finetune: finetuneJob,
  predict: predictJob,
};

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
