/**
 * The worker-side learning tasks: contrastive pretraining, sparse-label finetuning and
 * sliding-window inference. They read crop files, never the database; results stream back
 * to the backend as events (per-step losses, per-video predictions), and every checkpointEvery
 * steps the whole training state is written so a killed run continues where it stopped.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { WorkerIO } from '../../worker/io';
import { Adam } from './adam';
import { drawAugment } from './augment';
import { assertTrainingBackend, initBackend, tf, type BackendInfo } from './backend';
import { configKey, readCheckpointMeta, readModelFile, restoreCheckpoint, saveCheckpoint, saveModelFile } from './checkpoint';
import { appendCurve, truncateCurve } from './curve';
import type { FinetuneConfig, PretrainConfig } from './config';
import { clipAround, countFaces, CropLibrary, GEOMETRY_DIM, randomClip, type ClipRef, type LabelledFrame, type VideoSource } from './data';
import { maskedMse } from './losses';
import { MetricsAccumulator, type MetricsTable } from './metrics';
import { AuModel, forwardFlopsPerFrame, type VarGroup } from './model';
import { createObjectives } from './objectives';
import { needsGeometry } from './objectives/catalog';
import { GeometryHead } from './objectives/geometry';
import { Rng } from '../../../shared/rng';
import { planWindows, WindowMerger } from './windows';

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

export interface TrainResult {
  modelFile: string;
  steps: number;
  resumedFrom: number | null;
  seconds: number;
  /** Mean training throughput over this run's steps (frames through the network per second). */
  framesPerSec: number;
  /** Median wall time of one training step, seconds. */
  stepSeconds: number;
  /** Estimated floating point operations of one training step (≈ 3× forward). */
  flopsPerStep: number;
  finalLoss: number;
  parameters: number;
  backend: BackendInfo;
}

export interface PretrainInput {
  modelDir: string;
  config: PretrainConfig;
  videos: VideoSource[];
}

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

export interface PredictInput {
  modelDir: string;
  videos: VideoSource[];
  /** Windows per forward pass. */
  batchWindows?: number;
}

export type PredictEvent = { type: 'video'; videoId: number; frameCount: number; aus: number[]; data: Float32Array };

export interface PredictResult {
  videos: number;
  frames: number;
  seconds: number;
  framesPerSec: number;
  backend: BackendInfo;
}

export interface PretrainTask {
  input: PretrainInput;
  event: TrainEvent;
  result: TrainResult;
}
export interface FinetuneTask {
  input: FinetuneInput;
  event: TrainEvent;
  result: FinetuneResult;
}
export interface PredictTask {
  input: PredictInput;
  event: PredictEvent;
  result: PredictResult;
}

export class TaskCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Shared bookkeeping: throughput, ETA, the step log line. */
class Pace {
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

/**
 * One optimisation step: gradients of `lossFn` w.r.t. `vars` (logical name → variable), Adam
 * update, and the loss parts read back. lossFn returns the total and the named parts.
 */
function trainStep(
  vars: Map<string, tfjs.Variable>,
  optimizer: Adam,
  lossFn: () => { total: tfjs.Scalar; parts: Record<string, tfjs.Scalar> },
): { loss: number; parts: Record<string, number> } {
  const tfNames = new Map([...vars].map(([logical, v]) => [v.name, logical]));
  let kept: Record<string, tfjs.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const { total, parts } = lossFn();
    kept = Object.fromEntries(Object.entries(parts).map(([k, t]) => [k, tf.keep(t)]));
    return total;
  }, [...vars.values()]);
  const named = new Map<string, tfjs.Tensor>();
  for (const [tfName, g] of Object.entries(grads)) named.set(tfNames.get(tfName) ?? tfName, g);
  optimizer.apply(vars, named);
  const loss = value.dataSync()[0]!;
  const parts = Object.fromEntries(Object.entries(kept).map(([k, t]) => [k, t.dataSync()[0]!]));
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  for (const t of Object.values(kept)) t.dispose();
  if (!Number.isFinite(loss)) throw new Error('The training loss became NaN or infinite. Lower the learning rate and train again.');
  return { loss, parts };
}

