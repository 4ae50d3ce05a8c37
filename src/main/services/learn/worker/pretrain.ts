/**
 * Worker task: contrastive pretraining (Σ weight·loss of the configured objectives) on
 * unlabelled clips, two augmented views per clip. Every checkpointEvery steps the whole
 * training state is written, so a killed run continues where it stopped.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { WorkerIO } from '../../../worker/io';
import { Adam } from './adam';
import { drawAugment } from '../augment';
import { assertTrainingBackend, initBackend, tf } from './tfjs';
import { configKey, saveModelFile } from './checkpoint';
import type { PretrainConfig } from '../config';
import { countFaces, GEOMETRY_DIM, randomClip, type VideoSource } from '../data';
import { curveHook, progressHook, stepLogHook, type TrainEvent } from './hooks';
import { runLoop } from './loop';
import { AuModel } from './model';
import { createObjectives } from './objectives';
import { needsGeometry } from '../objectives/catalog';
import { modelCheckpointHook, modelVars, openCrops, readBatch, trainResult, trainStep, type TrainResult } from './train';
import { Rng } from '../../../../shared/rng';

export interface PretrainInput {
  modelDir: string;
  config: PretrainConfig;
  videos: VideoSource[];
}

export interface PretrainTask {
  input: PretrainInput;
  event: TrainEvent;
  result: TrainResult;
}

export async function runPretrain(input: PretrainInput, io: WorkerIO<'pretrain'>): Promise<TrainResult> {
  const started = performance.now();
  const backend = await initBackend();
  assertTrainingBackend();
  const cfg = input.config;
  const T = cfg.model.clipLength;
  const B = cfg.batchClips;
  const withGeometry = needsGeometry(cfg.objectives);
  const lib = await openCrops(input.videos, cfg.model, withGeometry);
  const videos = [...lib.videos.values()];
  const faceCounts = videos.map(countFaces);
  const model = new AuModel(cfg.model, cfg.seed);
  const objectives = createObjectives(cfg.objectives, model);
  const optimizer = new Adam({ lr: cfg.lr, weightDecay: cfg.weightDecay, clipNorm: 5 });
  const rng = new Rng(cfg.seed);
  const vars = modelVars(model, ['enc', 'tmp', 'proj']);
  for (const { objective } of objectives) for (const [n, v] of objective.variables) vars.set(`obj/${objective.kind}/${n}`, v);
  // The objectives' own heads are trained and checkpointed with the model, never in its model file.
  const objectiveVars = [...vars].filter(([n]) => n.startsWith('obj/'));
  const state = { lastLoss: NaN };

  const step = async () => {
    const refs = Array.from({ length: B }, () => randomClip(videos, faceCounts, T, cfg.stride, rng));
    const views = [refs.map(() => drawAugment(cfg.augment, lib.cropSize, rng)), refs.map(() => drawAugment(cfg.augment, lib.cropSize, rng))];
    const { x, pixels, mask, S, geometry } = await readBatch(lib, refs, views, rng, T, withGeometry);
    const subjects = refs.map((r) => lib.videos.get(r.videoId)?.subject ?? null);
    const outcome = tf.tidy(() => {
      const clips = tf.tensor5d(x, [2 * B, T, S, S, 1]);
      const faceMask = tf.tensor2d(mask.subarray(0, B * T), [B, T]);
      const geometryTargets = geometry ? { target: tf.tensor3d(geometry.out, [2 * B, T, GEOMETRY_DIM]), mask: tf.tensor2d(geometry.mask, [2 * B, T]) } : undefined;
      return trainStep(vars, optimizer, () => {
        // model.forward, split so single-frame objectives can use the per-frame features.
        const f = tf.reshape(model.encodeFrames(tf.reshape(clips, [2 * B * T, S, S, 1]) as tfjs.Tensor4D), [2 * B, T, cfg.model.featureDim]) as tfjs.Tensor3D;
        const h = model.temporal(f);
        const [z1, z2] = tf.split(model.project(h), 2, 0) as [tfjs.Tensor3D, tfjs.Tensor3D];
        const batch = { model, clips, pixels, h, f, z1, z2, mask: faceMask, videoIds: refs.map((r) => r.videoId), subjects, geometry: geometryTargets };
        const named: Record<string, tfjs.Scalar> = {};
        let total: tfjs.Scalar = tf.scalar(0);
        for (const { objective, weight } of objectives) {
          const l = objective.loss(batch);
          named[objective.kind] = l;
          total = tf.add(total, tf.mul(l, weight));
        }
        return { total, parts: named };
      });
    });
    state.lastLoss = outcome.loss;
    return outcome;
  };

  const framesPerStep = 2 * B * T;
  const hooks = [
    stepLogHook(io, { stage: 'pretrain', phase: () => 'contrastive', lr: () => optimizer.lr }),
    curveHook(input.modelDir, (loop, r) => ({ step: loop.step, loss: r.loss, parts: r.parts, fps: r.framesPerSec })),
    progressHook(io, (loop, r) => `Pretraining step ${loop.step} of ${loop.totalSteps}, loss ${r.loss.toFixed(3)}`),
    modelCheckpointHook(io, {
      dir: input.modelDir,
      kind: 'pretrain',
      what: 'pretraining',
      every: cfg.checkpointEvery,
      key: configKey({ stage: 'pretrain', cfg }),
      config: cfg,
      model,
      optimizer,
      rng,
      state,
      extra: () => objectiveVars.map(([n, v]) => [n, v]),
      restoreExtra(extra) {
        for (const [n, v] of objectiveVars) {
          const t = extra.get(n);
          if (t) v.assign(t);
        }
        for (const t of extra.values()) t.dispose();
      },
    }),
    {
      start: () =>
        io.log(
          `Pretraining on ${backend.kind}${backend.threads ? ` (${backend.threads} threads)` : ''}: ${model.parameterCount()} parameters, ` +
            `${videos.length} videos, ${B} clips × ${T} frames × 2 views per step, objectives ${cfg.objectives.map((o) => `${o.kind}×${o.weight}`).join(' + ')}.`,
        ),
    },
  ];

  try {
    const run = await runLoop({ totalSteps: cfg.steps, framesPerStep, step, hooks, signal: io.signal });
    const modelFile = await saveModelFile(input.modelDir, 'pretrain', model, {
      objectives: cfg.objectives,
      steps: cfg.steps,
      stride: cfg.stride,
      backend: backend.kind,
    });
    return trainResult({ modelFile, run, started, framesPerStep, projection: true, finalLoss: state.lastLoss, model, backend });
  } finally {
    for (const { objective } of objectives) objective.dispose();
    model.dispose();
    optimizer.dispose();
    await lib.close();
  }
}
