/**
 * Issue 11 §6: interrupted work recovers. An import killed with kill -9 does not stay
 * 'ingesting' forever: the next open marks it failed with Retry import, which keeps its labels
 * and sample sets and continues from what was written. A stale project.lock is taken over
 * safely: right after the kill (a zombie), when the pid was reused, and by one racer only.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, bootId, procStat } from '../../src/main/services/store/lock';
import { Project } from '../../src/main/services/store/project';
import { makeFaceVideo } from '../helpers/faceVideo';
import { tmpDirs } from '../helpers/tmp';
import { api, startLiveServer, type LiveServer } from './server';

const tmp = tmpDirs('auw-faults-recover-');
let server: LiveServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});
afterAll(() => tmp.cleanup());

type JobRow = { id: number; kind: string; state: string; progress: number; error: string | null };
const jobs = async (s: LiveServer) => (await api(s, 'jobs/list', { limit: 50 })).json.result as JobRow[];

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('an import killed with kill -9', () => {
  it('is marked failed on the next open and Retry import continues it into the same video, keeping labels', async () => {
    const root = fs.realpathSync(tmp.make());
    const dir = path.join(root, 'study');
    Project.create(dir, { name: 'Killed import', auSet: { preset: 'disfa' } }).close();
    const video = await makeFaceVideo(path.join(root, 'face.mp4'), { seconds: 12, size: 200 });
    server = await startLiveServer({ roots: [root], settingsDir: tmp.make(), args: ['--project', dir] });
    const s = server;
    const [job] = (await api(s, 'videos/import', { paths: [video] })).json.result as JobRow[];
    // Kill once frames are in the database (so there is something to continue from).
    const id = await until('frames to be written', async () => {
      const [v] = (await api(s, 'videos/list', {})).json.result as { id: number; facesFound: number }[];
      return v && v.facesFound > 70 ? v.id : null;
    });
    await api(s, 'labels/set', { videoId: id, frame: 2, au: 12, intensity: 4, annotator: 'coder' });
    s.child.kill('SIGKILL');
    await new Promise((r) => s.child.once('exit', r));
    server = null;

    server = await startLiveServer({ roots: [root], settingsDir: tmp.make(), args: ['--project', dir] });
    const again = server;
    const [stranded] = (await api(again, 'videos/list', {})).json.result as { id: number; status: string; error: string; labelled: number }[];
    expect(stranded).toMatchObject({ id, status: 'failed', labelled: 1 });
    expect(stranded!.error).toMatch(/interrupted.*Retry import/);
    expect((await jobs(again)).find((j) => j.id === job!.id)?.state).toBe('interrupted');

    const retry = (await api(again, 'videos/retryImport', { videoId: id })).json.result as JobRow;
    const done = await until('the retried import', async () => (await jobs(again)).find((j) => j.id === retry.id && !['queued', 'running'].includes(j.state)));
    expect(done.state).toBe('done');
    const [ready] = (await api(again, 'videos/list', {})).json.result as { id: number; status: string; labelled: number; frameCount: number; facesFound: number }[];
    expect(ready).toMatchObject({ id, status: 'ready', labelled: 1 });
    expect(ready!.facesFound).toBeGreaterThan(ready!.frameCount * 0.8);
    // Every frame has its row exactly once, and the crop file holds every frame.
    const crops = fs.statSync(path.join(dir, 'media', `video-${id}.crops`)).size;
    expect(crops).toBe(64 + ready!.frameCount * (24 + 64 * 64));
  });
});

/** A child that opens the project and then waits; returns once it holds the lock. */
async function holder(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/hold-project.ts', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  return child;
}

describe('a stale project.lock', () => {
  it('is taken over right after kill -9, while the dead holder is still a zombie', async () => {
    const dir = path.join(tmp.make(), 'p');
    Project.create(dir, { name: 'Zombie', auSet: { preset: 'disfa' } }).close();
    const child = await holder(dir);
    child.kill('SIGKILL');
    // Synchronously, so Node cannot reap it: wait until the kernel reports it dead but unreaped.
    const end = Date.now() + 5000;
    while (procStat(child.pid!)?.state !== 'Z' && Date.now() < end) spawnSync('sleep', ['0.01']);
    expect(procStat(child.pid!)?.state).toBe('Z');
    const p = Project.open(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    p.close();
  });

  it('is taken over when its pid now belongs to another live process', () => {
    const dir = path.join(tmp.make(), 'p');
    Project.create(dir, { name: 'Reused pid', auSet: { preset: 'disfa' } }).close();
    // The parent of this test runner is alive, but it is not the process that wrote this lock.
    const lock = { pid: process.ppid, host: os.hostname(), since: '2020-01-01T00:00:00Z', bootId: bootId(), startTicks: '1', nonce: 'old' };
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(lock));
    const p = Project.open(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    p.close();
  });

  it('goes to exactly one of several processes racing to take it over', async () => {
    const dir = path.join(tmp.make(), 'p');
    Project.create(dir, { name: 'Race', auSet: { preset: 'disfa' } }).close();
    const go = Date.now() + 1500;
    const script = `
      const { acquireProjectLock } = await import(${JSON.stringify(path.resolve(process.env.AUW_FAULTS_LOCK_TS ?? 'src/main/services/store/lock.ts'))});
      while (Date.now() < ${go}) {}
      let got = false;
      try { acquireProjectLock(${JSON.stringify(dir)}); got = true; } catch (e) { if (e.code !== 'locked') throw e; }
      process.stdout.write(got ? 'got' : 'locked');
      // Hold on (a winner keeps its lock alive) until every racer has answered: a winner that
      // exited early would leave a stale lock that a slow-starting racer rightly takes over.
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));`;
    for (let round = 0; round < 2; round++) {
      fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 999_999_999, host: os.hostname(), since: '', nonce: `stale-${round}` }));
      const racers = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script.replace(String(go), String(Date.now() + 1500))], { stdio: ['pipe', 'pipe', 'inherit'] }));
      const outcomes = await Promise.all(
        racers.map((c) => new Promise<string>((resolve) => {
          let out = '';
          c.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out === 'got' || out === 'locked') resolve(out);
          });
          c.once('exit', () => resolve(out));
        })),
      );
      const exited = racers.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve))));
      for (const c of racers) c.stdin.end();
      await Promise.all(exited);
      expect(outcomes.filter((o) => o === 'got'), `round ${round}: ${outcomes.join(', ')}`).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'locked')).toHaveLength(3);
      fs.rmSync(path.join(dir, LOCK_FILE), { force: true });
    }
  });
});