function modelVars(model: AuModel, groups: readonly VarGroup[]): Map<string, tfjs.Variable> {
  return new Map(model.variables(groups).map((v) => [model.logicalName(v), v]));
}

async function readBatch(lib: CropLibrary, refs: ClipRef[], views: (ReturnType<typeof drawAugment> | null)[][], rng: Rng, T: number, withGeometry = false) {
  const S = lib.cropSize;
  const nViews = views.length;
  const B = refs.length;
  const x = new Float32Array(nViews * B * T * S * S);
  // The plain frames too when the input is reference-subtracted (flow targets need texture).
  const pixels = lib.normalized ? new Float32Array(x.length) : x;
  const mask = new Float32Array(nViews * B * T);
  const geometry = withGeometry ? { out: new Float32Array(nViews * B * T * GEOMETRY_DIM), mask: new Float32Array(nViews * B * T) } : undefined;
  for (let v = 0; v < nViews; v++) {
    for (let b = 0; b < B; b++) {
      const i = v * B + b;
      await lib.readClip(refs[b]!, views[v]![b]!, rng, x, i * T * S * S, mask, i * T, lib.normalized ? pixels : undefined, geometry);
    }
  }
  return { x, pixels, mask, S, geometry };
}

// ───────────────────────────────── pretraining ─────────────────────────────────

