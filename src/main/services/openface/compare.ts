/**
 * OpenFace against your labels, beside a model on exactly the same frames and AUs: a frame and
 * AU counts only where it is labelled (one value by the training rule), OpenFace found the
 * face, and the model (when one is given) predicted it. The tables are the model metrics' own
 * (ICC(3,1), r, MAE), so they read like the Train view's.
 */
import { ApiError } from '../../../shared/errors';
import type { OpenFaceComparison } from '../../../shared/types';
import { MetricsAccumulator } from '../learn/metrics';
import { getModel } from '../store/models';
import { labelledFrames } from '../learn/backend/trainingData';
import { readPredictionArray } from '../store/predictions';
import type { Db } from '../store/db';
import { getLabelRule } from '../store/labelRule';
import { listOpenFaceTracks, readOpenFaceArray } from '../store/openface';
import { getVideo } from '../store/videos';

export function compareOpenFace(db: Db, aus: readonly number[], req: { videoId?: number; modelId?: number }): OpenFaceComparison {
  const tracks = listOpenFaceTracks(db).filter((t) => req.videoId === undefined || t.videoId === req.videoId);
  if (!tracks.length) {
    const where = req.videoId === undefined ? 'any video of this project' : getVideo(db, req.videoId).name;
    throw new ApiError('not_found', `There is no OpenFace track for ${where} yet. Import its OpenFace CSV first (Review view, or \`auw import-openface\`).`);
  }
  if (req.modelId !== undefined) {
    const model = getModel(db, req.modelId);
    if (model.stage !== 'finetune') throw new ApiError('invalid_argument', `${model.name} is only pretrained; compare a finetuned model.`);
  }
  const rule = getLabelRule(db);
  const of = new MetricsAccumulator(aus);
  const net = new MetricsAccumulator(aus);
  let videos = 0;
  for (const t of tracks) {
    const track = readOpenFaceArray(db, t.videoId)!;
    const pred = req.modelId === undefined ? null : readPredictionArray(db, req.modelId, t.videoId);
    if (req.modelId !== undefined && !pred) continue; // the model never predicted this video: not comparable here
    videos++;
    const n = track.info.frameCount;
    for (const l of labelledFrames(db, aus, [t.videoId], rule)) {
      if (l.frame >= n) continue;
      aus.forEach((au, a) => {
        const truth = l.values[a]!;
        const oLane = track.info.aus.indexOf(au);
        if (!Number.isFinite(truth) || oLane < 0) return;
        const o = track.data[oLane * n + l.frame]!;
        if (!Number.isFinite(o)) return;
        let p = Number.NaN;
        if (pred) {
          const pLane = pred.aus.indexOf(au);
          if (pLane < 0 || l.frame >= pred.frameCount) return;
          p = pred.data[pLane * pred.frameCount + l.frame]!;
          if (!Number.isFinite(p)) return;
        }
        const key = `${t.videoId}:${l.frame}`;
        of.add(au, truth, o, key);
        if (pred) net.add(au, truth, p, key);
      });
    }
  }
  const scope = req.videoId === undefined ? `${videos} video${videos === 1 ? '' : 's'} with an OpenFace track` : getVideo(db, req.videoId).name;
  return {
    rule,
    modelId: req.modelId ?? null,
    videos,
    openface: of.table(`OpenFace on your labels (${scope})`),
    model: req.modelId === undefined ? null : net.table(`model on the same frames (${scope})`),
  };
}
