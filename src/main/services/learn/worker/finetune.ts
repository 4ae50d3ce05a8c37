/**
 * Worker task: regression finetuning on sparse labels, the loss taken only at labelled frames.
 * From a pretrained backbone it trains the head alone for headSteps (a warm-up), then the
 * whole network at lr·fullLrScale; validation on held-out videos picks the best step and stops
 * early. Cross-validation folds are separate tasks of the backend's job.
 */
import path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { WorkerIO } from '../../../worker/io';
import { Adam } from './adam';
import { drawAugment } from '../augment';
import { assertTrainingBackend, initBackend, tf } from './tfjs';
import { configKey, readModelFile, saveModelFile } from './checkpoint';
import type { FinetuneConfig } from '../config';
import { clipAround, countFaces, GEOMETRY_DIM, randomClip, type ClipRef, type CropLibrary, type LabelledFrame, type VideoSource } from '../data';
import { curveHook, evaluationHook, progressHook, stepLogHook, type TrainEvent, type ValidationState } from './hooks';
import { runLoop, type LoopHook } from './loop';
import { maskedMse } from './losses';
import { MetricsAccumulator, type MetricsTable } from '../metrics';
import { AuModel } from './model';
import { GeometryHead } from './objectives/geometry';
import { landmarkInput, modelCheckpointHook, modelVars, openCrops, readBatch, trainResult, trainStep, type TrainResult } from './train';
import { Rng } from '../../../../shared/rng';

export interface FinetuneInput {
  modelDir: string;
  config: FinetuneConfig;
  videos: VideoSource[];
  trainVideoIds: number[];
  valVideoIds: number[];
  /** Every labelled frame (train and validation videos); values follow config.model.aus. */
  labels: LabelledFrame[];
  /** Folder of the pretrained model whose backbone to start from, or null for scratch. */
  parentDir: string | null;
}

export interface FinetuneResult extends TrainResult {
  bestStep: number;
  validation: MetricsTable | null;
}

export interface FinetuneTask {
  input: FinetuneInput;
  event: TrainEvent;
  result: FinetuneResult;
}

/** The checkpoint's state of a finetuning run. */
interface FinetuneState extends ValidationState {
  phase: 'head' | 'full';
  lastLoss: number;
}

function labelIndex(labels: readonly LabelledFrame[]): Map<number, Map<number, Float32Array>> {
  const idx = new Map<number, Map<number, Float32Array>>();
  for (const l of labels) {
    let m = idx.get(l.videoId);
    if (!m) idx.set(l.videoId, (m = new Map()));
    m.set(l.frame, l.values);
  }
  return idx;
}

/** Targets and mask [B,T,A]: labelled frames × labelled AUs with a face; everything else 0. */
export function buildTargets(refs: readonly ClipRef[], index: Map<number, Map<number, Float32Array>>, faceMask: Float32Array, T: number, A: number) {
  const y = new Float32Array(refs.length * T * A);
  const m = new Float32Array(refs.length * T * A);
  refs.forEach((ref, b) => {
    const byFrame = index.get(ref.videoId);
    if (!byFrame) return;
    ref.frames.forEach((f, t) => {
      const values = byFrame.get(f);
      if (!values || faceMask[b * T + t] !== 1) return;
      // A frame repeated at a clip edge is counted once.
      if (ref.frames.indexOf(f) !== t) return;
      for (let a = 0; a < A; a++) {
        const v = values[a]!;
        if (Number.isNaN(v)) continue;
        y[(b * T + t) * A + a] = v;
        m[(b * T + t) * A + a] = 1;
      }
    });
  });
  return { y, m };
}

/** Predictions at held-out labelled frames (each at the centre of its own clip, no augmentation). */
async function evaluate(model: AuModel, lib: CropLibrary, frames: readonly LabelledFrame[], stride: number, rng: Rng): Promise<{ loss: number; table: MetricsTable }> {
  const T = model.config.clipLength;
  const A = model.config.aus.length;
  const acc = new MetricsAccumulator(model.config.aus);
  let se = 0;
  let n = 0;
  const B = 16;
  for (let i = 0; i < frames.length; i += B) {
    const chunk = frames.slice(i, i + B);
    const refs = chunk.map((l) => {
      const v = lib.videos.get(l.videoId)!;
      const centred = clipAround(v, l.frame, T, stride, { int: () => Math.floor(T / 2) } as unknown as Rng);
      return centred;
    });
    const { x, mask, S, geometry } = await readBatch(lib, refs, [refs.map(() => null)], rng, T, model.readsLandmarks);
    const pred = tf.tidy(() => model.regress(model.forward(tf.tensor5d(x, [refs.length, T, S, S, 1]), landmarkInput(geometry, refs.length, T))).dataSync() as Float32Array);
    chunk.forEach((l, b) => {
      const t = refs[b]!.frames.indexOf(l.frame);
      if (t < 0 || mask[b * T + t] !== 1) return;
      for (let a = 0; a < A; a++) {
        const y = l.values[a]!;
        if (Number.isNaN(y)) continue;
        const p = pred[(b * T + t) * A + a]!;
        acc.add(model.config.aus[a]!, y, p, `${l.videoId}:${l.frame}`);
        se += (p - y) ** 2;
        n += 1;
      }
    });
  }
  return { loss: n ? se / n : NaN, table: acc.table('held-out labelled frames') };
}

