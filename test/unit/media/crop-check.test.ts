/**
 * Issue 24 §2 and §4, with real files and real symbolic links: a project is opened and held by
 * its real path; a crop file names the video it was made from and is checked against it; a crop
 * file cut short (or another video's) marks its video failed for Retry import when the project
 * opens, before a job reads crops, and when a crop is served; never a 500, never read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compose } from '../../../src/main/compose';
import { dispatch } from '../../../src/main/api/dispatch';
import { CropFlag, CropFileReader, CropFileWriter, cropFileFor, cropSourceId, HEADER_BYTES, RECORD_HEADER_BYTES } from '../../../src/main/services/media/cropFile';
import { requireCropsOf, trainingVideos } from '../../../src/main/services/learn/backend/trainingData';
import { Project } from '../../../src/main/services/store/project';
import { getVideo, setVideoStatus } from '../../../src/main/services/store/videos';
import { addFrames, addVideo } from '../../helpers/project';
import { caughtAsync, tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-cropcheck-');
const S = 8;
const FRAMES = 10;
const HASH1 = `v1:${'1'.repeat(64)}`;
const HASH2 = `v1:${'2'.repeat(64)}`;
let root: string;
let dir: string;
let app: ReturnType<typeof compose>;
let v1: number;
let v2: number;

async function writeCrops(file: string, sourceId?: string, frames = FRAMES): Promise<void> {
  const w = await CropFileWriter.create(file, { cropSize: S, channels: 1, fps: 25, ...(sourceId !== undefined ? { sourceId } : {}) });
  for (let i = 0; i < frames; i++) await w.append({ flag: CropFlag.Detected, pixels: new Uint8Array(S * S).fill(i) });
  await w.finish();
}

const truncateTo = (file: string, frames: number) => fs.truncateSync(file, HEADER_BYTES + frames * (RECORD_HEADER_BYTES + S * S));
const call = (method: string, params: unknown) => dispatch(app.handlers, method as never, params as never);

beforeEach(async () => {
  root = fs.realpathSync(tmp.make());
  dir = path.join(root, 'p1');
  const p = Project.create(dir, { name: 'P1', auSet: { preset: 'disfa' } });
  p.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('crop_size', ?)").run(String(S));
  v1 = addVideo(p.db, { path: path.join(root, 'one.mp4'), contentHash: HASH1, frameCount: FRAMES, subject: 'one' });
  v2 = addVideo(p.db, { path: path.join(root, 'two.mp4'), contentHash: HASH2, frameCount: FRAMES, subject: 'two' });
  for (const v of [v1, v2]) {
    addFrames(p.db, v, FRAMES);
    setVideoStatus(p.db, v, 'ready');
  }
  p.close();
  await writeCrops(cropFileFor(dir, v1), cropSourceId(HASH1));
  await writeCrops(cropFileFor(dir, v2), cropSourceId(HASH2));
  app = compose({ shell: 'cli', roots: [root], settingsDir: tmp.make(), demoDir: null });
});

afterEach(async () => {
  await app.workbench.close();
  tmp.cleanup();
});

const status = (id: number) => getVideo(app.workbench.requireProject().db, id);

describe('§2 a project opened through a symbolic link', () => {
  it('is held by its real path: re-pointing the link later changes nothing it reads or writes', async () => {
    const other = path.join(root, 'p2');
    Project.create(other, { name: 'P2', auSet: { preset: 'disfa' } }).close();
    const link = path.join(root, 'plink');
    fs.symlinkSync(dir, link);
    const project = await app.workbench.open(link);
    expect(project.dir).toBe(dir);
    fs.rmSync(link);
    fs.symlinkSync(other, link); // ln -sfn p2 plink
    expect(project.path('media')).toBe(path.join(dir, 'media'));
    expect(cropFileFor(project.dir, v1)).toBe(path.join(dir, 'media', `video-${v1}.crops`));
    // Opening the link now is another project (its own lock), not the one already open.
    expect((await app.workbench.open(link)).dir).toBe(other);
  });

  it('writes the source id into a crop file and refuses a reader for another video', async () => {
    const file = cropFileFor(dir, v1);
    expect((await CropFileReader.open(file)).header.sourceId).toBe(cropSourceId(HASH1));
    await expect(CropFileReader.open(file, cropSourceId(HASH2))).rejects.toMatchObject({ code: 'wrong-source' });
    const ok = await CropFileReader.open(file, cropSourceId(HASH1));
    await ok.close();
  });

  it("marks a video whose crop file is another video's failed when the project opens (Retry import), and removes that file", async () => {
    fs.copyFileSync(cropFileFor(dir, v2), cropFileFor(dir, v1));
    await app.workbench.open(dir);
    expect(status(v1)).toMatchObject({ status: 'failed', error: expect.stringMatching(/another video.*Retry import/) });
    expect(fs.existsSync(cropFileFor(dir, v1))).toBe(false);
    expect(status(v2).status).toBe('ready');
  });

  it('accepts a crop file from before source ids (zeros) as the project’s own', async () => {
    await writeCrops(cropFileFor(dir, v1));
    await app.workbench.open(dir);
    expect(status(v1).status).toBe('ready');
    const r = await call('frames/crop', { videoId: v1, frame: 9 });
    expect(r).toMatchObject({ ok: true, result: { width: S } });
  });
});

describe('§4 a truncated crop file', () => {
  it('marks its video failed when the project opens, with how many frames are left and what to do', async () => {
    truncateTo(cropFileFor(dir, v1), 5);
    await app.workbench.open(dir);
    expect(status(v1)).toMatchObject({ status: 'failed', error: expect.stringMatching(/cut short: 5 of 10 frames.*Retry import/) });
    expect(status(v2).status).toBe('ready');
    const r = await call('frames/crop', { videoId: v1, frame: 7 });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringMatching(/Retry import/) } });
  });

  it('cut short while the project is open: a crop past the cut answers a clear conflict (not a 500) and marks the video', async () => {
    await app.workbench.open(dir);
    truncateTo(cropFileFor(dir, v1), 5);
    const r = await call('frames/crop', { videoId: v1, frame: 7 });
    expect(r).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/cut short: 5 of 10 frames/) } });
    expect(status(v1).status).toBe('failed');
  });

  it('refuses a training or prediction job before it reads any crop, and marks the video for re-import', async () => {
    const project = await app.workbench.open(dir);
    truncateTo(cropFileFor(dir, v2), 3);
    const videos = trainingVideos(project.db, project.dir);
    const err = (await caughtAsync(async () => requireCropsOf(project.db, project.dir, videos))) as { code: string; message: string };
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/two\.mp4 are cut short: 3 of 10 frames.*Retry import, then start this again/);
    expect(status(v2).status).toBe('failed');
    expect(() => requireCropsOf(project.db, project.dir, trainingVideos(project.db, project.dir))).not.toThrow();
  });
});
