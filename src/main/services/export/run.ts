/**
 * Writes one export folder under <project>/exports: an OpenFace-style intensity CSV per video,
 * the human labels of those videos (long form), and a JSON describing the model. The folder is
 * built under a temporary name and renamed when complete, so a crash or a full disk never
 * leaves a half export that looks complete.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { AuBlend, ExportResult, Interval, ModelComparison } from '../../../shared/types';
import { auColumn } from '../../../shared/aus';
import type { Project } from '../store/project';
import { frameFaces } from '../store/frames';
import { getPredictions } from '../store/predictions';
import { listModels } from '../store/models';
import { listVideos } from '../store/videos';
import { exportLong } from './labelsCsv';
import { openFaceCsv } from './openface';
import { FolderStage } from '../files/safe-write';

/** Hidden build folders an export left when the app was killed mid-way (exports run one at a time, synchronously). */
function sweepPartials(exportsDir: string): void {
  for (const e of fs.readdirSync(exportsDir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith('.') && e.name.endsWith('.partial')) fs.rmSync(path.join(exportsDir, e.name), { recursive: true, force: true });
  }
}

function safeStem(name: string): string {
  return path.basename(name, path.extname(name)).replace(/[^\w.-]+/g, '_').slice(0, 120) || 'video';
}

/** One video (a number), some videos (a list) or every ready video (nothing). */
export function exportPredictions(project: Project, modelId: number, which?: number | readonly number[]): ExportResult {
  const model = listModels(project.db).find((m) => m.id === modelId);
  if (!model) throw new ApiError('not_found', `There is no model ${modelId}. Train one first, or pick another in the model list.`);
  const wanted = which === undefined ? null : new Set(typeof which === 'number' ? [which] : which);
  const all = listVideos(project.db);
  const notReady = wanted ? [...wanted].filter((id) => !all.some((v) => v.id === id && v.status === 'ready')) : [];
  if (notReady.length) {
    throw new ApiError('not_found', `Video${notReady.length > 1 ? 's' : ''} ${notReady.join(', ')} ${notReady.length > 1 ? 'are' : 'is'} not in this project or not ready. List the videos with \`auw videos\`.`);
  }
  const videos = all.filter((v) => v.status === 'ready' && (!wanted || wanted.has(v.id)));
  if (!videos.length) throw new ApiError('not_found', 'The project has no imported videos to export.');

  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  // A second export in the same second gets its own folder (-2, -3, …) rather than meeting the first one's files.
  const base = `${stamp}-model-${modelId}`;
  let rel = base;
  for (let n = 2; fs.existsSync(project.path('exports', rel)); n++) rel = `${base}-${n}`;
  sweepPartials(project.path('exports'));
  // Built in a hidden folder beside it and renamed into place once every file is written: a full
  // disk or a crash leaves no folder that looks like (and copies like) a complete export.
  const stage = FolderStage.begin(project.path('exports', rel), { extensions: ['.csv', '.json'] });
  const dir = stage.dest;
  const write = (name: string, text: string) => {
    stage.write(name, text);
    return Buffer.byteLength(text);
  };
  const files: ExportResult['files'] = [];
  const missing: string[] = [];
  try {
    const used = new Set<string>();
    for (const v of videos) {
      const track = getPredictions(project.db, modelId, v.id);
      if (!track) {
        missing.push(v.name);
        continue;
      }
      let stem = safeStem(v.name);
      for (let n = 2; used.has(stem); n++) stem = `${safeStem(v.name)}-${n}`;
      used.add(stem);
      const name = `${stem}.csv`;
      const bytes = write(name, openFaceCsv(track, v.fps, frameFaces(project.db, v.id, track.frameCount)));
      files.push({ name, relPath: `${rel}/${name}`, bytes, rows: track.frameCount });
    }
    if (!files.length) throw new ApiError('not_found', `Model ${modelId} has no predictions for ${missing.join(', ')}. Run Predict first.`);
    const description = {
      summary: modelSummary(model, listModels(project.db)),
      model: { id: model.id, name: model.name, stage: model.stage, parentId: model.parentId, createdAt: model.createdAt, backend: model.backend },
      params: model.params,
      metrics: model.metrics,
      auSet: project.auSet(),
      videos: videos.filter((v) => !missing.includes(v.name)).map((v) => ({ id: v.id, name: v.name, subject: v.subject, fps: v.fps, frames: v.frameCount })),
      missingPredictions: missing,
      // Which model each AU column's values come from (network, baseline or a mix: params.blend).
      trackSources: trackSources(model.params),
      format: 'OpenFace 2 FeatureExtraction columns: frame (1-based), face_id, timestamp (s), confidence, success, AUxx_r (0-5)',
      labelsFormat: 'labels.csv: video, frame (0-based, as the app numbers frames), timestamp (s, the same value as the track CSV\'s timestamp for that frame), AU, intensity (0-5), annotator. Join with the track CSV on timestamp, or on labels frame + 1 = track frame.',
      exportedAt: new Date().toISOString(),
    };
    const labels = exportLong(project.db, videos, videos.map((v) => v.id));
    for (const e of [
      { name: 'model.json', text: `${JSON.stringify(description, null, 2)}\n` },
      { name: 'labels.csv', text: labels },
    ]) {
      files.push({ name: e.name, relPath: `${rel}/${e.name}`, bytes: write(e.name, e.text), rows: null });
    }
    stage.commit();
  } catch (err) {
    stage.abort();
    throw err;
  }
  return { dir, relDir: rel, files };
}