export async function runFinetune(input: FinetuneInput, io: WorkerIO<'finetune'>): Promise<FinetuneResult> {
  const started = performance.now();
  const backend = await initBackend();
  assertTrainingBackend();
  const cfg = input.config;
  const T = cfg.model.clipLength;
  const A = cfg.model.aus.length;
  const B = cfg.batchClips;
  const geometryWeight = cfg.geometryWeight ?? 0;
  const U = geometryWeight > 0 ? (cfg.unlabelledClips ?? 0) : 0;
  const readsLandmarks = (cfg.model.landmarkUnits ?? 0) > 0;
  const lib = await openCrops(input.videos, cfg.model, geometryWeight > 0 || readsLandmarks);
  const allVideos = [...lib.videos.values()];
  const allFaceCounts = allVideos.map(countFaces);
  const trainIds = new Set(input.trainVideoIds);
  const valIds = new Set(input.valVideoIds);
  const trainFrames = input.labels.filter((l) => trainIds.has(l.videoId) && lib.videos.has(l.videoId) && l.frame < lib.videos.get(l.videoId)!.frameCount);
  const valFrames = input.labels.filter((l) => valIds.has(l.videoId) && lib.videos.has(l.videoId) && l.frame < lib.videos.get(l.videoId)!.frameCount);
  if (!trainFrames.length) throw new Error('There are no labelled frames in the training videos. Label some sampled frames first.');
  const index = labelIndex(trainFrames);

  const model = new AuModel(cfg.model, cfg.seed);
  const geometryHead = geometryWeight > 0 ? new GeometryHead(cfg.model.featureDim) : null;
  if (input.parentDir) {
    const parent = readModelFile(input.parentDir);
    const copied = model.copyFrom(parent.weights, ['enc', 'tmp']);
    for (const t of parent.weights.values()) t.dispose();
    io.log(`Starting from the pretrained backbone in ${path.basename(input.parentDir)} (${copied.length} tensors).`);
  }
  const headSteps = input.parentDir ? cfg.headSteps : 0;
  const totalSteps = headSteps + cfg.fullSteps;
  const optimizer = new Adam({ lr: cfg.lr, weightDecay: cfg.weightDecay, clipNorm: 5 });
  const rng = new Rng(cfg.seed);
  const state: FinetuneState = { phase: headSteps > 0 ? 'head' : 'full', lastLoss: NaN, bestVal: null, bestStep: 0, badEvals: 0, stopped: false };
  let best = new Map<string, tfjs.Tensor>();
  const snapshotBest = () => {
    for (const t of best.values()) t.dispose();
    best = new Map([...model.vars].map(([n, v]) => [n, tf.clone(v)]));
  };
  const phaseVars = () => {
    const vars = state.phase === 'head' ? modelVars(model, ['head']) : modelVars(model, ['enc', 'tmp', 'head']);
    for (const [n, v] of geometryHead?.set.vars ?? []) vars.set(`obj/geometry/${n}`, v);
    return vars;
  };
  let vars = phaseVars();
  let lastVal: MetricsTable | null = null;

  const step = async () => {
    const labelled = Array.from({ length: B }, () => {
      const l = trainFrames[rng.int(trainFrames.length)]!;
      return clipAround(lib.videos.get(l.videoId)!, l.frame, T, cfg.stride, rng);
    });
    // Unlabelled clips from every video (test people's too): only the geometry term sees them.
    const refs = [...labelled, ...Array.from({ length: U }, () => randomClip(allVideos, allFaceCounts, T, cfg.stride, rng))];
    const views = [refs.map(() => drawAugment(cfg.augment, lib.cropSize, rng))];
    const { x, mask, S, geometry } = await readBatch(lib, refs, views, rng, T, geometryHead !== null || readsLandmarks);
    const { y, m } = buildTargets(refs, index, mask, T, A);
    const N = B + U;
    const outcome = tf.tidy(() => {
      const clips = tf.tensor5d(x, [N, T, S, S, 1]);
      const target = tf.tensor3d(y, [N, T, A]);
      const lossMask = tf.tensor3d(m, [N, T, A]);
      const geoTarget = geometry && geometryHead ? tf.tensor3d(geometry.out, [N, T, GEOMETRY_DIM]) : null;
      const geoMask = geometry && geometryHead ? tf.tensor2d(geometry.mask, [N, T]) : null;
      const landmarks = readsLandmarks ? landmarkInput(geometry, N, T) : undefined;
      return trainStep(vars, optimizer, (): { total: tfjs.Scalar; parts: Record<string, tfjs.Scalar> } => {
        const h = model.forward(clips, landmarks);
        const mse = maskedMse(model.regress(h), target, lossMask);
        if (!geometryHead || !geoTarget || !geoMask) return { total: mse, parts: { mse } };
        const geo = geometryHead.loss(h, geoTarget, geoMask);
        return { total: tf.add(mse, tf.mul(geo, geometryWeight)) as tfjs.Scalar, parts: { mse, geometry: geo } };
      });
    });
    state.lastLoss = outcome.loss;
    return outcome;
  };

  // Head only, then the whole network at its own rate; set again after a resume restored the phase.
  const phases: LoopHook = {
    start() {
      io.log(
        `Finetuning on ${backend.kind}: ${trainFrames.length} labelled frames in ${trainIds.size} training videos, ${valFrames.length} in ${valIds.size} validation videos; ` +
          `${headSteps} head-only steps, then ${cfg.fullSteps} steps of the whole network at ${cfg.lr * (headSteps ? cfg.fullLrScale : 1)}.`,
      );
      vars = phaseVars();
      optimizer.lr = state.phase === 'head' || headSteps === 0 ? cfg.lr : cfg.lr * cfg.fullLrScale;
    },
    beforeStep(loop) {
      if (state.phase !== 'head' || loop.step < headSteps) return;
      state.phase = 'full';
      vars = phaseVars();
      optimizer.lr = cfg.lr * cfg.fullLrScale;
      io.log(`Head-only phase done at step ${loop.step}; now training the whole network at lr ${optimizer.lr}.`);
    },
  };
  const framesPerStep = (B + U) * T;
  const hooks = [
    stepLogHook(io, { stage: 'finetune', phase: () => state.phase, lr: () => optimizer.lr }),
    evaluationHook(io, {
      every: valFrames.length ? cfg.evalEvery : 0,
      patience: cfg.patience,
      state,
      // Only the whole-network phase competes for "best": the head-only phase is a warm-up.
      competes: () => state.phase === 'full',
      async evaluate() {
        const ev = await evaluate(model, lib, valFrames, cfg.stride, rng);
        lastVal = ev.table;
        return { loss: ev.loss, icc: ev.table.mean.icc };
      },
      onBest: snapshotBest,
    }),
    curveHook(input.modelDir, (loop, r) => ({ step: loop.step, loss: r.loss, phase: state.phase, fps: r.framesPerSec })),
    progressHook(io, (loop, r) => `Finetuning step ${loop.step} of ${loop.totalSteps} (${state.phase}), loss ${r.loss.toFixed(3)}`),
    modelCheckpointHook(io, {
      dir: input.modelDir,
      kind: 'finetune',
      what: 'finetuning',
      every: cfg.checkpointEvery,
      key: configKey({ stage: 'finetune', cfg, parent: input.parentDir, train: input.trainVideoIds, val: input.valVideoIds }),
      config: cfg,
      model,
      optimizer,
      rng,
      state,
      extra: () => [
        ...[...best].map(([n, t]) => [`best/${n}`, t] as [string, tfjs.Tensor]),
        ...[...(geometryHead?.set.vars ?? [])].map(([n, v]) => [`obj/geometry/${n}`, v] as [string, tfjs.Tensor]),
      ],
      restoreExtra(extra) {
        for (const [n, t] of extra) {
          if (n.startsWith('best/')) best.set(n.slice(5), t);
          else if (n.startsWith('obj/geometry/') && geometryHead) {
            geometryHead.set.get(n.slice('obj/geometry/'.length)).assign(t);
            t.dispose();
          } else t.dispose();
        }
      },
    }),
    phases,
  ];

  try {
    const run = await runLoop({ totalSteps, framesPerStep, step, hooks, signal: io.signal });
    // The model kept is the best on validation (or the last one when there is no validation).
    if (best.size) for (const [n, t] of best) model.vars.get(n)?.assign(t);
    else state.bestStep = run.steps;
    const validation = valFrames.length ? (await evaluate(model, lib, valFrames, cfg.stride, rng)).table : null;
    const modelFile = await saveModelFile(input.modelDir, 'finetune', model, {
      stride: cfg.stride,
      steps: run.steps,
      bestStep: state.bestStep,
      parent: input.parentDir ? path.basename(input.parentDir) : null,
      backend: backend.kind,
    });
    return {
      ...trainResult({ modelFile, run, started, framesPerStep, projection: false, finalLoss: state.lastLoss, model, backend }),
      bestStep: state.bestStep,
      validation: validation ?? lastVal,
    };
  } finally {
    for (const t of best.values()) t.dispose();
    geometryHead?.dispose();
    model.dispose();
    optimizer.dispose();
    await lib.close();
  }
}
