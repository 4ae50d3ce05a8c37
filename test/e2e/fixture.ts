/**
 * A real project for the labelling and review specs, made the way a user would: a short face
 * video (a real photo from face-api's demo folder, slowly panned, with a sine audio track so the
 * waveform has peaks) is created, imported and sampled with the built CLI. The server is started
 * only after the CLI has let go of the project (one process holds a project's lock).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { startServer, type Shell } from './shell';

const require = createRequire(import.meta.url);

export interface Fixture {
  root: string;
  project: string;
  video: string;
  videoId: number;
  frameCount: number;
  fps: number;
  /** Sampled frames, ascending. */
  sampled: number[];
}

function ffmpeg(): string {
  return process.env.FFMPEG_PATH ?? (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Builds the video and the project; seconds of video at 25 fps, 10 % of frames sampled.
 * `silent` adds a second video without an audio track (imported after the first).
 */
export function buildFixture(name: string, seconds = 4, opts: { silent?: boolean; coder?: string | null } = {}): Fixture & { silentVideoId?: number } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `auw-${name}-`)));
  fs.mkdirSync(path.join(root, 'settings'));
  // This machine's coder, as if someone had answered "Who is coding?" once (null: not yet).
  const coder = opts.coder === undefined ? 'annotator' : opts.coder;
  if (coder !== null) fs.writeFileSync(path.join(root, 'settings', 'settings.json'), JSON.stringify({ recent: [], coder }));
  const photo = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
  const video = path.join(root, 'face.mp4');
  // The photo's right-hand face, cropped square and panned a little so frames differ.
  run(ffmpeg(), [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-loop', '1', '-framerate', '25', '-i', photo,
    '-f', 'lavfi', '-i', 'sine=f=440:beep_factor=4',
    '-t', String(seconds),
    '-vf', "crop=560:560:'1280+15*t':40,scale=320:320,format=yuv420p",
    '-c:v', 'libx264', '-preset', 'veryfast', '-c:a', 'aac', '-shortest', video,
  ]);
  const project = path.join(root, 'study');
  const env = { ...process.env, AUW_SETTINGS_DIR: path.join(root, 'settings') };
  const cli = (...args: string[]) => run(process.execPath, ['out/main/cli.js', ...args], env);
  cli('create', project, '--name', 'Label study');
  const imported = cli('import', project, video);
  const row = imported.trim().split('\n').find((l) => l.includes('face.mp4'));
  const [id, , frames] = row?.split('\t') ?? [];
  if (!row || !row.endsWith('ready')) throw new Error(`import did not finish: ${imported}`);
  let silentVideoId: number | undefined;
  if (opts.silent) {
    const silent = path.join(root, 'face-silent.mp4');
    run(ffmpeg(), ['-hide_banner', '-loglevel', 'error', '-y', '-i', video, '-an', '-c:v', 'copy', silent]);
    const out = cli('import', project, silent);
    silentVideoId = Number(out.trim().split('\n').find((l) => l.includes('face-silent.mp4'))?.split('\t')[0]);
  }
  cli('sample', project, '--percent', '10', '--seed', '1');
  const queue = cli('frames', project, '--video', String(Number(id)));
  const sampled = queue
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split('\t')[0]));
  return { root, project, video, videoId: Number(id), frameCount: Number.parseInt(frames ?? '0', 10), fps: 25, sampled, ...(silentVideoId ? { silentVideoId } : {}) };
}

/** Opens a better-sqlite3 handle on the fixture's project (only while no server runs). */
export function openDb(project: string) {
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  return new Database(path.join(project, 'project.sqlite'));
}

/**
 * Stands in for the learning engine: a finetuned model and its per-frame predictions, written
 * the way the engine stores them (float32, AU-major, NaN where there is no face).
 */
export function insertModel(
  project: string,
  videoId: number,
  name: string,
  values: (au: number, frame: number) => number,
  aus: number[],
  frameCount: number,
  metrics: Record<string, unknown> = { icc: 0.5 },
  params: Record<string, unknown> = {},
): number {
  const db = openDb(project);
  try {
    const now = new Date().toISOString();
    const { lastInsertRowid } = db
      .prepare('INSERT INTO models (stage, name, checkpoint, params, metrics, backend, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run('finetune', name, `models/${name}`, JSON.stringify({ preset: 'e2e', ...params }), JSON.stringify(metrics), 'wasm', now);
    const data = new Float32Array(aus.length * frameCount);
    aus.forEach((au, a) => {
      for (let f = 0; f < frameCount; f++) data[a * frameCount + f] = values(au, f);
    });
    db.prepare('INSERT INTO predictions (model_id, video_id, aus, frame_count, data, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      lastInsertRowid,
      videoId,
      JSON.stringify(aus),
      frameCount,
      Buffer.from(data.buffer),
      now,
    );
    return Number(lastInsertRowid);
  } finally {
    db.close();
  }
}

/** Labels written straight into the store (with the history triggers firing as usual). */
export function insertLabels(project: string, videoId: number, labels: { frame: number; au: number; intensity: number }[], annotator = 'annotator'): void {
  const db = openDb(project);
  try {
    const ins = db.prepare('INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    const now = new Date().toISOString();
    db.transaction(() => labels.forEach((l) => ins.run(videoId, l.frame, l.au, annotator, l.intensity, now)))();
  } finally {
    db.close();
  }
}

export function readLabels(project: string, videoId: number): { frame: number; au: number; annotator: string; intensity: number }[] {
  const db = openDb(project);
  try {
    return db.prepare('SELECT frame_idx AS frame, au, annotator, intensity FROM labels WHERE video_id = ? ORDER BY frame_idx, au').all(videoId) as {
      frame: number;
      au: number;
      annotator: string;
      intensity: number;
    }[];
  } finally {
    db.close();
  }
}

/** Browser mode on the fixture's project, opened at `hash`; `killServer` simulates a crash of the backend. */
export async function openProject(browser: Browser, fx: Fixture, hash: string): Promise<Shell & { killServer(): Promise<void> }> {
  const { url, child } = await startServer(fx.root, ['--project', fx.project]);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}${hash}`);
  return {
    kind: 'browser',
    page,
    root: fx.root,
    url,
    killServer: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      await context.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
