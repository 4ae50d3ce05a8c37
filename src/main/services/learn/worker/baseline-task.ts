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
    // Shares of the bar: the reference pass reads every frame, the features HOG every labelled
    // frame, and each fit (the folds', then the one on every label with its predictions) the rest.
    const fits = input.folds.length + (input.predictVideoIds?.length ? 1 : 0);
    const stage = (from: number, to: number) => (fraction: number, message: string) => {
      io.signal.throwIfAborted();
      io.progress(from + (to - from) * fraction, message);
    };
    const fitShare = (i: number) => stage(0.3 + (0.7 * i) / fits, 0.3 + (0.7 * (i + 1)) / fits);
    const references = stage(0, 0.1);
    const features = await BaselineFeatures.open(lib, (done, total) => references(done / total, `Baseline: reference face of video ${done} of ${total}`));
    const extract = stage(0.1, 0.3);
    const x = await features.at(input.labels, (done, total) => extract(done / total, `Baseline: features of labelled frame ${done} of ${total}`));
    const subject = new Map(input.videos.map((v) => [v.id, personOf(v)]));
    const group = (id: number) => subject.get(id)!;
    const acc = new MetricsAccumulator(input.aus);
    const lambdas: number[] = [];
    for (const [i, fold] of input.folds.entries()) {
      io.signal.throwIfAborted();
      const train = new Set(fold.train);
      const test = new Set(fold.test);
      const trainLabels = input.labels.filter((l) => train.has(l.videoId));
      if (!trainLabels.length) continue;
      const progress = fitShare(i);
      const fit = fitBaseline(input.aus, trainLabels, x, group, { onProgress: (f, message) => progress(f, `Baseline fold ${i + 1} of ${input.folds.length}: ${message.replace(/^Baseline: /, '')}`) });
      lambdas.push(fit.lambda);
      for (const l of input.labels) {
        const f = x.get(`${l.videoId}:${l.frame}`);
        if (!test.has(l.videoId) || !f) continue;
        const p = fit.model.predict(f);
        input.aus.forEach((au, a) => acc.add(au, l.values[a]!, p[a]!, `${l.videoId}:${l.frame}`));
      }
    }
    if (input.predictVideoIds?.length) {
      const progress = fitShare(fits - 1);
      const fit = fitBaseline(input.aus, input.labels, x, group, { onProgress: (f, message) => progress(0.8 * f, message) });
      for (const [k, id] of input.predictVideoIds.entries()) {
        io.signal.throwIfAborted();
        const v = lib.videos.get(id);
        if (!v) continue;
        io.emit({ type: 'video', videoId: id, frameCount: v.frameCount, aus: input.aus, data: await predictBaselineVideo(fit, features, id, v.frameCount, input.aus.length) });
        progress(0.8 + (0.2 * (k + 1)) / input.predictVideoIds.length, `Baseline: predictions for video ${k + 1} of ${input.predictVideoIds.length}`);
      }
    }
    const table = acc.table('baseline: HOG + geometry + ridge, same labelled frames');
    return { heldOut: input.folds.length && table.frames ? table : null, lambdas, frames: x.size };
  } finally {
    await lib.close();
  }
}
