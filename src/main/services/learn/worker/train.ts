/**
 * What pretraining and finetuning share on the TensorFlow.js side: the optimisation step, the
 * batch reader, the model checkpoint as a loop hook and the result; and the backend probe. The
 * loop itself is loop.ts, the stages pretrain.ts and finetune.ts, inference predict.ts. They
 * read crop files, never the database; results stream back to the backend as events.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Adam } from './adam';
import type { drawAugment } from '../augment';
import { assertTrainingBackend, initBackend, tf, type BackendInfo } from './tfjs';
import { readCheckpointMeta, restoreCheckpoint, saveCheckpoint } from './checkpoint';
import type { ModelConfig } from '../config';
import { CropLibrary, GEOMETRY_DIM, type ClipRef, type VideoSource } from '../data';
import { checkpointHook, type TrainIO } from './hooks';
import type { LoopHook, LoopResult } from './loop';
import { forwardFlopsPerFrame, type AuModel, type VarGroup } from './model';
import type { Rng } from '../../../../shared/rng';

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

export function trainResult(o: {
  modelFile: string;
  run: LoopResult;
  started: number;
  framesPerStep: number;
  /** Whether the step runs the projection head (pretraining). */
  projection: boolean;
  finalLoss: number;
  model: AuModel;
  backend: BackendInfo;
}): TrainResult {
  return {
    modelFile: o.modelFile,
    steps: o.run.steps,
    resumedFrom: o.run.resumedFrom,
    seconds: (performance.now() - o.started) / 1000,
    framesPerSec: o.run.framesPerSec,
    stepSeconds: o.run.stepSeconds,
    flopsPerStep: 3 * o.framesPerStep * forwardFlopsPerFrame(o.model.config, o.projection),
    finalLoss: o.finalLoss,
    parameters: o.model.parameterCount(),
    backend: o.backend,
  };
}

/** The crops of `videos`, which must have the size the model reads. */
export async function openCrops(videos: VideoSource[], model: ModelConfig, geometry: boolean): Promise<CropLibrary> {
  const lib = await CropLibrary.open(videos, { reference: model.inputNorm, geometry });
  if (lib.cropSize !== model.inputSize) {
    await lib.close();
    throw new Error(`The crops are ${lib.cropSize} px but the model expects ${model.inputSize} px.`);
  }
  return lib;
}

/**
 * One optimisation step: gradients of `lossFn` w.r.t. `vars` (logical name → variable), Adam
 * update, and the loss parts read back. lossFn returns the total and the named parts.
 */
export function trainStep(
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

export function modelVars(model: AuModel, groups: readonly VarGroup[]): Map<string, tfjs.Variable> {
  return new Map(model.variables(groups).map((v) => [model.logicalName(v), v]));
}

export async function readBatch(lib: CropLibrary, refs: ClipRef[], views: (ReturnType<typeof drawAugment> | null)[][], rng: Rng, T: number, withGeometry = false) {
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

/**
 * The landmark input of a batch ([B,T,136], zeros where a frame has no landmarks), for a network
 * that reads them; undefined for one that does not.
 */
export function landmarkInput(geometry: { out: Float32Array } | undefined, B: number, T: number): tfjs.Tensor3D | undefined {
  return geometry ? tf.tensor3d(geometry.out, [B, T, GEOMETRY_DIM]) : undefined;
}

/**
 * The training state in `dir` as a loop hook: model, optimizer, RNG, `state` (restored in
 * place) and the caller's extra tensors, which `restoreExtra` takes over on a resume. A
 * checkpoint of other settings is refused rather than resumed.
 */
export function modelCheckpointHook<S extends object>(
  io: TrainIO,
  o: {
    dir: string;
    kind: 'pretrain' | 'finetune';
    /** For the log: "Resumed <what> from the checkpoint…". */
    what: string;
    every: number;
    key: string;
    config: unknown;
    model: AuModel;
    optimizer: Adam;
    rng: Rng;
    state: S;
    extra: () => [string, tfjs.Tensor][];
    restoreExtra: (extra: Map<string, tfjs.Tensor>) => void;
  },
): LoopHook {
  return checkpointHook(io, {
    every: o.every,
    what: o.what,
    resume() {
      const meta = readCheckpointMeta<S>(o.dir);
      if (!meta) return null;
      if (meta.kind !== o.kind || meta.configKey !== o.key) {
        throw new Error(`${o.dir} holds a checkpoint trained with other settings. Give this model a new name, or delete that folder to start over.`);
      }
      o.restoreExtra(restoreCheckpoint(o.dir, meta, o.model, o.optimizer));
      o.rng.state = meta.rng;
      Object.assign(o.state, meta.state);
      return meta.step;
    },
    async save(step) {
      const { dir, kind, key: configKey, config, model, optimizer, rng, state } = o;
      await saveCheckpoint(dir, { kind, step, configKey, config, model, optimizer, rng: rng.state, state, extra: o.extra() });
    },
  });
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
