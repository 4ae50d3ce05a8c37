/**
 * Metrics of a finetuned model from its stored predictions: against the held-out labelled
 * frames (validation videos, never trained on), and, where the videos come with per-frame
 * ground truth (demo data), against every face frame of the held-out videos and of all videos.
 */
import type { Db } from '../../store/db';
import { listVideos } from '../../store/videos';
import { groundTruthFileFor, readGroundTruth } from './groundTruth';
import { MetricsAccumulator, type MetricsTable } from '../metrics';
import { getModel } from '../../store/models';
import { labelledFrames } from './trainingData';
import { readPredictionArray } from '../../store/predictions';

export interface ModelMetrics {
  /** From training: the best checkpoint on the validation labels. */
  validation?: MetricsTable | null;
  heldOutLabels: MetricsTable | null;
  groundTruthHeldOut: MetricsTable | null;
  groundTruthAll: MetricsTable | null;
  valVideoIds: number[];
  computedAt: string;
}

export function computeModelMetrics(db: Db, modelId: number): ModelMetrics {
  const model = getModel(db, modelId);
  const aus = ((model.params.config as { model?: { aus?: number[] } } | undefined)?.model?.aus ?? []) as number[];
  const split = (model.params.split ?? { train: [], val: [] }) as { train: number[]; val: number[] };
  const valSet = new Set(split.val);

  const held = new MetricsAccumulator(aus);
  const preds = new Map<number, ReturnType<typeof readPredictionArray>>();
  const pred = (videoId: number) => {
    if (!preds.has(videoId)) preds.set(videoId, readPredictionArray(db, modelId, videoId));
    return preds.get(videoId)!;
  };
  for (const l of labelledFrames(db, aus, split.val)) {
    const p = pred(l.videoId);
    if (!p) continue;
    aus.forEach((au, a) => {
      const lane = p.aus.indexOf(au);
      if (lane < 0 || l.frame >= p.frameCount) return;
      held.add(au, l.values[a]!, p.data[lane * p.frameCount + l.frame]!, `${l.videoId}:${l.frame}`);
    });
  }

  const gtHeld = new MetricsAccumulator(aus);
  const gtAll = new MetricsAccumulator(aus);
  let anyGt = false;
  for (const v of listVideos(db)) {
    const file = groundTruthFileFor(v.path);
    const p = pred(v.id);
    if (!file || !p) continue;
    anyGt = true;
    const gt = readGroundTruth(file);
    for (const au of aus) {
      const truth = gt.values.get(au);
      const lane = p.aus.indexOf(au);
      if (!truth || lane < 0) continue;
      const n = Math.min(p.frameCount, truth.length);
      for (let f = 0; f < n; f++) {
        const y = truth[f]!;
        const yhat = p.data[lane * p.frameCount + f]!;
        gtAll.add(au, y, yhat, `${v.id}:${f}`);
        if (valSet.has(v.id)) gtHeld.add(au, y, yhat, `${v.id}:${f}`);
      }
    }
  }
  const heldTable = held.table('held-out labelled frames');
  return {
    heldOutLabels: heldTable.frames ? heldTable : null,
    groundTruthHeldOut: anyGt && valSet.size ? gtHeld.table('ground truth, every face frame of the held-out videos') : null,
    groundTruthAll: anyGt ? gtAll.table('ground truth, every face frame of all videos') : null,
    valVideoIds: split.val,
    computedAt: new Date().toISOString(),
  };
}
