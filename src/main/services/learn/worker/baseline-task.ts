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
    const features = await BaselineFeatures.open(lib);
    const stream = async (model: { predict(x: Float32Array): number[] }) => {
      for (const id of input.predictVideoIds ?? []) {
        io.signal.throwIfAborted();
        const v = lib.videos.get(id);
        if (!v) continue;
        io.emit({ type: 'video', videoId: id, frameCount: v.frameCount, aus: input.aus, data: await predictBaselineVideo({ model }, features, id, v.frameCount, input.aus.length) });
      }
    };
    if (input.fromDir) {
      await stream(readBaselineFile(input.fromDir, features.dim));
      return { heldOut: null, lambdas: [], frames: 0, outOfFold: new Float32Array(0) };
    }
    const subject = new Map(input.videos.map((v) => [v.id, personOf(v)]));
    const group = (id: number) => subject.get(id)!;
    const x = await features.at(input.labels);
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
      const fit = fitBaseline(input.aus, trainLabels, x, group);
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
      io.progress((i + 1) / (input.folds.length + (input.predictVideoIds?.length || input.saveDir ? 1 : 0)), `Baseline: fold ${i + 1} of ${input.folds.length}`);
    }
    if (input.predictVideoIds?.length || input.saveDir) {
      const fit = fitBaseline(input.aus, input.labels, x, group);
      if (input.saveDir)
        writeBaselineFile(input.saveDir, {
          aus: input.aus,
          lambda: fit.lambda,
          featureDim: features.dim,
          frames: fit.frames,
          models: fit.model.linear().map((m) => (m ? { c: m.c, w: Array.from(m.w) } : null)),
        });
      await stream(fit.model);
    }
    const table = acc.table('baseline: HOG + geometry + ridge, same labelled frames');
    return { heldOut: input.folds.length && table.frames ? table : null, lambdas, frames: x.size, outOfFold };
  } finally {
    await lib.close();
  }
}
