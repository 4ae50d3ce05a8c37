/**
 * A tiny synthetic learning project: a real SQLite project (through compose, as the app does)
 * whose videos have real crop files of drawn faces. AU12 opens a "mouth" bar, AU25 darkens the
 * brow band, each following a smooth per-video curve, so a model can learn something in a few
 * steps and the tests can check where every value went.
 */
import path from 'node:path';
import { compose } from '../../../src/main/compose';
import { CropFlag, CropFileWriter, cropFileFor } from '../../../src/main/services/media/cropFile';
import { setVideoStatus } from '../../../src/main/services/store/videos';
import { dispatch } from '../../../src/main/api/dispatch';
import type { MethodName, Params, Result } from '../../../src/shared/contract';
import { addFrames, addVideo } from '../../helpers/project';

export const SIZE = 32;
export const AUS = [12, 25];

export function intensityAt(video: number, frame: number, au: number): number {
  const phase = video * 1.3 + (au === 12 ? 0 : 2);
  return Math.round(2.5 + 2.5 * Math.sin(frame / (6 + au / 10) + phase));
}

export function drawFace(video: number, frame: number): Uint8Array {
  const px = new Uint8Array(SIZE * SIZE);
  const mouth = intensityAt(video, frame, 12);
  const brow = intensityAt(video, frame, 25);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const dx = (x - SIZE / 2) / (SIZE * 0.4);
      const dy = (y - SIZE / 2) / (SIZE * 0.48);
      let v = dx * dx + dy * dy < 1 ? 170 + video * 10 : 40;
      if (y >= 20 && y < 21 + mouth && x >= 11 && x < 21) v = 30;
      if (y >= 8 && y < 11 && x >= 8 && x < 24) v = 200 - brow * 30;
      px[y * SIZE + x] = v;
    }
  return px;
}

export interface LearnFixture {
  dir: string;
  app: ReturnType<typeof compose>;
  videoIds: number[];
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
}

/**
 * Creates the project with `videos` videos of `frames` frames (one subject each); frames where
 * noFace(frame) is true have no face. Labels every `labelEvery`-th frame.
 */
export async function makeLearnProject(root: string, o: { videos: number; frames: number; labelEvery: number; noFace?: (f: number) => boolean }): Promise<LearnFixture> {
  const app = compose({ shell: 'cli', roots: [root], settingsDir: path.join(root, 'settings'), demoDir: null });
  const call = async <M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> => {
    const r = await dispatch(app.handlers, method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.result as Result<M>;
  };
  const dir = path.join(root, 'project');
  await call('projects/create', { dir, name: 'learn test', auSet: { custom: AUS, name: 'Test AUs' }, cropSize: SIZE });
  const db = app.workbench.requireProject().db;
  const videoIds: number[] = [];
  for (let v = 0; v < o.videos; v++) {
    const id = addVideo(db, { path: path.join(root, `clip${v}.mp4`), frameCount: o.frames, subject: `person${v}` });
    const noFace = o.noFace ?? (() => false);
    addFrames(db, id, o.frames, (f) => !noFace(f));
    const w = await CropFileWriter.create(cropFileFor(dir, id), { cropSize: SIZE, channels: 1, fps: 25 });
    for (let f = 0; f < o.frames; f++) await w.append(noFace(f) ? { flag: CropFlag.NoFace } : { flag: CropFlag.Detected, pixels: drawFace(v, f), score: 1 });
    await w.finish();
    setVideoStatus(db, id, 'ready');
    for (let f = 0; f < o.frames; f += o.labelEvery) {
      if (noFace(f)) continue;
      for (const au of AUS) await call('labels/set', { videoId: id, frame: f, au, intensity: intensityAt(v, f, au), annotator: 'test' });
    }
    videoIds.push(id);
  }
  return { dir, app, videoIds, call };
}

/** The job's row once the queue is idle (every queued job has run). */
export async function finished(f: LearnFixture, jobId: number) {
  await f.app.workbench.requireJobs().idle();
  return (await f.call('jobs/list', {})).find((j) => j.id === jobId)!;
}
