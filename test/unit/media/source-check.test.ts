/**
 * Issue 24 §3, with real files in a temp folder: a video's source replaced under an open
 * project (same size, other content), cut short, or gone is reported 'changed' / 'missing' with
 * what to do, and never served as stills or playback; a touch or the original put back keeps
 * it ready; Relink to the original clears it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compose } from '../../../src/main/compose';
import { dispatch } from '../../../src/main/api/dispatch';
import { playbackFile } from '../../../src/main/services/media/backend/playback';
import { contentHashSync } from '../../../src/main/services/media/probe';
import { confirmSource } from '../../../src/main/services/media/sourceCheck';
import { Project } from '../../../src/main/services/store/project';
import { setVideoStatus } from '../../../src/main/services/store/videos';
import { addFrames, addVideo } from '../../helpers/project';
import { caught, tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-sources-');
let root: string;
let dir: string;
let file: string;
let original: Buffer;
let videoId: number;
let app: ReturnType<typeof compose>;

const call = (method: string, params: unknown) => dispatch(app.handlers, method as never, params as never);
const listed = async () => ((await call('videos/list', {})) as { ok: true; result: { id: number; status: string; error: string | null }[] }).result.find((v) => v.id === videoId)!;

beforeEach(async () => {
  root = fs.realpathSync(tmp.make());
  dir = path.join(root, 'p');
  file = path.join(root, 'one.mp4');
  original = crypto.randomBytes(5 << 20); // over 3 MiB: the hash samples start, middle and end
  fs.writeFileSync(file, original);
  const p = Project.create(dir, { name: 'Sources', auSet: { preset: 'disfa' } });
  videoId = addVideo(p.db, { path: file, contentHash: contentHashSync(file), sizeBytes: original.length, frameCount: 50 });
  addFrames(p.db, videoId, 50);
  setVideoStatus(p.db, videoId, 'ready');
  confirmSource(p.db, videoId, file);
  p.close();
  app = compose({ shell: 'cli', roots: [root], settingsDir: tmp.make(), demoDir: null });
  await app.workbench.open(dir);
});

afterEach(async () => {
  await app.workbench.close();
  tmp.cleanup();
});

describe('§3 a source file replaced under an open project', () => {
  it('same size, other content: listed as changed with what to do; stills and playback refuse it', async () => {
    expect((await listed()).status).toBe('ready');
    const other = Buffer.from(original);
    other.fill(7, 2 << 20, (2 << 20) + 4096); // a slice in the middle: same size, new time
    fs.writeFileSync(file, other);
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(await listed()).toMatchObject({ status: 'changed', error: expect.stringMatching(/not the file that was imported \(its content differs\).*Relink/) });
    const still = await call('frames/still', { videoId, frame: 3 });
    expect(still).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/not the file that was imported/) } });
    const err = caught(() => playbackFile(app.workbench.requireProject(), videoId)) as { code: string };
    expect(err.code).toBe('conflict');

    // The original put back (a new time, the same content) is ready again, without a relink.
    fs.writeFileSync(file, original);
    expect((await listed()).status).toBe('ready');
    expect(playbackFile(app.workbench.requireProject(), videoId)).toBe(file);
  });

  it('cut short: changed, saying the size; gone: missing; Relink to the original elsewhere clears it', async () => {
    fs.truncateSync(file, original.length - 1000);
    expect(await listed()).toMatchObject({ status: 'changed', error: expect.stringMatching(/5,241,880 bytes; the imported one was 5,242,880/) });
    fs.rmSync(file);
    expect(await listed()).toMatchObject({ status: 'missing', error: expect.stringMatching(/missing/) });
    expect(await call('frames/still', { videoId, frame: 3 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const moved = path.join(root, 'moved.mp4');
    fs.writeFileSync(moved, original);
    expect(await call('videos/relink', { videoId, path: moved })).toMatchObject({ ok: true });
    expect((await listed()).status).toBe('ready');
  });

  it('a touch alone keeps the video ready, and its new time is recorded so the file is not hashed again', async () => {
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    expect((await listed()).status).toBe('ready');
    const row = app.workbench.requireProject().db.prepare('SELECT source_mtime_ms AS t FROM videos WHERE id = ?').get(videoId) as { t: number };
    expect(row.t).toBe(fs.statSync(file).mtimeMs);
  });

  it('checks at open: a project from before fingerprints gets its times, and a file replaced while it was closed is changed', async () => {
    await app.workbench.close();
    const p = Project.open(dir);
    p.db.prepare('UPDATE videos SET source_mtime_ms = NULL').run();
    p.close();
    await app.workbench.open(dir);
    const t = () => (app.workbench.requireProject().db.prepare('SELECT source_mtime_ms AS t FROM videos WHERE id = ?').get(videoId) as { t: number | null }).t;
    expect(t()).toBe(fs.statSync(file).mtimeMs);
    await app.workbench.close();
    fs.writeFileSync(file, crypto.randomBytes(original.length));
    await app.workbench.open(dir);
    expect((await listed()).status).toBe('changed');
  });
});
