// npm run bench:startup — `npm start` (browser mode) on an existing install, to the first usable
// page: the demo project's home with its heading and every video of its list shown as ready
// (issue 13). Each run spawns `npm start -- --no-open` as a user types it (so the build it runs
// first is counted), reads the URL with its token from what the server prints, and drives
// Debian's Chromium there (launched beforehand: a user's browser is usually already running).
//   cold: the first run after removing the build output (out/), with a fresh settings folder and
//         a fresh browser profile, and the Linux page cache dropped where this process may
//         (root with a writable /proc/sys/vm/drop_caches; said in the output either way)
//   warm: the runs after it, build output and caches as the previous run left them; each with a
//         fresh settings folder too, so every run lands on the same page (with a recent project
//         listed, the app opens none and shows its start screen instead)
// "Existing install": the demo videos and the demo project (imported) exist; made first if not.
//   npm run bench:startup [-- --runs 5 --chromium /usr/bin/chromium]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { compose } from '../src/main/compose';
import { DEMO_DEFAULTS, generateDemoData } from './demo-data';

const root = path.resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    timeout: { type: 'string', default: '600' },
  },
});
const warmRuns = Number(opt.runs);
if (!Number.isInteger(warmRuns) || warmRuns < 1) throw new Error('--runs must be a whole number ≥ 1 (the warm runs)');
if (!fs.existsSync(opt.chromium!)) throw new Error(`No Chromium at ${opt.chromium}: pass --chromium PATH`);
const timeoutMs = Number(opt.timeout) * 1000;
const demoDir = path.join(root, '.demo-data');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-bench-startup-'));
const log = (s: string) => process.stderr.write(`[bench-startup] ${s}\n`);
const DEMO_NAME = 'Demo: synthetic faces';

/** The existing install: demo videos generated and the demo project imported, through the app's own code. */
async function ensureDemoProject(): Promise<number> {
  if (!fs.existsSync(path.join(demoDir, 'manifest.json'))) {
    log('making the demo videos…');
    await generateDemoData({ ...DEMO_DEFAULTS, out: demoDir, log });
  }
  const app = compose({ shell: 'cli', roots: [path.parse(root).root], settingsDir: path.join(work, 'prepare'), demoDir });
  await app.workbench.openDemo();
  const jobs = app.workbench.requireJobs();
  if (jobs.list(50).some((j) => j.state === 'queued' || j.state === 'running')) log('importing the demo project (first start of this install)…');
  await jobs.idle();
  const videos = app.workbench.requireProject().db.prepare("SELECT COUNT(*) AS n FROM videos WHERE status = 'ready'").get() as { n: number };
  await app.workbench.close();
  if (!videos.n) throw new Error(`The demo project in ${demoDir}/project has no imported videos`);
  return videos.n;
}

/** Drops the page cache when allowed; says what happened. */
function dropCaches(): string {
  try {
    execFileSync('sync');
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return 'page cache dropped (sync; echo 3 > /proc/sys/vm/drop_caches)';
  } catch (err) {
    return `page cache NOT dropped (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): file reads may be served from memory`;
  }
}

interface Run {
  build: number;
  server: number;
  page: number;
  total: number;
}

async function run(browser: Awaited<ReturnType<typeof chromium.launch>>, expectVideos: number): Promise<Run> {
  const settings = fs.mkdtempSync(path.join(work, 'settings-'));
  const t0 = performance.now();
  // Its own process group, so the whole tree npm starts (sh, start.mjs, server) stops together.
  const child = spawn('npm', ['start', '--', '--no-open'], {
    cwd: root,
    detached: true,
    env: { ...process.env, AUW_SHELL: 'browser', AUW_SETTINGS_DIR: settings, AUW_DEMO_DIR: demoDir, CI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let buildDone = NaN;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within ${opt.timeout} s:\n${out}`)), timeoutMs);
      const onData = (d: Buffer) => {
        out += d.toString();
        // start.mjs prints its shell choice right after the build.
        if (Number.isNaN(buildDone) && /starting browser mode|Starting the desktop app/.test(out)) buildDone = performance.now();
        const m = /Open: (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before printing its URL:\n${out}`)));
    });
    const tUrl = performance.now();
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.getByRole('heading', { name: DEMO_NAME, level: 1 }).waitFor({ timeout: timeoutMs });
      const table = page.getByRole('table', { name: 'Videos in this project' });
      await table.locator('.state-ready').nth(expectVideos - 1).waitFor({ timeout: timeoutMs });
      const tUsable = performance.now();
      return { build: (buildDone - t0) / 1000, server: (tUrl - buildDone) / 1000, page: (tUsable - tUrl) / 1000, total: (tUsable - t0) / 1000 };
    } finally {
      await context.close();
    }
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const loadStart = os.loadavg()[0]!;
const videos = await ensureDemoProject();
const browser = await chromium.launch({ executablePath: opt.chromium, args: ['--no-sandbox'] });
try {
  fs.rmSync(path.join(root, 'out'), { recursive: true, force: true });
  const cache = dropCaches();
  log(`cold run (out/ removed, fresh settings; ${cache})…`);
  const cold = await run(browser, videos);
  const warm: Run[] = [];
  for (let i = 0; i < warmRuns; i++) {
    log(`warm run ${i + 1} of ${warmRuns}…`);
    warm.push(await run(browser, videos));
  }
  const loadEnd = os.loadavg()[0]!;
  console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${os.platform()} ${os.release()}, Node ${process.version}, Chromium ${browser.version()}; load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at the end`);
  console.log(`\`npm start -- --no-open\` (browser mode) to the demo project's home with its heading and all ${videos} videos listed as ready. Cold: ${cache}; out/ removed, fresh settings folder and browser profile. Warm: median of ${warmRuns} runs after it.`);
  console.log('');
  console.log('| run | build s | server start s | page usable s | total s |');
  console.log('| --- | --- | --- | --- | --- |');
  const line = (name: string, r: Run) => console.log(`| ${name} | ${r.build.toFixed(1)} | ${r.server.toFixed(2)} | ${r.page.toFixed(2)} | ${r.total.toFixed(1)} |`);
  line('cold', cold);
  line(`warm, median of ${warmRuns}`, { build: median(warm.map((r) => r.build)), server: median(warm.map((r) => r.server)), page: median(warm.map((r) => r.page)), total: median(warm.map((r) => r.total)) });
  console.log(`\nWarm runs, total s: ${warm.map((r) => r.total.toFixed(1)).join(', ')}. build = npm start's build step (scripts/ensure-build.mjs: electron-vite's three targets when out/ is missing or older than the sources, else only the check); server start = from the build's end to the printed URL (opening the demo project included); page usable = from the URL to the heading and the video list.`);
} finally {
  await browser.close();
  fs.rmSync(work, { recursive: true, force: true });
}
