// npm run bench:memory — peak RSS of the backend and of its worker processes while the app's own
// jobs run (compose + dispatch of the API methods, as the UI calls them): a demo video's import;
// one long 720p video's, along which the import worker's RSS must stay flat (the pipeline
// streams: no stage may hold the whole video); and a short training of the demo project
// (models/pretrain + models/finetune at a small step count: a step's peak does not grow with the
// number of steps; the default finetune's 3-fold cross-validation and its prediction of every
// frame included), on the copy bench:predict imports (after that bench, if it is running).
//   npm run bench:memory [-- --minutes N --steps N --imports-only]   (default 5 minutes of 720p 30 fps, 20 steps;
//   --imports-only: the two imports, no training — for an hour-long video, whose import alone takes most of an hour)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ffmpegPath } from '../src/main/services/media/ffmpeg';
import { compose } from '../src/main/compose';
import { dispatch } from '../src/main/api/dispatch';
import type { MethodName, Params, Result } from '../src/shared/contract';
import type { JobManager } from '../src/main/services/jobs/manager';
import { makeFaceVideo } from '../test/helpers/faceVideo';
import { openBench } from './bench-common';

const root = path.resolve(import.meta.dirname, '..');
const demoDir = process.env.AUW_DEMO_DIR ?? path.join(root, '.demo-data');
const minutesArg = process.argv.indexOf('--minutes');
const minutes = minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 5;
const stepsArg = process.argv.indexOf('--steps');
const steps = stepsArg > 0 ? Number(process.argv[stepsArg + 1]) : 20;
const importsOnly = process.argv.includes('--imports-only');
if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
if (!Number.isInteger(steps) || steps < 1) throw new Error('--steps must be a whole number ≥ 1');
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

/** Where along a job the worker's RSS is reported, as shares of its progress. */
const ALONG = [0.1, 0.25, 0.5, 0.75, 0.9];

/** Samples this process's RSS and its workers' (summed) every 250 ms while a phase runs. */
function sampler(progress: () => number | null) {
  let backendPeak = 0;
  let workerPeak = 0;
  const along: { progress: number; rss: number }[] = [];
  const timer = setInterval(() => {
    backendPeak = Math.max(backendPeak, process.memoryUsage().rss);
    const pids = children();
    const sum = pids.reduce((n, pid) => n + (rss(pid) ?? 0), 0);
    if (pids.length) workerPeak = Math.max(workerPeak, sum);
    const p = progress();
    if (pids.length && p !== null) along.push({ progress: p, rss: sum });
  }, 250);
  return {
    stop: () => {
      clearInterval(timer);
      const at = (p: number) => {
        const s = along.find((a) => a.progress >= p);
        return s ? (s.rss / MiB).toFixed(0) : '–';
      };
      return { backend: (backendPeak / MiB).toFixed(0), worker: (workerPeak / MiB).toFixed(0), along: ALONG.map(at).join(' / ') };
    },
  };
}

