// npm run bench:writes — label writes over HTTP against the built browser-mode server
// (out/main/server.js, as `npm start` runs it) on loopback: `labels/set` calls, each its own
// committed SQLite transaction, from 1 connection one after another (sequential) and from 8 and
// 32 connections at once (concurrent, each connection sending its next write when the last is
// answered). Prints p50/p99 latency, throughput and errors per level, with the machine and
// the load average before and after, as a table. Bounded: at most --writes per level and
// --seconds per level. Loopback only; the project is a throwaway in a temp folder.
//   npm run build && npm run bench:writes [-- --writes 400 --seconds 20 --levels 1,8,32]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Project } from '../src/main/services/store/project';
import { insertVideo, setVideoStatus } from '../src/main/services/store/videos';

const root = path.resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    writes: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '20' },
    levels: { type: 'string', default: '1,8,32' },
  },
});
const maxWrites = Number(opt.writes);
const maxSeconds = Number(opt.seconds);
const levels = opt.levels!.split(',').map(Number);
if (!Number.isInteger(maxWrites) || maxWrites < 1 || maxWrites > 100_000) throw new Error('--writes must be a whole number from 1 to 100000');
if (!(maxSeconds > 0 && maxSeconds <= 600)) throw new Error('--seconds must be from 0 to 600');
if (!levels.length || levels.some((n) => !Number.isInteger(n) || n < 1 || n > 256)) throw new Error('--levels is a list of connection counts from 1 to 256, e.g. 1,8,32');
const serverJs = path.join(root, 'out/main/server.js');
if (!fs.existsSync(serverJs)) throw new Error(`${serverJs} is missing: run \`npm run build\` first.`);

const log = (s: string) => process.stderr.write(`[bench-writes] ${s}\n`);
const FRAMES = 20_000;
const AUS = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];

/** A project with one ready video of FRAMES frames (a stand-in file: label writes never read it). */
function makeProject(work: string): { dir: string; videoId: number } {
  const dir = path.join(work, 'project');
  const video = path.join(work, 'stand-in.mp4');
  fs.writeFileSync(video, 'not a real video: label writes never read it');
  const p = Project.create(dir, { name: 'bench:writes', auSet: { preset: 'disfa' } });
  try {
    const videoId = insertVideo(p.db, {
      path: video,
      contentHash: `bench-writes-${process.pid}`,
      subject: null,
      fps: 25,
      frameCount: FRAMES,
      duration: FRAMES / 25,
      width: 320,
      height: 240,
      sizeBytes: 44,
      hasAudio: false,
      codec: 'h264',
      videoStartSec: 0,
      variableFps: false,
    });
    const ins = p.db.prepare('INSERT INTO frames (video_id, idx, face, score) VALUES (?, ?, 1, 0.9)');
    p.db.transaction(() => {
      for (let i = 0; i < FRAMES; i++) ins.run(videoId, i);
    })();
    setVideoStatus(p.db, videoId, 'ready');
    return { dir, videoId };
  } finally {
    p.close();
  }
}

async function startServer(work: string, project: string): Promise<{ port: number; token: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [serverJs, '--no-open', '--root', work, '--project', project], {
    env: { ...process.env, AUW_SETTINGS_DIR: path.join(work, 'settings'), AUW_DEMO_DIR: path.join(work, 'no-demo'), CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no URL in 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Open: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[1]!));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${out}`)));
  });
  if (url.hostname !== '127.0.0.1') throw new Error(`expected a loopback server, got ${url.host}`);
  return {
    port: Number(url.port),
    token: url.searchParams.get('token')!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Level {
  mode: string;
  connections: number;
  latencies: number[];
  errors: number;
  seconds: number;
  loadBefore: number;
  loadAfter: number;
}

function post(agent: http.Agent, port: number, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/api/labels/set', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function runLevel(port: number, token: string, videoId: number, connections: number, offset: number): Promise<Level> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const loadBefore = os.loadavg()[0]!;
  const t0 = performance.now();
  const deadline = t0 + maxSeconds * 1000;
  const worker = async () => {
    while (next < maxWrites && performance.now() < deadline) {
      const i = offset + next++;
      const body = JSON.stringify({ videoId, frame: i % FRAMES, au: AUS[i % AUS.length], intensity: i % 6, annotator: 'bench' });
      const start = performance.now();
      try {
        const status = await post(agent, port, token, body);
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { mode: connections === 1 ? 'sequential' : 'concurrent', connections, latencies, errors, seconds, loadBefore, loadAfter: os.loadavg()[0]! };
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'auw-bench-writes-')));
  try {
    const { dir, videoId } = makeProject(work);
    const server = await startServer(work, dir);
    const results: Level[] = [];
    try {
      // A short warm-up (JIT, SQLite page cache), not counted.
      await runLevel(server.port, server.token, videoId, 1, 0).catch(() => undefined);
      let offset = maxWrites;
      for (const n of levels) {
        log(`${n} connection(s)…`);
        results.push(await runLevel(server.port, server.token, videoId, n, offset));
        offset += maxWrites;
      }
    } finally {
      await server.stop();
    }
    const cpu = os.cpus();
    console.log(`machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`);
    console.log(`label writes (labels/set over HTTP, keep-alive, loopback), at most ${maxWrites} writes or ${maxSeconds} s per level; load average (1 min) now ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
    console.log('');
    console.log('| mode | connections | writes | errors | p50 ms | p99 ms | max ms | writes/s | load before → after |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of results) {
      const sorted = [...r.latencies].sort((a, b) => a - b);
      console.log(
        `| ${r.mode} | ${r.connections} | ${sorted.length} | ${r.errors} | ${pct(sorted, 50).toFixed(1)} | ${pct(sorted, 99).toFixed(1)} | ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} | ${(sorted.length / r.seconds).toFixed(0)} | ${r.loadBefore.toFixed(2)} → ${r.loadAfter.toFixed(2)} |`,
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:writes failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
