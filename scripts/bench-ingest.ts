// npm run bench:ingest — whole-ingest speed beside ffmpeg's decode-only speed for the same file,
// where the time goes, and the accuracy of detect-every-k tracking against detecting every frame.
// Runs on the demo videos (generated if missing) and on a 720p 30 fps face video it makes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeFrames } from '../src/main/services/media/decode';
import { ffmpegPath } from '../src/main/services/media/ffmpeg';
import { loadFaceApi } from '../src/main/services/media/faceapi';
import { runIngest, type FrameRow, type IngestInput } from '../src/main/services/media/ingest-task';
import { probeVideo } from '../src/main/services/media/probe';
import { DEFAULT_DETECT_EVERY } from '../src/main/services/media/import';
import { makeFaceVideo } from '../test/helpers/faceVideo';

const root = path.resolve(import.meta.dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-bench-ingest-'));
const demoDir = process.env.AUW_DEMO_DIR ?? path.join(root, '.demo-data');

async function ingest(file: string, detectEvery: number, maxDecodeWidth = 640) {
  const p = await probeVideo(file);
  const input: IngestInput = {
    probe: p,
    cropFile: path.join(work, `${path.basename(file)}-${detectEvery}.crops`),
    cropSize: 64,
    alreadyAligned: false,
    detectEvery,
    maxDecodeWidth,
  };
  const rows: FrameRow[] = [];
  const ac = new AbortController();
  const result = await runIngest(input, { signal: ac.signal, progress: () => {}, log: () => {}, emit: (e) => rows.push(...e.rows) });
  return { probe: p, result, rows: rows.sort((a, b) => a.idx - b.idx), decodeWidth: Math.min(p.width, maxDecodeWidth) };
}

async function decodeOnly(file: string, width: number): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const _ of decodeFrames(file, { pixFmt: 'rgb24', width })) n++;
  return n / ((performance.now() - t0) / 1000);
}

/** Mean landmark distance to the every-frame run, in inter-ocular distances, and face agreement. */
function accuracy(ref: FrameRow[], test: FrameRow[]) {
  let both = 0;
  let agree = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = ref[i]!;
    const b = test[i];
    if (!b) continue;
    if (a.face === b.face) agree++;
    if (!a.landmarks || !b.landmarks) continue;
    const eye = (lm: Float32Array, from: number) => {
      let x = 0, y = 0;
      for (let k = from; k < from + 6; k++) { x += lm[2 * k]!; y += lm[2 * k + 1]!; }
      return [x / 6, y / 6] as const;
    };
    const [lx, ly] = eye(a.landmarks, 36);
    const [rx, ry] = eye(a.landmarks, 42);
    const iod = Math.hypot(rx - lx, ry - ly) || 1;
    let d = 0;
    for (let k = 0; k < 68; k++) d += Math.hypot(a.landmarks[2 * k]! - b.landmarks[2 * k]!, a.landmarks[2 * k + 1]! - b.landmarks[2 * k + 1]!);
    err += d / 68 / iod;
    both++;
  }
  return { agree: agree / ref.length, nme: both ? err / both : NaN };
}

function ms(v: number, frames: number) {
  return (v / frames).toFixed(1);
}

async function main() {
  if (!fs.existsSync(path.join(demoDir, 'manifest.json'))) {
    console.log('Generating demo data first (npm run demo:data)…');
    execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/demo-data.ts'), '--out', demoDir], { stdio: 'inherit' });
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(demoDir, 'manifest.json'), 'utf8')) as { videos: { file: string }[] };
  const hd = path.join(work, 'face-720p30.mp4');
  await makeFaceVideo(hd, { photo: 3, seconds: 10, size: 720 });
  execFileSync(ffmpegPath(), ['-loglevel', 'error', '-y', '-i', hd, '-vf', 'scale=-2:720,pad=1280:720:(ow-iw)/2:0,fps=30', '-c:v', 'libx264', path.join(work, '720p.mp4')]);
  const files = [
    { label: 'demo (2 videos)', paths: manifest.videos.slice(0, 2).map((v) => path.join(demoDir, v.file)) },
    { label: '720p 30 fps', paths: [path.join(work, '720p.mp4')] },
  ];
  const tf = (await loadFaceApi()).tf as unknown as { getBackend(): string };
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(`\nMachine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB · face-api backend: ${tf.getBackend()} · node ${process.version}\n`);
  const table: string[][] = [
    ['input', 'k', 'frames', 'ingest f/s', 'decode-only f/s', 'ratio', 'real time', 'faces %', 'agree vs k=1', 'NME vs k=1', 'decode ms/f', 'detect ms/f', 'landmarks ms/f', 'align ms/f', 'write ms/f'],
  ];
  for (const set of files) {
    for (const k of [1, DEFAULT_DETECT_EVERY]) {
      let frames = 0, seconds = 0, faces = 0, fpsSum = 0, decodeFps = 0, agreeSum = 0, nmeSum = 0;
      const t = { decodeMs: 0, detectMs: 0, landmarkMs: 0, alignMs: 0, writeMs: 0 };
      for (const file of set.paths) {
        const run = await ingest(file, k);
        const ref = k === 1 ? run : await ingest(file, 1);
        const acc = accuracy(ref.rows, run.rows);
        frames += run.result.frames;
        seconds += run.result.seconds;
        faces += run.result.faces;
        fpsSum += run.probe.fps * run.result.frames;
        agreeSum += acc.agree * run.result.frames;
        nmeSum += acc.nme * run.result.frames;
        for (const key of Object.keys(t) as (keyof typeof t)[]) t[key] += run.result.timings[key];
        decodeFps += (await decodeOnly(file, run.decodeWidth)) * run.result.frames;
      }
      const fps = frames / seconds;
      const videoFps = fpsSum / frames;
      table.push([
        set.label, String(k), String(frames), fps.toFixed(1), (decodeFps / frames).toFixed(0), (fps / (decodeFps / frames)).toFixed(3),
        `${(fps / videoFps).toFixed(2)}×`, ((100 * faces) / frames).toFixed(1), `${((100 * agreeSum) / frames).toFixed(1)} %`,
        k === 1 ? '0 (ref)' : (nmeSum / frames).toFixed(4),
        ms(t.decodeMs, frames), ms(t.detectMs, frames), ms(t.landmarkMs, frames), ms(t.alignMs, frames), ms(t.writeMs, frames),
      ]);
    }
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  for (const [i, row] of table.entries()) {
    console.log(`| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`);
    if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  }
  console.log('\nNME: mean landmark distance to the detect-every-frame run, in inter-ocular distances. Frames are decoded at ≤ 640 px wide for detection.');
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
