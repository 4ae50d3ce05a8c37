/**
 * The *Suggest frames* job, backend side: read the finetuned model's tracks (predicting the
 * videos it has not predicted yet), fit the second model of the committee (the HOG + geometry
 * baseline, on the labels as they are now) in a worker, rank the unlabelled face frames
 * (suggest.ts) and store the picks as suggested sample sets of that model.
 */
import type { JobRunner } from '../../jobs/manager';
import type { JobParams } from '../../jobs/kinds';
import { runTask } from '../../../worker/launch';
import { ApiError } from '../../../../shared/errors';
import { getLabelRule } from '../../store/labelRule';
import { insertSuggestedSets, takenFrames } from '../../store/samples';
import { sharesBehind } from '../../store/doubleCoding';
import { predictAndMeasure } from './jobs';
import { getModel } from '../../store/models';
import { labelledFrames, requireCropsOf, trainingVideos } from './trainingData';
import { readPredictionArray } from '../../store/predictions';
import { rankSuggestions, type SuggestVideo } from './suggest';

/** Declared with its schema in jobs/kinds.ts. */
export type SuggestJobParams = JobParams<'suggest'>;

/** A track in the project's AU order (lanes the track lacks stay NaN). */
function inProjectOrder(track: { aus: number[]; frameCount: number; data: Float32Array }, aus: readonly number[]): Float32Array {
  const out = new Float32Array(aus.length * track.frameCount).fill(NaN);
  aus.forEach((au, a) => {
    const lane = track.aus.indexOf(au);
    if (lane >= 0) out.set(track.data.subarray(lane * track.frameCount, (lane + 1) * track.frameCount), a * track.frameCount);
  });
  return out;
}

export const suggestJob: JobRunner<'suggest'> = async (ctx) => {
  const p = ctx.params;
  const project = ctx.project;
  const db = project.db;
  const aus = project.auSet().aus;
  const model = getModel(db, p.modelId);
  if (model.stage !== 'finetune') throw new ApiError('invalid_argument', `${model.name} is only pretrained: suggestions need a finetuned model.`);
  const videos = trainingVideos(db, project.dir, p.videoIds, { landmarks: true });
  requireCropsOf(db, project.dir, videos);
  if (!videos.length) throw new ApiError('invalid_argument', 'There are no imported videos to suggest frames in. Import videos first.');

  const missing = videos.filter((v) => !readPredictionArray(db, model.id, v.id)).map((v) => v.id);
  if (missing.length) {
    ctx.log(`${model.name} has not predicted ${missing.length} of the videos yet: predicting them first.`);
    await predictAndMeasure(ctx, model.id, missing, [0, 0.4]);
  }

  const labels = labelledFrames(db, aus, videos.map((v) => v.id), getLabelRule(db));
  const committee = new Map<number, Float32Array>();
  ctx.progress(0.45, 'Fitting the second model (HOG + geometry ridge) on the labels…');
  try {
    if (!labels.length) throw new Error('no labelled frames');
    await runTask(
      'baseline',
      { videos, aus, labels, folds: [], predictVideoIds: videos.map((v) => v.id) },
      { signal: ctx.signal, onEvent: (e) => committee.set(e.videoId, inProjectOrder(e, aus)) },
    );
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log(`The second model could not be fit (${err instanceof Error ? err.message : String(err)}): ranking by the jumps of ${model.name}'s tracks alone.`);
  }

  ctx.progress(0.9, 'Ranking the unlabelled frames…');
  const input: SuggestVideo[] = videos.map((v) => {
    const taken = takenFrames(db, v.id);
    const candidates = Uint8Array.from(v.face);
    for (const f of taken) if (f < v.frameCount) candidates[f] = 0;
    return { id: v.id, frameCount: v.frameCount, candidates, taken, network: inProjectOrder(readPredictionArray(db, model.id, v.id)!, aus), committee: committee.get(v.id) ?? null };
  });
  const faces = videos.reduce((n, v) => n + v.face.reduce((a, b) => a + b, 0), 0);
  const count = Math.max(1, Math.round((faces * p.percent) / 100));
  const ranked = rankSuggestions(input, aus.length, count);
  const sets = insertSuggestedSets(db, model.id, p.percent, new Map([...ranked].map(([id, list]) => [id, list.map((s) => s.frame)])));
  const picked = [...ranked.values()].flat();
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  ctx.log(
    `Suggested ${picked.length} frames in ${sets.length} videos with ${model.name}` +
      (committee.size ? `; mean disagreement with the baseline ${mean(picked.map((s) => s.disagreement).filter(Number.isFinite)).toFixed(2)}` : '') +
      `, mean jump ${mean(picked.map((s) => s.jump).filter(Number.isFinite)).toFixed(3)}.`,
  );
  // A double-coding share is fixed once set aside: it does not take suggested frames by itself.
  for (const note of sharesBehind(db, sets.map((s) => s.videoId))) ctx.log(note);
  ctx.progress(1, `Suggested ${picked.length} frames`);
  ctx.events.emit('data/changed', { domain: 'samples' });
  return { frames: picked.length };
};
