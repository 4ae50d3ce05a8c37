/**
 * Worker task: the OpenFace-style baseline (baseline.ts) trained on the same labelled frames as
 * a network and scored on the same held-out frames, so the Train view can say whether the
 * network beats the simple model on this project. No TensorFlow.js.
 */
import type { WorkerIO } from '../../../worker/io';
import { BaselineFeatures, fitBaseline, predictBaselineVideo } from './baseline';
import { CropLibrary, type LabelledFrame, type VideoSource } from '../data';
import { MetricsAccumulator, type MetricsTable } from '../metrics';
import { personOf } from '../../../../shared/people';

export interface BaselineInput {
  /** Every video the folds mention, with landmarks. */
  videos: VideoSource[];
  aus: number[];
  labels: LabelledFrame[];
  /**
   * Evaluation folds: fit on the labelled frames of `train`, score on those of `test`; the
   * scores of all folds are pooled (one fold = a hold-out split, k folds = cross-validation).
   */
  folds: { train: number[]; test: number[] }[];
  /** Also fit on every labelled frame and stream predictions for these videos. */
  predictVideoIds?: number[];
}

export interface BaselineResult {
  /** Pooled over the folds' test frames (null without folds). */
  heldOut: MetricsTable | null;
  /** λ chosen in each fold (by cross-validation over the fold's training people). */
  lambdas: number[];
  frames: number;
}

export type BaselineEvent = { type: 'video'; videoId: number; frameCount: number; aus: number[]; data: Float32Array };

export interface BaselineTask {
  input: BaselineInput;
  event: BaselineEvent;
  result: BaselineResult;
}

export async function runBaseline(input: BaselineInput, io: WorkerIO<'baseline'>): Promise<BaselineResult> {
  const lib = await CropLibrary.open(input.videos, { geometry: true });
  try {
    const features = await BaselineFeatures.open(lib);
    const subject = new Map(input.videos.map((v) => [v.id, personOf(v)]));
    const group = (id: number) => subject.get(id)!;
    const x = await features.at(input.labels);
    const acc = new MetricsAccumulator(input.aus);
    const lambdas: number[] = [];
    for (const [i, fold] of input.folds.entries()) {
      io.signal.throwIfAborted();
      const train = new Set(fold.train);
      const test = new Set(fold.test);
      const trainLabels = input.labels.filter((l) => train.has(l.videoId));
      if (!trainLabels.length) continue;
      const fit = fitBaseline(input.aus, trainLabels, x, group);
      lambdas.push(fit.lambda);
      for (const l of input.labels) {
        const f = x.get(`${l.videoId}:${l.frame}`);
        if (!test.has(l.videoId) || !f) continue;
        const p = fit.model.predict(f);
        input.aus.forEach((au, a) => acc.add(au, l.values[a]!, p[a]!, `${l.videoId}:${l.frame}`));
      }
      io.progress((i + 1) / (input.folds.length + (input.predictVideoIds?.length ? 1 : 0)), `Baseline: fold ${i + 1} of ${input.folds.length}`);
    }
    if (input.predictVideoIds?.length) {
      const fit = fitBaseline(input.aus, input.labels, x, group);
      for (const id of input.predictVideoIds) {
        io.signal.throwIfAborted();
        const v = lib.videos.get(id);
        if (!v) continue;
        io.emit({ type: 'video', videoId: id, frameCount: v.frameCount, aus: input.aus, data: await predictBaselineVideo(fit, features, id, v.frameCount, input.aus.length) });
      }
    }
    const table = acc.table('baseline: HOG + geometry + ridge, same labelled frames');
    return { heldOut: input.folds.length && table.frames ? table : null, lambdas, frames: x.size };
  } finally {
    await lib.close();
  }
}