/** One line a reader of the export can quote: which model, trained how, scored how. */
export function modelSummary(model: { name: string; id: number; stage: string; parentId: number | null; params: Record<string, unknown>; metrics: unknown }, all: readonly { id: number; name: string }[]): string {
  const parent = model.parentId === null ? 'trained from scratch' : `finetuned from ${all.find((m) => m.id === model.parentId)?.name ?? `model ${model.parentId}`}`;
  const n = model.params.labelledFrames as { train?: number; val?: number } | undefined;
  const frames = n ? `, ${(n.train ?? 0) + (n.val ?? 0)} labelled frames` : '';
  const cv = (model.metrics as { crossValidation?: { people: number; folds: number; network: { mean: { icc: number | null } }; baseline: { mean: { icc: number | null } } | null; comparison?: ModelComparison } } | null)?.crossValidation;
  const i = cv?.comparison;
  const ci = (x: Interval | null | undefined) => (x ? `${x.estimate} (95 % interval ${x.low} to ${x.high})` : 'n/a');
  const score = !cv
    ? ''
    : i
      ? `; cross-validated over ${cv.people} people (${cv.folds} folds): delivered tracks mean ICC ${ci(i.delivered)}, network ${ci(i.network)}, HOG + geometry baseline ${ci(i.baseline)} on the same frames`
      : `; cross-validated over ${cv.people} people (${cv.folds} folds): mean ICC ${cv.network.mean.icc ?? 'n/a'} vs ${cv.baseline?.mean.icc ?? 'n/a'} for the HOG + geometry baseline on the same frames`;
  return `Predicted by ${model.name} (model ${model.id}, ${model.stage}, ${parent}${frames})${score}.`;
}

/** Per AU column, where its track comes from, as a reader of the export would want it said. */
export function trackSources(params: Record<string, unknown>): Record<string, string> {
  const blend = params.blend as AuBlend[] | undefined;
  const aus = ((params.config as { model?: { aus?: number[] } } | undefined)?.model?.aus ?? []) as number[];
  const say = (b: AuBlend | undefined) =>
    !b ? 'network' : b.source === 'blend' ? `mix: ${Math.round(b.networkWeight * 100)} % network, ${Math.round((1 - b.networkWeight) * 100)} % HOG + geometry baseline` : b.source === 'baseline' ? 'HOG + geometry baseline' : 'network';
  return Object.fromEntries(aus.map((au) => [`${auColumn(au)}_r`, say(blend?.find((b) => b.au === au))]));
}
