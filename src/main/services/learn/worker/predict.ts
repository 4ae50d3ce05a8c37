/** Worker task: sliding-window inference of a finished model over whole videos. */
import type { WorkerIO } from '../../../worker/io';
import { initBackend, tf, type BackendInfo } from './tfjs';
import { readModelFile } from './checkpoint';
import { CropLibrary, GEOMETRY_DIM, type VideoSource } from '../data';
import { landmarkInput } from './train';
import { AuModel } from './model';
import { planWindows, WindowMerger } from './windows';
import { Rng } from '../../../../shared/rng';

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

export interface PredictTask {
  input: PredictInput;
  event: PredictEvent;
  result: PredictResult;
}

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
    signal?.throwIfAborted();
    const chunk = windows.slice(i, i + batchWindows);
    const refs = chunk.map((w) => ({ videoId: video.id, frames: w.frames }));
    const x = new Float32Array(chunk.length * T * S * S);
    const mask = new Float32Array(chunk.length * T);
    const geometry = model.readsLandmarks ? { out: new Float32Array(chunk.length * T * GEOMETRY_DIM), mask: new Float32Array(chunk.length * T) } : undefined;
    for (let b = 0; b < refs.length; b++) await lib.readClip(refs[b]!, null, rng, x, b * T * S * S, mask, b * T, undefined, geometry);
    const out = tf.tidy(() => model.regress(model.forward(tf.tensor5d(x, [chunk.length, T, S, S, 1]), landmarkInput(geometry, chunk.length, T))).dataSync() as Float32Array);
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
  const lib = await CropLibrary.open(input.videos, { reference: model.config.inputNorm, geometry: model.readsLandmarks });
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
