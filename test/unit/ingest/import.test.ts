/**
 * The import job end to end: real ffmpeg, real face-api in the real worker process, a real
 * project. Each bad input gets a readable error on its job, and the project stays consistent.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Handlers, MethodName, Params, Result } from '../../../src/shared/contract';
import type { Job } from '../../../src/shared/types';
import { dispatch } from '../../../src/main/api/dispatch';
import { compose } from '../../../src/main/compose';
import { ffmpegPath } from '../../../src/main/services/media/ffmpeg';
import { CropFileReader, cropFileFor, cropSourceId } from '../../../src/main/services/media/cropFile';
import { playbackFile } from '../../../src/main/services/media/backend/playback';
import { probeVideo } from '../../../src/main/services/media/probe';
import { proxyFileFor } from '../../../src/main/services/media/backend/proxy';
import { recordEvents } from '../../helpers/events';
import { makeFaceVideo } from '../../helpers/faceVideo';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-ingest-');
let media: string;

function makeVideo(name: string, args: string[]): string {
  const out = path.join(media, name);
  execFileSync(ffmpegPath(), ['-loglevel', 'error', '-y', ...args, out]);
  return out;
}

beforeAll(async () => {
  media = fs.mkdtempSync(path.join(tmp.make(), 'media-'));
  // A real face, slowly zooming, with a tone: 40 frames at 25 fps.
  await makeFaceVideo(path.join(media, 'face.mp4'), { photo: 1, seconds: 1.6, audio: true });
  makeVideo('tone.mp4', ['-f', 'lavfi', '-i', 'sine=frequency=300:duration=1', '-c:a', 'aac']);
  fs.writeFileSync(path.join(media, 'empty.mp4'), '');
  fs.writeFileSync(path.join(media, 'garbage.mov'), Buffer.alloc(50_000, 7));
  const good = fs.readFileSync(path.join(media, 'face.mp4'));
  fs.writeFileSync(path.join(media, 'truncated.mp4'), good.subarray(0, Math.floor(good.length / 3)));
}, 60_000);
afterAll(() => tmp.cleanup());

describe('import job', () => {
  let app: ReturnType<typeof compose>;
  afterEach(async () => app?.workbench.close());

  async function open(): Promise<void> {
    const root = tmp.make();
    app = compose({ shell: 'cli', roots: [root, media], settingsDir: root, demoDir: null });
    await call('projects/create', { dir: path.join(root, 'p'), name: 'Ingest' });
  }

  async function call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const envelope = await dispatch(app.handlers as Handlers, method, params);
    if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), { code: envelope.error.code });
    return envelope.result as Result<M>;
  }

  async function finished(jobs: Job[]): Promise<Job[]> {
    await app.workbench.requireJobs().idle();
    const all = await call('jobs/list', { limit: 100 });
    return jobs.map((j) => all.find((a) => a.id === j.id)!);
  }

  it('aligns every frame of a real face video, stores frames, crops and audio peaks, and samples reproducibly', async () => {
    await open();
    const [job] = await finished(await call('videos/import', { paths: [path.join(media, 'face.mp4')] }));
    expect(job!.state).toBe('done');
    const [video] = await call('videos/list', {});
    expect(video!.status).toBe('ready');
    expect(video!.frameCount).toBe(40);
    expect(video!.hasAudio).toBe(true);
    expect(video!.facesFound / video!.frameCount).toBeGreaterThanOrEqual(0.95);

    const reader = await CropFileReader.open(cropFileFor(app.workbench.requireProject().dir, video!.id));
    expect(reader.header.frameCount).toBe(40);
    // The crop file names the video it was made from (issue 24 §2).
    expect(reader.header.sourceId).toBe(cropSourceId(video!.contentHash));
    const crop = await reader.read(20);
    await reader.close();
    expect(crop.flag).not.toBe(0);
    const mean = crop.pixels.reduce((a, b) => a + b, 0) / crop.pixels.length;
    expect(mean).toBeGreaterThan(20); // a face, not an empty record

    const info = await call('frames/info', { videoId: video!.id, frame: 20 });
    expect(info.face).toBe(true);
    expect(info.landmarks).toHaveLength(136);
    const peaks = await call('videos/peaks', { videoId: video!.id });
    expect(peaks!.channels[0]!.length).toBeGreaterThan(50);
    expect(Math.max(...peaks!.channels[0]!)).toBeGreaterThan(0.1);

    const still = await call('frames/still', { videoId: video!.id, frame: 39 });
    expect(still.mime).toBe('image/jpeg');
    expect(still.width).toBe(240);

    const [first] = await call('samples/create', { videoId: video!.id, percent: 10, seed: 42 });
    const queue1 = (await call('samples/queue', { videoId: video!.id })).map((q) => q.frame);
    expect(first!.frames).toBe(queue1.length);
    const [grown] = await call('samples/create', { videoId: video!.id, percent: 25 });
    expect(grown!.seed).toBe(42);
    const queue2 = (await call('samples/queue', { videoId: video!.id })).map((q) => q.frame);
    expect(queue2).toEqual(expect.arrayContaining(queue1));
    expect(queue2.length).toBeGreaterThan(queue1.length);
  });

  it('gives each bad file a readable error on its own job, and the good file still imports', async () => {
    await open();
    const names = ['empty.mp4', 'garbage.mov', 'tone.mp4', 'truncated.mp4', 'face.mp4'];
    const jobs = await finished(await call('videos/import', { paths: names.map((n) => path.join(media, n)) }));
    const byName = Object.fromEntries(names.map((n, i) => [n, jobs[i]!]));
    expect(byName['empty.mp4']!.state).toBe('failed');
    expect(byName['empty.mp4']!.error).toMatch(/empty/);
    expect(byName['garbage.mov']!.state).toBe('failed');
    expect(byName['garbage.mov']!.error).toMatch(/does not look like a video|damaged|cut off/);
    expect(byName['tone.mp4']!.error).toMatch(/no video track/);
    expect(byName['truncated.mp4']!.state).toBe('failed');
    expect(byName['face.mp4']!.state).toBe('done');
    const videos = await call('videos/list', {});
    expect(videos.filter((v) => v.status === 'ready').map((v) => v.name)).toEqual(['face.mp4']);
    // A truncated file that probes but fails to decode is kept as 'failed' with its reason; nothing half-written.
    for (const v of videos.filter((x) => x.status === 'failed')) {
      expect(v.error).toBeTruthy();
      expect(fs.existsSync(cropFileFor(app.workbench.requireProject().dir, v.id))).toBe(false);
    }
  });

  it('makes an H.264 playback copy of a source Chromium cannot play, and none for one it can', async () => {
    await open();
    const avi = makeVideo('face.avi', ['-i', path.join(media, 'face.mp4'), '-c:v', 'mpeg4', '-q:v', '4', '-an']);
    const jobs = await finished(await call('videos/import', { paths: [avi, path.join(media, 'face.mp4')] }));
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done']);
    const [aviRow, mp4Row] = await call('videos/list', {});
    const dir = app.workbench.requireProject().dir;
    expect(fs.existsSync(proxyFileFor(dir, mp4Row!.id))).toBe(false);
    const proxy = await probeVideo(proxyFileFor(dir, aviRow!.id));
    expect(proxy.codec).toBe('h264');
    expect(proxy.frameCount).toBe(aviRow!.frameCount);
    expect(playbackFile(app.workbench.requireProject(), aviRow!.id)).toBe(proxyFileFor(dir, aviRow!.id));
    expect(playbackFile(app.workbench.requireProject(), mp4Row!.id)).toBe(path.join(media, 'face.mp4'));
    await call('videos/remove', { videoId: aviRow!.id });
    expect(fs.existsSync(proxyFileFor(dir, aviRow!.id))).toBe(false);
  });

  it('shows a moved video as missing, and relinks it only to a file with the same content', async () => {
    await open();
    const copy = path.join(media, 'moving.mp4');
    fs.copyFileSync(path.join(media, 'face.mp4'), copy);
    await finished(await call('videos/import', { paths: [copy] }));
    const moved = path.join(media, 'moved.mp4');
    fs.renameSync(copy, moved);
    const [video] = await call('videos/list', {});
    expect(video!.status).toBe('missing');
    await expect(call('videos/relink', { videoId: video!.id, path: path.join(media, 'tone.mp4') })).rejects.toThrow(/not the same file/);
    const relinked = await call('videos/relink', { videoId: video!.id, path: moved });
    expect(relinked.path).toBe(moved);
    expect((await call('videos/list', {}))[0]!.status).toBe('ready');
  });

  it('refuses paths outside the chosen folders, unknown files and non-videos at the API', async () => {
    await open();
    await expect(call('videos/import', { paths: ['/etc/passwd.mp4'] })).rejects.toThrow(/outside the folders/);
    await expect(call('videos/import', { paths: [path.join(media, 'nope.mp4')] })).rejects.toThrow(/no file/);
    fs.writeFileSync(path.join(media, 'notes.txt'), 'x');
    await expect(call('videos/import', { paths: [path.join(media, 'notes.txt')] })).rejects.toThrow(/not a supported video/);
    expect(await call('jobs/list', { limit: 10 })).toEqual([]);
  });

  it('reports a file that disappears during import, and leaves no crops or frames behind', async () => {
    await open();
    const copy = path.join(media, 'vanishing.mp4');
    fs.copyFileSync(path.join(media, 'face.mp4'), copy);
    const events = recordEvents(app.events);
    const [queued] = await call('videos/import', { paths: [copy] });
    // The video row exists once probing is done: remove the file before frames are decoded.
    await events.when((m) => m.event === 'data/changed' && m.payload.domain === 'videos');
    fs.rmSync(copy);
    const [job] = await finished([queued!]);
    events.stop();
    expect(job!.state).toBe('failed');
    expect(job!.error).toMatch(/disappeared|does not exist|No such file/);
    const [video] = await call('videos/list', {});
    expect(video!.status).toBe('failed');
    const db = app.workbench.requireProject().db;
    expect((db.prepare('SELECT count(*) AS n FROM frames').get() as { n: number }).n).toBe(0);
  });

  it('cancels a running import and removes what it had started', async () => {
    await open();
    const events = recordEvents(app.events);
    const [queued] = await call('videos/import', { paths: [path.join(media, 'face.mp4')] });
    await events.when((m) => m.event === 'jobs/progress' && m.payload.id === queued!.id && m.payload.progress > 0.05);
    await call('jobs/cancel', { jobId: queued!.id });
    const [job] = await finished([queued!]);
    events.stop();
    expect(job!.state).toBe('cancelled');
    expect(await call('videos/list', {})).toEqual([]);
    expect(fs.readdirSync(path.join(app.workbench.requireProject().dir, 'media')).filter((f) => f.endsWith('.crops'))).toEqual([]);
  });
});
