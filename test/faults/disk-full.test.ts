/**
 * Issue 11 §1: an acknowledged write is on disk. On a real full file system (a small tmpfs),
 * every write path either commits or answers disk_full with the message that says what to
 * do; what was answered ok is in the database afterwards, and the server stays up.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DISK_FULL_MESSAGE } from '../../src/shared/errors';
import { Project } from '../../src/main/services/store/project';
import { makeFaceVideo } from '../helpers/faceVideo';
import { addFrames, addVideo } from '../helpers/project';
import { tmpDirs } from '../helpers/tmp';
import { api, startLiveServer, type LiveServer } from './server';
import { mountSmallDisk, type SmallDisk } from './tmpfs';
import { keepReserve, RESERVE_BYTES, RESERVE_FILE, withReserve } from '../../src/main/services/store/reserve';

const probe = mountSmallDisk(1 << 20);
const canMount = !('skip' in probe);
if ('skip' in probe) console.warn(`[faults] full-disk tests SKIPPED: ${probe.skip}`);
else probe.unmount();

const tmp = tmpDirs('auw-faults-disk-');
let disk: SmallDisk | null = null;
let server: LiveServer | null = null;

afterEach(async () => {
  await server?.stop();
  server = null;
  disk?.unmount();
  disk = null;
  tmp.cleanup();
});

function smallDisk(bytes: number): SmallDisk {
  const d = mountSmallDisk(bytes);
  if ('skip' in d) throw new Error(d.skip);
  disk = d;
  return d;
}

function storedLabels(dir: string): Set<string> {
  const db = new Database(path.join(dir, 'project.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT frame_idx, au FROM labels').all() as { frame_idx: number; au: number }[];
    return new Set(rows.map((r) => `${r.frame_idx}:${r.au}`));
  } finally {
    db.close();
  }
}

async function jobEnds(s: LiveServer, jobId: number, timeoutMs = 90_000): Promise<{ state: string; error: string | null }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const jobs = (await api(s, 'jobs/list', { limit: 50 })).json.result as { id: number; state: string; error: string | null }[];
    const job = jobs.find((j) => j.id === jobId);
    if (job && !['queued', 'running'].includes(job.state)) return job;
    if (Date.now() > until) throw new Error(`job ${jobId} did not finish: ${JSON.stringify(job)}\n${s.log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!canMount)('a full disk (real tmpfs)', () => {
  it('answers disk_full for every write that did not commit; every label answered ok is stored', async () => {
    const d = smallDisk(6 << 20);
    const dir = path.join(d.dir, 'study');
    const p = Project.create(dir, { name: 'Full disk', auSet: { preset: 'disfa' } });
    const videoId = addVideo(p.db, { frameCount: 100_000 });
    addFrames(p.db, videoId, 2000);
    p.db.prepare("UPDATE videos SET status = 'ready' WHERE id = ?").run(videoId);
    p.close();
    const csv = path.join(tmp.make(), 'labels.csv');
    fs.writeFileSync(csv, `video,frame,AU,intensity\n${videoId},5000,AU01,2\n`);
    server = await startLiveServer({ roots: [d.dir, path.dirname(csv)], settingsDir: tmp.make(), args: ['--project', dir] });
    const s = server;
    d.fill();

    const acknowledged: string[] = [];
    const refused: { status: number; error: { code: string; message: string } }[] = [];
    for (let i = 0; i < 400; i++) {
      const frame = 10 + i;
      const r = await api(s, 'labels/set', { videoId, frame, au: 12, intensity: 1 + (i % 5), annotator: 'coder' });
      if (r.status === 200) acknowledged.push(`${frame}:12`);
      else refused.push({ status: r.status, error: r.json.error });
    }
    const stored = () => storedLabels(dir);
    const lostNow = acknowledged.filter((k) => !stored().has(k));
    expect(lostNow, `${lostNow.length} of ${acknowledged.length} acknowledged labels are not in the database`).toEqual([]);
    expect(refused.length, 'the disk never filled: the test proved nothing').toBeGreaterThan(0);
    for (const r of refused) expect(r).toEqual({ status: 507, error: { code: 'disk_full', message: DISK_FULL_MESSAGE } });

    // The other write paths: samples, label imports, video edits, jobs.
    for (const [method, args] of [
      ['samples/create', { videoId, percent: 50 }],
      ['labels/import', { path: csv }],
      ['videos/setSubject', { videoId, subject: 'S01' }],
      ['videos/import', { paths: [path.join(d.dir, 'missing-but-checked-later.mp4')] }],
    ] as const) {
      const r = await api(s, method, args);
      if (method === 'videos/import') expect(r.json.error.code).toBe('not_found'); // checked before anything is written
      else expect({ method, status: r.status, code: r.json.error?.code }).toEqual({ method, status: 507, code: 'disk_full' });
    }
    expect(s.alive()).toBe(true);
    await s.stop();

    // And after the server let go of the database (its WAL checkpointed or not), still all there.
    const lost = acknowledged.filter((k) => !stored().has(k));
    expect(lost, `${lost.length} of ${acknowledged.length} acknowledged labels are not on disk`).toEqual([]);

    // With space again, the same project takes writes.
    for (const f of fs.readdirSync(d.dir).filter((n) => n.startsWith('filler-'))) fs.rmSync(path.join(d.dir, f));
    server = await startLiveServer({ roots: [d.dir], settingsDir: tmp.make(), args: ['--project', dir] });
    expect((await api(server, 'labels/set', { videoId, frame: 9999, au: 12, intensity: 2, annotator: 'coder' })).status).toBe(200);
  });

  it('fails an import cleanly when the disk fills during it; the server stays up and Retry import works with space again', async () => {
    const d = smallDisk(3 << 20);
    const dir = path.join(d.dir, 'study');
    Project.create(dir, { name: 'Full import', auSet: { preset: 'disfa' } }).close();
    const videos = tmp.make();
    const video = await makeFaceVideo(path.join(videos, 'face.mp4'), { seconds: 6, size: 200 });
    server = await startLiveServer({ roots: [d.dir, videos], settingsDir: tmp.make(), args: ['--project', dir] });
    const s = server;
    d.fill(64 * 1024);

    const queued = await api(s, 'videos/import', { paths: [video] });
    expect(queued.status).toBe(200);
    const job = await jobEnds(s, queued.json.result[0].id);
    expect(s.alive(), `the server exited:\n${s.log()}`).toBe(true);
    expect(job.state).toBe('failed');
    expect(job.error).toBe(DISK_FULL_MESSAGE);
    const [row] = (await api(s, 'videos/list', {})).json.result as { id: number; status: string; error: string }[];
    // Issue 24 §7: the video is marked failed, with why, even with no byte free (the space held back for it).
    expect(row).toMatchObject({ status: 'failed', error: DISK_FULL_MESSAGE });
    // Nothing half-written is left to look like a finished import.
    expect(fs.existsSync(path.join(dir, 'media', `video-${row!.id}.crops`))).toBe(false);
    expect((await api(s, 'projects/current', {})).status).toBe(200);

    for (const f of fs.readdirSync(d.dir).filter((n) => n.startsWith('filler-'))) fs.rmSync(path.join(d.dir, f));
    const retried = await api(s, 'videos/retryImport', { videoId: row!.id });
    expect(retried.status).toBe(200);
    expect((await jobEnds(s, retried.json.result.id)).state).toBe('done');
    const [after] = (await api(s, 'videos/list', {})).json.result as { id: number; status: string }[];
    expect(after).toMatchObject({ id: row!.id, status: 'ready' });
  });

  it('an export or a copy of one that meets a full disk leaves no folder that looks complete (issue 24 §8)', async () => {
    const d = smallDisk(24 << 20);
    const dir = path.join(d.dir, 'study');
    const p = Project.create(dir, { name: 'Full export', auSet: { preset: 'disfa' } });
    const frames = 20_000; // each CSV ~ 2 MB: with 3 MiB free the first fits and the second does not
    const ids = [1, 2, 3, 4].map((n) => {
      const id = addVideo(p.db, { path: `/videos/v${n}.mp4`, frameCount: frames });
      p.db.prepare("UPDATE videos SET status = 'ready' WHERE id = ?").run(id);
      return id;
    });
    const aus = p.auSet().aus;
    const modelId = Number(p.db.prepare("INSERT INTO models (stage, name, checkpoint, params, created_at) VALUES ('finetune', 'm', 'models/m', '{}', 'now')").run().lastInsertRowid);
    for (const id of ids) {
      const data = Buffer.from(new Float32Array(aus.length * frames).map((_, i) => (i % 11) / 3).buffer);
      p.db.prepare("INSERT INTO predictions (model_id, video_id, aus, frame_count, data, created_at) VALUES (?, ?, ?, ?, ?, 'now')").run(modelId, id, JSON.stringify(aus), frames, data);
    }
    p.close();
    server = await startLiveServer({ roots: [d.dir], settingsDir: tmp.make(), args: ['--project', dir] });
    const s = server;
    d.fill(3 << 20);

    const run = await api(s, 'export/run', { modelId });
    expect(run.json.error?.code, JSON.stringify(run.json)).toBe('disk_full');
    expect(fs.readdirSync(path.join(dir, 'exports')), 'no export folder, complete-looking or partial').toEqual([]);

    // With room for one export but not for a second copy of it: the copy leaves nothing.
    for (const f of fs.readdirSync(d.dir).filter((n) => n.startsWith('filler-'))) fs.rmSync(path.join(d.dir, f));
    const done = await api(s, 'export/run', { modelId });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    d.fill(3 << 20);
    const target = path.join(d.dir, 'copies', 'first');
    const copy = await api(s, 'export/copy', { relDir: done.json.result.relDir, dir: target, overwrite: false });
    expect(copy.json.error?.code, JSON.stringify(copy.json)).toBe('disk_full');
    expect(fs.existsSync(path.join(d.dir, 'copies')), 'the folders made for the copy are gone too').toBe(false);
    expect(s.alive()).toBe(true);
  });

  it('records a failure with the space held back for it when not one byte is free (issue 24 §7)', () => {
    const d = smallDisk(2 << 20);
    const dir = path.join(d.dir, 'study');
    Project.create(dir, { name: 'Reserve', auSet: { preset: 'disfa' } }).close();
    const p = Project.open(dir); // opening holds the space back
    try {
      expect(fs.statSync(path.join(dir, RESERVE_FILE)).size).toBe(RESERVE_BYTES);
      const videoId = addVideo(p.db, { frameCount: 100 });
      p.db.prepare("UPDATE videos SET status = 'ingesting' WHERE id = ?").run(videoId);
      d.fill();
      const mark = () => p.db.prepare("UPDATE videos SET status = 'failed', error = ? WHERE id = ?").run('x'.repeat(20_000), videoId);
      expect(mark, 'the disk is not full: the test proves nothing').toThrow(/full/);
      withReserve(dir, mark);
      expect((p.db.prepare('SELECT status FROM videos WHERE id = ?').get(videoId) as { status: string }).status).toBe('failed');
      expect(fs.existsSync(path.join(dir, RESERVE_FILE))).toBe(false);
      // Made again once there is room (the next job start); on a full disk, none and no partial file.
      keepReserve(dir);
      expect(fs.existsSync(path.join(dir, RESERVE_FILE))).toBe(false);
      for (const f of fs.readdirSync(d.dir).filter((n) => n.startsWith('filler-'))) fs.rmSync(path.join(d.dir, f));
      keepReserve(dir);
      expect(fs.statSync(path.join(dir, RESERVE_FILE)).size).toBe(RESERVE_BYTES);
    } finally {
      p.close();
    }
  });
});