/** Waits while another live process (another bench) holds the project in `dir`: it is read again once that one is done. */
async function untilUnlocked(dir: string): Promise<void> {
  const lock = path.join(dir, 'project', 'project.lock');
  for (let said = false; ; said = true) {
    let pid: number;
    try {
      pid = (JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number }).pid;
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (!said) console.log(`  ${dir} is open in process ${pid}: waiting for it to finish`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}

/** A job's progress while it runs (null before and after), for the RSS sampler. */
function progressOf(jobs: () => JobManager, id: number): () => number | null {
  return () => {
    const j = jobs().list(5).find((x) => x.id === id);
    return j && j.state === 'running' ? j.progress : null;
  };
}

/** 2. A short training of the demo project (6 videos), as the Train view's buttons start it, on
 * 2 % ground-truth labels: the learning benches' imported copy (imported here if missing). */
async function training(rows: string[][], show: () => void): Promise<void> {
  const trainWork = path.join(demoDir, 'bench-predict');
  await untilUnlocked(trainWork);
  const b = await openBench({ demoDir, work: trainWork, name: 'bench-predict', seed: 1, log: (m) => console.log(`  ${m}`) });
  const labelled = b.setLabels(2, b.videos);
  const demoFrames = b.videos.reduce((n, v) => n + v.frameCount, 0);
  const tag = Date.now().toString(36);
  for (const [label, start] of [
    [`training: models/pretrain, quick, ${steps} steps`, () => b.call('models/pretrain', { name: `mem-pre-${tag}`, preset: 'quick', steps })],
    [
      `training: models/finetune, quick, ${steps} steps, default 3-fold cross-validation + final model + predict every frame (${labelled} labelled frames)`,
      () => b.call('models/finetune', { name: `mem-ft-${tag}`, preset: 'quick', parentId: null, headSteps: 0, fullSteps: steps }),
    ],
  ] as const) {
    const t0 = performance.now();
    const job = await start();
    const s = sampler(progressOf(() => b.app.workbench.requireJobs(), job.id));
    await b.waitJob(job.id);
    const r = s.stop();
    rows.push([label, String(demoFrames), ((performance.now() - t0) / 1000).toFixed(0), r.backend, r.worker, r.along]);
    show();
  }
  await b.app.workbench.close();
}

async function main() {
  if (process.platform !== 'linux') throw new Error('bench:memory reads /proc: Linux only.');
  const loadStart = os.loadavg();
  const manifest = JSON.parse(fs.readFileSync(path.join(demoDir, 'manifest.json'), 'utf8')) as { videos: { file: string; frameCount: number }[] };
  const rows: string[][] = [['phase', 'frames', 'seconds', 'backend peak RSS MiB', 'workers peak RSS MiB', `worker RSS MiB at ${ALONG.map((p) => 100 * p).join(' / ')} % of the job`]];
  const show = () => console.log(`  ${rows.at(-1)!.join(' · ')}`);

  // 1. Imports into a fresh project: one demo video (the demo project queues its six, which run
  // one at a time through the same worker, so one shows the per-video peak), then the long video.
  const app = compose({ shell: 'cli', roots: [path.parse(root).root], settingsDir: path.join(work, 'settings'), demoDir: null });
  const call = async <M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> => {
    const r = await dispatch(app.handlers, method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.result as Result<M>;
  };
  await call('projects/create', { dir: path.join(work, 'project'), name: 'Memory', auSet: { preset: 'disfa' } });
  const face = await makeFaceVideo(path.join(work, 'face.mp4'), { photo: 3, seconds: 10, size: 720 });
  const long = path.join(work, `long-${minutes}min-720p.mp4`);
  console.log(`Making a ${minutes}-minute 720p 30 fps video…`);
  execFileSync(ffmpegPath(), ['-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', face, '-t', String(minutes * 60), '-vf', 'scale=-2:720,pad=1280:720:(ow-iw)/2:0,fps=30', '-c:v', 'libx264', '-preset', 'ultrafast', long]);
  for (const [label, file] of [
    [`import: one demo video (${manifest.videos[0]!.file})`, path.join(demoDir, manifest.videos[0]!.file)],
    [`import: ${minutes}-minute 720p 30 fps video`, long],
  ] as const) {
    const t0 = performance.now();
    const [job] = await call('videos/import', { paths: [file] });
    const s = sampler(progressOf(() => app.workbench.requireJobs(), job!.id));
    await app.workbench.requireJobs().idle();
    const r = s.stop();
    const done = (await call('jobs/list', { limit: 10 })).find((j) => j.id === job!.id)!;
    if (done.state !== 'done') throw new Error(`import of ${file} ${done.state}: ${done.error}`);
    const v = (await call('videos/list', {})).find((x) => x.path === file)!;
    rows.push([label, String(v.frameCount), ((performance.now() - t0) / 1000).toFixed(0), r.backend, r.worker, r.along]);
    show();
  }
  await app.workbench.close();

  if (!importsOnly) await training(rows, show);

  console.log(
    `\nMachine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} at start, ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end. RSS sampled every 250 ms from /proc; "workers" is the sum over the worker processes the backend forked (the import worker with its detector thread, the learning worker; ffmpeg is not counted); "backend" is this process (the app's backend with the bench around it).\n`,
  );
  for (const [i, row] of rows.entries()) {
    console.log(`| ${row.join(' | ')} |`);
    if (i === 0) console.log(`| ${row.map(() => '---').join(' | ')} |`);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
