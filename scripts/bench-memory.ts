// npm run bench:memory — peak RSS of the backend and of the import worker while the app's own
// import job runs (compose + videos/import, as the UI calls it), on one demo video and on a long
// 720p video, and whether the worker's RSS stays flat along the long one (the pipeline streams:
// no stage may hold the whole video).
//   npm run bench:memory [-- --minutes N]   (default 5 minutes of 720p 30 fps)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compose } from '../src/main/compose';
import { dispatch } from '../src/main/api/dispatch';
import type { MethodName, Params, Result } from '../src/shared/contract';
import { ffmpegPath } from '../src/main/services/media/ffmpeg';
import { makeFaceVideo } from '../test/helpers/faceVideo';

const root = path.resolve(import.meta.dirname, '..');
const demoDir = process.env.AUW_DEMO_DIR ?? path.join(root, '.demo-data');
const minutesArg = process.argv.indexOf('--minutes');
const minutes = minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 5;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-bench-memory-'));
const MiB = 2 ** 20;

/** Resident set size of a process in bytes, from /proc (Linux), or null where it cannot be read. */
function rss(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The worker processes this backend forked (their parent pid is ours). */
function children(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (ppid === process.pid && comm.startsWith('node')) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function main() {
  if (process.platform !== 'linux') throw new Error('bench:memory reads /proc: Linux only.');
  const manifest = JSON.parse(fs.readFileSync(path.join(demoDir, 'manifest.json'), 'utf8')) as { videos: { file: string }[] };
  const face = await makeFaceVideo(path.join(work, 'face.mp4'), { photo: 3, seconds: 10, size: 720 });
  const long = path.join(work, `long-${minutes}min-720p.mp4`);
  console.log(`Making a ${minutes}-minute 720p 30 fps video…`);
  execFileSync(ffmpegPath(), ['-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', face, '-t', String(minutes * 60), '-vf', 'scale=-2:720,pad=1280:720:(ow-iw)/2:0,fps=30', '-c:v', 'libx264', '-preset', 'ultrafast', long]);
  const app = compose({ shell: 'cli', roots: [path.parse(root).root], settingsDir: path.join(work, 'settings'), demoDir: null });
  const call = async <M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> => {
    const r = await dispatch(app.handlers, method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.result as Result<M>;
  };
  await call('projects/create', { dir: path.join(work, 'project'), name: 'Memory', auSet: { preset: 'disfa' } });
  const rows: string[][] = [['input', 'frames', 'seconds', 'backend peak RSS MiB', 'worker peak RSS MiB', 'worker RSS MiB at 10 / 50 / 90 % of the frames']];
  for (const file of [path.join(demoDir, manifest.videos[0]!.file), long]) {
    const [job] = await call('videos/import', { paths: [file] });
    let backendPeak = 0;
    let workerPeak = 0;
    const along: { progress: number; rss: number }[] = [];
    const t0 = performance.now();
    const timer = setInterval(() => {
      backendPeak = Math.max(backendPeak, process.memoryUsage().rss);
      const pids = children();
      const sum = pids.reduce((n, pid) => n + (rss(pid) ?? 0), 0);
      if (pids.length) workerPeak = Math.max(workerPeak, sum);
      const j = app.workbench.requireJobs().list(5).find((x) => x.id === job!.id);
      if (pids.length && j && j.state === 'running') along.push({ progress: j.progress, rss: sum });
    }, 250);
    await app.workbench.requireJobs().idle();
    clearInterval(timer);
    const done = (await call('jobs/list', { limit: 10 })).find((j) => j.id === job!.id)!;
    if (done.state !== 'done') throw new Error(`import of ${file} ${done.state}: ${done.error}`);
    const v = (await call('videos/list', {})).find((x) => x.path === file)!;
    const at = (p: number) => {
      const s = along.find((a) => a.progress >= p);
      return s ? (s.rss / MiB).toFixed(0) : '–';
    };
    rows.push([path.basename(file), String(v.frameCount), ((performance.now() - t0) / 1000).toFixed(0), (backendPeak / MiB).toFixed(0), (workerPeak / MiB).toFixed(0), `${at(0.1)} / ${at(0.5)} / ${at(0.9)}`]);
    console.log(`  ${rows.at(-1)!.join(' · ')}`);
  }
  await app.workbench.close();
  console.log(`\nMachine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end. RSS sampled every 250 ms from /proc; the worker's is summed over its process (the detector thread is inside it; ffmpeg is not counted).\n`);
  for (const [i, r] of rows.entries()) {
    console.log(`| ${r.join(' | ')} |`);
    if (i === 0) console.log(`| ${r.map(() => '---').join(' | ')} |`);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