export async function runPretrain(input: PretrainInput, io: WorkerIO<'pretrain'>): Promise<TrainResult> {
  const started = performance.now();
  const backend = await initBackend();
  assertTrainingBackend();
  const cfg = input.config;
  const T = cfg.model.clipLength;
  const B = cfg.batchClips;
  const withGeometry = needsGeometry(cfg.objectives);
  const lib = await CropLibrary.open(input.videos, { reference: cfg.model.inputNorm, geometry: withGeometry });
  if (lib.cropSize !== cfg.model.inputSize) throw new Error(`The crops are ${lib.cropSize} px but the model expects ${cfg.model.inputSize} px.`);
  const videos = [...lib.videos.values()];
  const faceCounts = videos.map(countFaces);
  const model = new AuModel(cfg.model, cfg.seed);
  const objectives = createObjectives(cfg.objectives, model);
  const optimizer = new Adam({ lr: cfg.lr, weightDecay: cfg.weightDecay, clipNorm: 5 });
  const rng = new Rng(cfg.seed);
  const key = configKey({ stage: 'pretrain', cfg });
  const vars = modelVars(model, ['enc', 'tmp', 'proj']);
  for (const { objective } of objectives) for (const [n, v] of objective.variables) vars.set(`obj/${objective.kind}/${n}`, v);
  const objectiveVars = [...vars].filter(([n]) => n.startsWith('obj/'));

  let step = 0;
  let resumedFrom: number | null = null;
  const meta = readCheckpointMeta<{ lastLoss: number }>(input.modelDir);
  let lastLoss = NaN;
  if (meta) {
    if (meta.kind !== 'pretrain' || meta.configKey !== key) {
      throw new Error(`${input.modelDir} holds a checkpoint trained with other settings. Give this model a new name, or delete that folder to start over.`);
    }
    const extra = restoreCheckpoint(input.modelDir, meta, model, optimizer);
    for (const [n, v] of objectiveVars) {
      const t = extra.get(n);
      if (t) v.assign(t);
    }
    for (const t of extra.values()) t.dispose();
    step = meta.step;
    rng.state = meta.rng;
    lastLoss = meta.state.lastLoss;
    resumedFrom = step;
    truncateCurve(input.modelDir, step);
    io.emit({ type: 'resumed', step });
    io.log(`Resumed pretraining from the checkpoint at step ${step} of ${cfg.steps}.`);
  } else {
    fs.rmSync(path.join(input.modelDir, 'curve.jsonl'), { force: true });
  }
  io.log(
    `Pretraining on ${backend.kind}${backend.threads ? ` (${backend.threads} threads)` : ''}: ${model.parameterCount()} parameters, ` +
      `${videos.length} videos, ${B} clips × ${T} frames × 2 views per step, objectives ${cfg.objectives.map((o) => `${o.kind}×${o.weight}`).join(' + ')}.`,
  );

  const framesPerStep = 2 * B * T;
  const pace = new Pace();
  const save = async () => {
    await saveCheckpoint(input.modelDir, {
      kind: 'pretrain',
      step,
      configKey: key,
      config: cfg,
      model,
      optimizer,
      rng: rng.state,
      state: { lastLoss },
      extra: objectiveVars.map(([n, v]) => [n, v]),
    });
    io.emit({ type: 'checkpoint', step });
  };

  try {
    while (step < cfg.steps) {
      if (io.signal.aborted) {
        await save();
        throw new TaskCancelled();
      }
      const t0 = performance.now();
      const refs = Array.from({ length: B }, () => randomClip(videos, faceCounts, T, cfg.stride, rng));
      const views = [refs.map(() => drawAugment(cfg.augment, lib.cropSize, rng)), refs.map(() => drawAugment(cfg.augment, lib.cropSize, rng))];
      const { x, pixels, mask, S, geometry } = await readBatch(lib, refs, views, rng, T, withGeometry);
      const subjects = refs.map((r) => lib.videos.get(r.videoId)?.subject ?? null);
      const { loss, parts } = tf.tidy(() => {
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
      step += 1;
      lastLoss = loss;
      pace.record((performance.now() - t0) / 1000, framesPerStep);
      const e: StepEvent = {
        type: 'step',
        stage: 'pretrain',
        phase: 'contrastive',
        step,
        totalSteps: cfg.steps,
        loss,
        parts,
        lr: optimizer.lr,
        framesPerSec: pace.fps(framesPerStep),
        etaSeconds: pace.eta(cfg.steps - step),
      };
      io.emit(e);
      io.log(stepLine(e));
      appendCurve(input.modelDir, { step, loss, parts, fps: e.framesPerSec });
      io.progress(step / cfg.steps, `Pretraining step ${step} of ${cfg.steps}, loss ${loss.toFixed(3)}`);
      if (step % cfg.checkpointEvery === 0 && step < cfg.steps) await save();
    }
    await save();
    const modelFile = await saveModelFile(input.modelDir, 'pretrain', model, {
      objectives: cfg.objectives,
      steps: cfg.steps,
      stride: cfg.stride,
      backend: backend.kind,
    });
    return {
      modelFile,
      steps: step,
      resumedFrom,
      seconds: (performance.now() - started) / 1000,
      framesPerSec: pace.meanFps(),
      stepSeconds: pace.median(),
      flopsPerStep: 3 * framesPerStep * forwardFlopsPerFrame(cfg.model, true),
      finalLoss: lastLoss,
      parameters: model.parameterCount(),
      backend,
    };
  } finally {
    for (const { objective } of objectives) objective.dispose();
    model.dispose();
    optimizer.dispose();
    await lib.close();
  }
}

// ───────────────────────────────── finetuning ─────────────────────────────────

interface FinetuneState {
  phase: 'head' | 'full';
  lastLoss: number;
  bestVal: number | null;
  bestStep: number;
  badEvals: number;
  stopped: boolean;
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
    const { x, mask, S } = await readBatch(lib, refs, [refs.map(() => null)], rng, T);
    const pred = tf.tidy(() => model.regress(model.forward(tf.tensor5d(x, [refs.length, T, S, S, 1]))).dataSync() as Float32Array);
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
  const lib = await CropLibrary.open(input.videos, { reference: cfg.model.inputNorm, geometry: geometryWeight > 0 });
  if (lib.cropSize !== cfg.model.inputSize) throw new Error(`The crops are ${lib.cropSize} px but the model expects ${cfg.model.inputSize} px.`);
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
  const key = configKey({ stage: 'finetune', cfg, parent: input.parentDir, train: input.trainVideoIds, val: input.valVideoIds });
  let state: FinetuneState = { phase: headSteps > 0 ? 'head' : 'full', lastLoss: NaN, bestVal: null, bestStep: 0, badEvals: 0, stopped: false };
  let best = new Map<string, tfjs.Tensor>();
  let step = 0;
  let resumedFrom: number | null = null;
  const meta = readCheckpointMeta<FinetuneState>(input.modelDir);
  if (meta) {
    if (meta.kind !== 'finetune' || meta.configKey !== key) {
      throw new Error(`${input.modelDir} holds a checkpoint trained with other settings. Give this model a new name, or delete that folder to start over.`);
    }
    const extra = restoreCheckpoint(input.modelDir, meta, model, optimizer);
    for (const [n, t] of extra) {
      if (n.startsWith('best/')) best.set(n.slice(5), t);
      else if (n.startsWith('obj/geometry/') && geometryHead) {
        geometryHead.set.get(n.slice('obj/geometry/'.length)).assign(t);
        t.dispose();
      } else t.dispose();
    }
    step = meta.step;
    rng.state = meta.rng;
    state = meta.state;
    resumedFrom = step;
    truncateCurve(input.modelDir, step);
    io.emit({ type: 'resumed', step });
    io.log(`Resumed finetuning from the checkpoint at step ${step} of ${totalSteps}.`);
  } else {
    fs.rmSync(path.join(input.modelDir, 'curve.jsonl'), { force: true });
  }
  io.log(
    `Finetuning on ${backend.kind}: ${trainFrames.length} labelled frames in ${trainIds.size} training videos, ${valFrames.length} in ${valIds.size} validation videos; ` +
      `${headSteps} head-only steps, then ${cfg.fullSteps} steps of the whole network at ${cfg.lr * (headSteps ? cfg.fullLrScale : 1)}.`,
  );

  const framesPerStep = (B + U) * T;
  const pace = new Pace();
  const snapshotBest = () => {
    for (const t of best.values()) t.dispose();
    best = new Map([...model.vars].map(([n, v]) => [n, tf.clone(v)]));
  };
  const save = async () => {
    await saveCheckpoint(input.modelDir, {
      kind: 'finetune',
      step,
      configKey: key,
      config: cfg,
      model,
      optimizer,
      rng: rng.state,
      state,
      extra: [
        ...[...best].map(([n, t]) => [`best/${n}`, t] as [string, tfjs.Tensor]),
        ...[...(geometryHead?.set.vars ?? [])].map(([n, v]) => [`obj/geometry/${n}`, v] as [string, tfjs.Tensor]),
      ],
    });
    io.emit({ type: 'checkpoint', step });
  };
  const phaseVars = () => {
    const vars = state.phase === 'head' ? modelVars(model, ['head']) : modelVars(model, ['enc', 'tmp', 'head']);
    for (const [n, v] of geometryHead?.set.vars ?? []) vars.set(`obj/geometry/${n}`, v);
    return vars;
  };
  let vars = phaseVars();
  optimizer.lr = state.phase === 'head' || headSteps === 0 ? cfg.lr : cfg.lr * cfg.fullLrScale;
  let lastVal: MetricsTable | null = null;

  try {
    while (step < totalSteps && !state.stopped) {
      if (io.signal.aborted) {
        await save();
        throw new TaskCancelled();
      }
      if (state.phase === 'head' && step >= headSteps) {
        state.phase = 'full';
        vars = phaseVars();
        optimizer.lr = cfg.lr * cfg.fullLrScale;
        io.log(`Head-only phase done at step ${step}; now training the whole network at lr ${optimizer.lr}.`);
      }
      const t0 = performance.now();
      const labelled = Array.from({ length: B }, () => {
        const l = trainFrames[rng.int(trainFrames.length)]!;
        return clipAround(lib.videos.get(l.videoId)!, l.frame, T, cfg.stride, rng);
      });
      // Unlabelled clips from every video (test people's too): only the geometry term sees them.
      const refs = [...labelled, ...Array.from({ length: U }, () => randomClip(allVideos, allFaceCounts, T, cfg.stride, rng))];
      const views = [refs.map(() => drawAugment(cfg.augment, lib.cropSize, rng))];
      const { x, mask, S, geometry } = await readBatch(lib, refs, views, rng, T, geometryHead !== null);
      const { y, m } = buildTargets(refs, index, mask, T, A);
      const N = B + U;
      const { loss, parts } = tf.tidy(() => {
        const clips = tf.tensor5d(x, [N, T, S, S, 1]);
        const target = tf.tensor3d(y, [N, T, A]);
        const lossMask = tf.tensor3d(m, [N, T, A]);
        const geoTarget = geometry ? tf.tensor3d(geometry.out, [N, T, GEOMETRY_DIM]) : null;
        const geoMask = geometry ? tf.tensor2d(geometry.mask, [N, T]) : null;
        return trainStep(vars, optimizer, (): { total: tfjs.Scalar; parts: Record<string, tfjs.Scalar> } => {
          const h = model.forward(clips);
          const mse = maskedMse(model.regress(h), target, lossMask);
          if (!geometryHead || !geoTarget || !geoMask) return { total: mse, parts: { mse } };
          const geo = geometryHead.loss(h, geoTarget, geoMask);
          return { total: tf.add(mse, tf.mul(geo, geometryWeight)) as tfjs.Scalar, parts: { mse, geometry: geo } };
        });
      });
      step += 1;
      state.lastLoss = loss;
      pace.record((performance.now() - t0) / 1000, framesPerStep);
      const e: StepEvent = {
        type: 'step',
        stage: 'finetune',
        phase: state.phase,
        step,
        totalSteps,
        loss,
        parts,
        lr: optimizer.lr,
        framesPerSec: pace.fps(framesPerStep),
        etaSeconds: pace.eta(totalSteps - step),
      };
      io.emit(e);
      io.log(stepLine(e));
      const point: Record<string, unknown> = { step, loss, phase: state.phase, fps: e.framesPerSec };
      if (cfg.evalEvery > 0 && valFrames.length && (step % cfg.evalEvery === 0 || step === totalSteps)) {
        const ev = await evaluate(model, lib, valFrames, cfg.stride, rng);
        lastVal = ev.table;
        // Only the whole-network phase competes for "best": the head-only phase is a warm-up.
        const improved = state.phase === 'full' && (state.bestVal === null || ev.loss < state.bestVal);
        if (improved) {
          state.bestVal = ev.loss;
          state.bestStep = step;
          state.badEvals = 0;
          snapshotBest();
        } else if (state.phase === 'full') state.badEvals += 1;
        io.emit({ type: 'eval', step, valLoss: ev.loss, valIcc: ev.table.mean.icc, best: improved });
        io.log(`validation at step ${step}: mse ${ev.loss.toFixed(4)}, ICC ${ev.table.mean.icc ?? 'n/a'}${improved ? ' (best so far)' : ''}`);
        point.valLoss = ev.loss;
        point.valIcc = ev.table.mean.icc;
        if (cfg.patience > 0 && state.badEvals >= cfg.patience) {
          state.stopped = true;
          io.log(`Stopping early at step ${step}: no validation improvement in ${cfg.patience} evaluations (best at step ${state.bestStep}).`);
        }
      }
      appendCurve(input.modelDir, point);
      io.progress(step / totalSteps, `Finetuning step ${step} of ${totalSteps} (${state.phase}), loss ${loss.toFixed(3)}`);
      if (step % cfg.checkpointEvery === 0 && step < totalSteps) await save();
    }
    await save();
    // The model kept is the best on validation (or the last one when there is no validation).
    if (best.size) for (const [n, t] of best) model.vars.get(n)?.assign(t);
    else state.bestStep = step;
    const validation = valFrames.length ? (await evaluate(model, lib, valFrames, cfg.stride, rng)).table : null;
    const modelFile = await saveModelFile(input.modelDir, 'finetune', model, {
      stride: cfg.stride,
      steps: step,
      bestStep: state.bestStep,
      parent: input.parentDir ? path.basename(input.parentDir) : null,
      backend: backend.kind,
    });
    return {
      modelFile,
      steps: step,
      resumedFrom,
      seconds: (performance.now() - started) / 1000,
      framesPerSec: pace.meanFps(),
      stepSeconds: pace.median(),
      flopsPerStep: 3 * framesPerStep * forwardFlopsPerFrame(cfg.model, false),
      finalLoss: state.lastLoss,
      parameters: model.parameterCount(),
      backend,
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

// ───────────────────────────────── inference ─────────────────────────────────

/** Loads a finished model for inference. */
export function loadModel(dir: string): { model: AuModel; stride: number; stage: string } {
  const { meta, weights } = readModelFile(dir);
  const model = new AuModel(meta.config, 1);
  model.copyFrom(weights, ['enc', 'tmp', 'proj', 'head']);
  for (const t of weights.values()) t.dispose();
  return { model, stride: Number(meta.info.stride ?? 1) || 1, stage: meta.stage };
}

export async function predictVideo(model: AuModel, lib: CropLibrary, video: VideoSource, stride: number, batchWindows: number, signal?: AbortSignal): Promise<Float32Array> {
  const T = model.config.clipLength;
  const A = model.config.aus.length;
  const S = lib.cropSize;
  const windows = planWindows(video.frameCount, T, stride, Math.ceil(T / 2));
  const merger = new WindowMerger(video.frameCount, A);
  const rng = new Rng(1);
  for (let i = 0; i < windows.length; i += batchWindows) {
    if (signal?.aborted) throw new TaskCancelled();
    const chunk = windows.slice(i, i + batchWindows);
    const refs = chunk.map((w) => ({ videoId: video.id, frames: w.frames }));
    const x = new Float32Array(chunk.length * T * S * S);
    const mask = new Float32Array(chunk.length * T);
    for (let b = 0; b < refs.length; b++) await lib.readClip(refs[b]!, null, rng, x, b * T * S * S, mask, b * T);
    const out = tf.tidy(() => model.regress(model.forward(tf.tensor5d(x, [chunk.length, T, S, S, 1]))).dataSync() as Float32Array);
    chunk.forEach((w, b) => merger.add(w, out, b * T * A));
  }
  return merger.result(video.face);
}

export async function runPredict(input: PredictInput, io: WorkerIO<'predict'>): Promise<PredictResult> {
  const started = performance.now();
  const backend = await initBackend();
  const { model, stride, stage } = loadModel(input.modelDir);
  if (stage !== 'finetune') {
    model.dispose();
    throw new Error('This model is only pretrained: finetune it on labels before predicting intensities.');
  }
  const lib = await CropLibrary.open(input.videos, { reference: model.config.inputNorm });
  const total = [...lib.videos.values()].reduce((n, v) => n + v.frameCount, 0);
  let done = 0;
  try {
    for (const v of lib.videos.values()) {
      const data = await predictVideo(model, lib, v, stride, input.batchWindows ?? 16, io.signal);
      io.emit({ type: 'video', videoId: v.id, frameCount: v.frameCount, aus: model.config.aus, data });
      done += v.frameCount;
      const secs = (performance.now() - started) / 1000;
      io.progress(done / Math.max(1, total), `Predicted ${done} of ${total} frames (${(done / secs).toFixed(0)} frames/s)`);
    }
    const seconds = (performance.now() - started) / 1000;
    io.log(`Predicted ${done} frames of ${lib.videos.size} videos in ${seconds.toFixed(1)} s on ${backend.kind}.`);
    return { videos: lib.videos.size, frames: done, seconds, framesPerSec: done / seconds, backend };
  } finally {
    model.dispose();
    await lib.close();
  }
}

// ───────────────────────────────── backend probe ─────────────────────────────────

export interface ProbeTask {
  input: Record<string, never>;
  event: never;
  result: BackendInfo & { trainingAllowed: boolean };
}

/** Which backend a learning worker gets here (the backend process itself never loads tfjs). */
export async function runProbe(): Promise<ProbeTask['result']> {
  const info = await initBackend();
  let trainingAllowed = true;
  try {
    assertTrainingBackend();
  } catch {
    trainingAllowed = false;
  }
  return { ...info, trainingAllowed };
}
