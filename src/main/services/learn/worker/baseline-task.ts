/**
 * Worker task: the OpenFace-style baseline (baseline.ts) trained on the same labelled frames as
 * a network and scored on the same held-out frames, so the Train view can say whether the
 * network beats the simple model on this project. No TensorFlow.js.
 */
import type { WorkerIO } from '../../../worker/io';
import { BaselineFeatures, fitBaseline, predictBaselineVideo } from './baseline';
import { readBaselineFile, writeBaselineFile } from './baseline-file';
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
  /** Save the baseline fitted on every labelled frame in this model folder (baseline-file.ts). */
  saveDir?: string;
  /** Fit nothing: stream predictions for predictVideoIds from the baseline saved in this model folder. */
  fromDir?: string;
}

export interface BaselineResult {
  /** Pooled over the folds' test frames (null without folds). */
  heldOut: MetricsTable | null;
  /** λ chosen in each fold (by cross-validation over the fold's training people). */
  lambdas: number[];
  frames: number;
  /**
   * Per labelled frame (input.labels order) × AU: the prediction of the fold model that did not
   * see that frame's person; NaN for frames no fold tested or without a face.
   */
  outOfFold: Float32Array;
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
    const final = Boolean(input.predictVideoIds?.length || input.saveDir);
    const fits = input.folds.length + (final ? 1 : 0);
    const stage = (from: number, to: number) => (fraction: number, message: string) => {
      io.signal.throwIfAborted();
      io.progress(from + (to - from) * fraction, message);
    };
    const fitShare = (i: number) => stage(0.3 + (0.7 * i) / fits, 0.3 + (0.7 * (i + 1)) / fits);
    const references = stage(0, input.fromDir ? 0.3 : 0.1);
    const features = await BaselineFeatures.open(lib, (done, total) => references(done / total, `Baseline: reference face of video ${done} of ${total}`));
    const stream = async (model: { predict(x: Float32Array): number[] }, progress: (fraction: number, message: string) => void) => {
      const ids = input.predictVideoIds ?? [];
      for (const [k, id] of ids.entries()) {
        io.signal.throwIfAborted();
        const v = lib.videos.get(id);
        if (!v) continue;
        io.emit({ type: 'video', videoId: id, frameCount: v.frameCount, aus: input.aus, data: await predictBaselineVideo({ model }, features, id, v.frameCount, input.aus.length) });
        progress((k + 1) / ids.length, `Baseline: predictions for video ${k + 1} of ${ids.length}`);
      }
    };
    if (input.fromDir) {
      await stream(readBaselineFile(input.fromDir, features.dim), stage(0.3, 1));
      return { heldOut: null, lambdas: [], frames: 0, outOfFold: new Float32Array(0) };
    }
    const extract = stage(0.1, 0.3);
    const x = await features.at(input.labels, (done, total) => extract(done / total, `Baseline: features of labelled frame ${done} of ${total}`));
    const subject = new Map(input.videos.map((v) => [v.id, personOf(v)]));
    const group = (id: number) => subject.get(id)!;
    const acc = new MetricsAccumulator(input.aus);
    const A = input.aus.length;
    const outOfFold = new Float32Array(input.labels.length * A).fill(NaN);
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
      input.labels.forEach((l, row) => {
        const f = x.get(`${l.videoId}:${l.frame}`);
        if (!test.has(l.videoId) || !f) return;
        const p = fit.model.predict(f);
        input.aus.forEach((au, a) => {
          acc.add(au, l.values[a]!, p[a]!, `${l.videoId}:${l.frame}`);
          outOfFold[row * A + a] = p[a]!;
        });
      });
    }
    if (final) {
      const progress = fitShare(fits - 1);
      const fit = fitBaseline(input.aus, input.labels, x, group, { onProgress: (f, message) => progress(0.8 * f, message) });
      if (input.saveDir)
        writeBaselineFile(input.saveDir, {
          aus: input.aus,
          lambda: fit.lambda,
          featureDim: features.dim,
          frames: fit.frames,
          models: fit.model.linear().map((m) => (m ? { c: m.c, w: Array.from(m.w) } : null)),
        });
      await stream(fit.model, (f, message) => progress(0.8 + 0.2 * f, message));
    }
    const table = acc.table('baseline: HOG + geometry + ridge, same labelled frames');
    return { heldOut: input.folds.length && table.frames ? table : null, lambdas, frames: x.size, outOfFold };
  } finally {
    await lib.close();
  }
}
