// npm run bench:ingest — the import pipeline's speed (frames/s, × real time) beside ffmpeg's
// decode-only speed for the same file, where the time goes, and the accuracy of the default
// (detect every k-th frame on the detector thread, track between) against detecting every frame
// and against the true landmarks where they are known (the demo videos are rendered with them;
// the wide shot and the head movement are demo videos moved by a known placement), beside the
// every-frame run's own floor (bench-ingest/noise-floor.ts: how far it is from itself).
// Inputs: the demo videos (generated if missing), alone and queued three at a time as the job
// queue runs them; a 720p 30 fps face video; a wide 720p shot with a small face, still and
// moving; a 720p video without a face; fast head turns; extreme head roll.
//   npm run bench:ingest [-- --quick] [-- --only <text>]
//   (--quick: one demo video, 150-frame synthetic clips; --only: the inputs whose label holds the
//   text, e.g. --only head; the targets are then judged on those inputs alone)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeFrames } from '../src/main/services/media/decode';
import { ffmpegPath } from '../src/main/services/media/ffmpeg';
import { loadFaceApi } from '../src/main/services/media/worker/faceapi';
import { runIngest, type FrameRow, type IngestInput, type IngestResult } from '../src/main/services/media/worker/ingest';
import { probeVideo, type VideoProbe } from '../src/main/services/media/probe';
import { DEFAULT_DETECT_EVERY } from '../src/shared/settings/ingest';
import { makeFaceVideo, makePlacedFaceVideo, noFaceSource, placement } from '../test/helpers/faceVideo';
import { readDemoLandmarks } from './demo-data';
import { nme } from './demo/measure-faces';
import { detectorNoiseFloor } from './bench-ingest/noise-floor';
import { FaceEngine } from '../src/main/services/media/worker/faces';

const root = path.resolve(import.meta.dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-bench-ingest-'));
const demoDir = process.env.AUW_DEMO_DIR ?? path.join(root, '.demo-data');
const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (onlyAt >= 0 && !only) {
  console.error('--only needs a text: the inputs whose label holds it are run, e.g. --only head');
  process.exit(2);
}

interface Run {
  probe: VideoProbe;
  result: IngestResult;
  rows: FrameRow[];
}

interface Setting {
  detectEvery: number;
  thread: boolean;
  detectorInputSize?: number;
  smallFaces?: boolean;
}

async function ingest(file: string, o: Setting): Promise<Run> {
  const probe = await probeVideo(file);
  const input: IngestInput = {
    probe,
    cropFile: path.join(work, `${path.basename(file)}-${o.detectEvery}-${o.thread}-${o.smallFaces ?? true}.crops`),
    cropSize: 64,
    alreadyAligned: false,
    detectEvery: o.detectEvery,
    maxDecodeWidth: 640,
    detectorThread: o.thread,
    smallFaces: o.smallFaces ?? true,
    ...(o.detectorInputSize ? { detectorInputSize: o.detectorInputSize } : {}),
  };
  const rows: FrameRow[] = [];
  const ac = new AbortController();
  const result = await runIngest(input, { signal: ac.signal, progress: () => {}, log: (l) => console.log(`  ${l}`), emit: (e) => rows.push(...e.rows) });
  fs.rmSync(input.cropFile, { force: true });
  return { probe, result, rows: rows.sort((a, b) => a.idx - b.idx) };
}

async function decodeOnly(file: string, width: number): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const _ of decodeFrames(file, { pixFmt: 'rgb24', width })) n++;
  return n / ((performance.now() - t0) / 1000);
}

/** Face agreement with the every-frame run, and mean landmark distance there in inter-ocular distances. */
function accuracy(ref: FrameRow[], test: FrameRow[]) {
  let both = 0;
  let agree = 0;
  let err = 0;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = ref[i]!;
    const b = test[i];
    if (!b) continue;
    if (a.face === b.face) agree++;
    if (!a.landmarks || !b.landmarks) continue;
    const eye = (lm: Float32Array, from: number) => {
      let x = 0;
      let y = 0;
      for (let k = from; k < from + 6; k++) {
        x += lm[2 * k]!;
        y += lm[2 * k + 1]!;
      }
      return [x / 6, y / 6] as const;
    };
    const [lx, ly] = eye(a.landmarks, 36);
    const [rx, ry] = eye(a.landmarks, 42);
    const iod = Math.hypot(rx - lx, ry - ly) || 1;
    let d = 0;
    for (let k = 0; k < 68; k++) d += Math.hypot(a.landmarks[2 * k]! - b.landmarks[2 * k]!, a.landmarks[2 * k + 1]! - b.landmarks[2 * k + 1]!);
    err += d / 68 / iod;
    worst = Math.max(worst, d / 68 / iod);
    both++;
  }
  return { agree: agree / Math.max(1, ref.length), nme: both ? err / both : NaN, worst };
}

/** Median face width in source pixels (detector boxes), to say how small the small face is. */
function faceWidth(rows: FrameRow[]): number {
  const w = rows.filter((r) => r.box).map((r) => r.box![2]!).sort((a, b) => a - b);
  return w.length ? w[Math.floor(w.length / 2)]! : NaN;
}

/**
 * Against the true landmarks (136 floats per frame, source pixels): the share of frames showing the
 * whole face where the run has it (within 0.25 inter-ocular distances of the truth, as
 * scripts/demo/measure-faces counts it), and the NME over every frame the run reports a face on
 * (a track that slid off the face counts there).
 */
function truthAccuracy(truth: Float32Array, rows: FrameRow[], width: number, height: number) {
  let present = 0, found = 0, reported = 0, err = 0, worst = 0;
  for (const r of rows) {
    const t = truth.subarray(r.idx * 136, r.idx * 136 + 136);
    if (t.length < 136) continue;
    let inside = true;
    for (let k = 0; k < 68; k++) if (t[2 * k]! < 0 || t[2 * k + 1]! < 0 || t[2 * k]! >= width || t[2 * k + 1]! >= height) inside = false;
    if (inside) present++;
    if (!r.landmarks) continue;
    const e = nme(r.landmarks, t);
    reported++;
    err += e;
    worst = Math.max(worst, e);
    if (inside && e < 0.25) found++;
  }
  return { found: found / Math.max(1, present), nme: reported ? err / reported : NaN, worst, reported };
}

function sh(args: string[]): void {
  execFileSync(ffmpegPath(), ['-loglevel', 'error', '-y', ...args]);
}

async function inputs() {
  if (!fs.existsSync(path.join(demoDir, 'manifest.json'))) {
    console.log('Generating demo data first (npm run demo:data)…');
    execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/demo-data.ts'), '--out', demoDir], { stdio: 'inherit' });
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(demoDir, 'manifest.json'), 'utf8')) as { videos: { file: string; landmarks: string }[] };
  const demo = manifest.videos.map((v) => path.join(demoDir, v.file));
  const truth = new Map<string, Float32Array>(manifest.videos.map((v) => [path.join(demoDir, v.file), readDemoLandmarks(path.join(demoDir, v.landmarks))]));
  const seconds = quick ? 5 : 10;
  const fps = 25;
  const frames = seconds * fps;
  const face = await makeFaceVideo(path.join(work, 'face.mp4'), { photo: 3, seconds, size: 720 });
  const hd = path.join(work, '720p.mp4');
  sh(['-i', face, '-vf', 'scale=-2:720,pad=1280:720:(ow-iw)/2:0,fps=30', '-c:v', 'libx264', hd]);
  // A wide shot: the demo face (256-px frame) at 136/256 scale, ~80 px, in a 1280×720 grey room.
  const wide = path.join(work, 'wide-small-face.mp4');
  truth.set(wide, await makePlacedFaceVideo(demo[0]!, truth.get(demo[0]!)!, wide, { width: 1280, height: 720, fps, frames, fill: 112, place: () => placement(136 / 256, 0, 0, 0, 700, 300) }));
  // The same face walking about the wide shot (200 px at 0.5 Hz, up to 6 px per frame at the decoded
  // 640 px, more than half its landmark spread) while it rolls ±8°.
  const wideMoving = path.join(work, 'wide-small-face-moving.mp4');
  const walk = (n: number) => placement(136 / 256, 0.15 * Math.sin((2 * Math.PI * n) / fps), 0, 0, 500 + 200 * Math.sin((2 * Math.PI * 0.5 * n) / fps), 300 + 40 * Math.sin((2 * Math.PI * 0.8 * n) / fps));
  truth.set(wideMoving, await makePlacedFaceVideo(demo[0]!, truth.get(demo[0]!)!, wideMoving, { width: 1280, height: 720, fps, frames, fill: 112, place: walk }));
  // No face at all: the acquisition scan's rate is what keeps this fast.
  const empty = path.join(work, '720p-no-face.mp4');
  sh(['-f', 'lavfi', '-i', noFaceSource(seconds), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', empty]);
  // Head movement: the face rolls about the frame centre while it slides sideways (60 px at 0.7 Hz).
  // Fast: ±10° at 1 Hz (up to 2.5° per frame); extreme: ±23° at 1.5 Hz (up to 9° per frame, past
  // what the detector finds).
  const roll = async (out: string, rad: number, hz: number) => {
    const place = (n: number) => placement(1.05, rad * Math.sin(2 * Math.PI * hz * (n / fps)), 128, 128, 160 - 60 * Math.sin(2 * Math.PI * 0.7 * (n / fps)), 160);
    truth.set(out, await makePlacedFaceVideo(demo[1]!, truth.get(demo[1]!)!, out, { width: 320, height: 320, fps, frames, fill: 96, place }));
    return out;
  };
  const turns = await roll(path.join(work, 'head-turns.mp4'), 0.175, 1);
  const extreme = await roll(path.join(work, 'head-turns-extreme.mp4'), 0.4, 1.5);
  return { demo, hd, wide, wideMoving, empty, turns, extreme, truth };
}

async function main() {
  const files = await inputs();
  const tf = (await loadFaceApi()).tf as unknown as { getBackend(): string };
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(
    `\nMachine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${load} at start · ` +
      `face-api on tfjs ${tf.getBackend()}: landmark net on the pipeline thread (1 wasm thread), detector on its own worker thread (1 wasm thread), which also runs the landmark net on its detections while it keeps up · k = ${DEFAULT_DETECT_EVERY}\n`,
  );
  const k = DEFAULT_DETECT_EVERY;
  const table: string[][] = [
    ['input', 'pipeline', 'frames', 'ingest f/s', 'real time', 'decode-only f/s', 'faces %', 'face px', 'agree vs every-frame', 'NME vs every-frame (max)', 'truth: found %', 'NME vs truth (max)', 'scans', 'decode wait ms/f', 'detect ms/f', 'detect wait ms/f', 'landmarks ms/f', 'align ms/f', 'write wait ms/f'],
  ];
  const summary: Record<string, { fps: number; rt: number; agree: number; nme: number; faces: number; truthFound: number; truthNme: number; floor: number }> = {};
  const floorEngine = await FaceEngine.load();
  const row = async (label: string, runFiles: string[], setting: Setting, name: string, refs?: Run[]) => {
    let frames = 0, seconds = 0, faces = 0, fpsSum = 0, decodeFps = 0, agreeSum = 0, nmeSum = 0, nmeFrames = 0, worst = 0, width = 0, scans = 0;
    let truthFrames = 0, foundSum = 0, truthNmeSum = 0, truthReported = 0, truthWorst = 0, floorSum = 0, floorFrames = 0, floorWorst = 0;
    const t = { decodeMs: 0, detectMs: 0, detectWaitMs: 0, landmarkMs: 0, alignMs: 0, writeMs: 0 };
    const runs: Run[] = [];
    const perVideo: string[] = [];
    for (const [i, file] of runFiles.entries()) {
      const run = await ingest(file, setting);
      runs.push(run);
      frames += run.result.frames;
      seconds += run.result.seconds;
      faces += run.result.faces;
      fpsSum += run.probe.fps * run.result.frames;
      perVideo.push((run.result.frames / run.result.seconds).toFixed(0));
      width += faceWidth(run.rows) * run.result.frames;
      scans += run.result.scans;
      const truth = files.truth.get(file);
      if (truth) {
        const acc = truthAccuracy(truth, run.rows, run.probe.width, run.probe.height);
        truthFrames += run.result.frames;
        foundSum += acc.found * run.result.frames;
        if (acc.reported) {
          truthNmeSum += acc.nme * acc.reported;
          truthReported += acc.reported;
        }
        truthWorst = Math.max(truthWorst, acc.worst);
      }
      const ref = refs?.[i];
      if (!refs && run.result.faces > 0) {
        const floor = await detectorNoiseFloor(floorEngine, file, run.rows, run.probe.width, Math.min(run.probe.width, 640));
        floorSum += floor.nme * run.result.faces;
        floorFrames += run.result.faces;
        floorWorst = Math.max(floorWorst, floor.worst);
        console.log(`  ${label}: the detector box's jitter (sd, landmark spreads): centre ${floor.jitter.dx.toFixed(3)} / ${floor.jitter.dy.toFixed(3)}, size ${floor.jitter.w.toFixed(3)} / ${floor.jitter.h.toFixed(3)}; landmarks moved by it: NME ${floor.nme.toFixed(4)}`);
      }
      if (ref) {
        const acc = accuracy(ref.rows, run.rows);
        agreeSum += acc.agree * run.result.frames;
        if (Number.isFinite(acc.nme)) {
          nmeSum += acc.nme * run.result.frames;
          nmeFrames += run.result.frames;
        }
        worst = Math.max(worst, acc.worst);
      }
      for (const key of Object.keys(t) as (keyof typeof t)[]) t[key] += run.result.timings[key];
      decodeFps += (await decodeOnly(file, Math.min(run.probe.width, 640))) * run.result.frames;
    }
    const fps = frames / seconds;
    const rt = fps / (fpsSum / frames);
    const ms = (v: number) => (v / frames).toFixed(1);
    const agree = refs ? agreeSum / frames : 1;
    const nme = refs && nmeFrames ? nmeSum / nmeFrames : 0;
    // Every file of a set has its truth or none does.
    const truthFound = truthFrames ? foundSum / truthFrames : NaN;
    const truthNme = truthReported ? truthNmeSum / truthReported : NaN;
    const floor = floorFrames ? floorSum / floorFrames : NaN;
    summary[`${label}/${name}`] = { fps, rt, agree, nme, faces: faces / frames, truthFound, truthNme, floor };
    table.push([
      label, name, String(frames), runFiles.length > 1 ? `${fps.toFixed(1)} (${perVideo.join(', ')})` : fps.toFixed(1), `${rt.toFixed(2)}×`, (decodeFps / frames).toFixed(0),
      ((100 * faces) / frames).toFixed(1), (width / frames).toFixed(0),
      refs ? `${(100 * agree).toFixed(2)} %` : 'ref', refs ? `${nme.toFixed(4)} (${worst.toFixed(3)})` : floorFrames ? `floor ${floor.toFixed(4)} (${floorWorst.toFixed(3)})` : '0 (ref)',
      truthFrames ? `${(100 * truthFound).toFixed(1)} %` : label.includes('no face') ? 'no face' : 'n/a (a photo)',
      truthFrames ? (truthReported ? `${truthNme.toFixed(4)} (${truthWorst.toFixed(3)})` : 'none found') : '–',
      String(scans),
      ms(t.decodeMs), ms(t.detectMs), ms(t.detectWaitMs), ms(t.landmarkMs), ms(t.alignMs), ms(t.writeMs),
    ]);
    console.log(`  ${label}, ${name}: ${fps.toFixed(1)} f/s`);
    return runs;
  };
  const allSets: { label: string; paths: string[] }[] = [
    { label: 'demo, 1 video', paths: files.demo.slice(0, 1) },
    ...(quick ? [] : [{ label: 'demo, 3 videos queued', paths: files.demo.slice(1, 4) }]),
    { label: '720p 30 fps', paths: [files.hd] },
    { label: '720p wide, small face', paths: [files.wide] },
    { label: '720p wide, small face moving', paths: [files.wideMoving] },
    { label: '720p, no face', paths: [files.empty] },
    { label: 'fast head movement', paths: [files.turns] },
    { label: 'extreme head roll', paths: [files.extreme] },
  ];
  const sets = allSets.filter((set) => !only || set.label.includes(only));
  if (sets.length === 0) throw new Error(`--only ${only}: no input's label holds it (${allSets.map((x) => x.label).join('; ')})`);
  for (const set of sets) {
    const refs = await row(set.label, set.paths, { detectEvery: 1, thread: false }, 'every frame, one thread (reference)');
    await row(set.label, set.paths, { detectEvery: k, thread: true, smallFaces: false }, `k=${k}, thread, whole frame only (before)`, refs);
    await row(set.label, set.paths, { detectEvery: k, thread: true }, `k=${k}, detector thread (default)`, refs);
    // The lever the issue names: a smaller detector input (the acquisition scan stays at 608).
    await row(set.label, set.paths, { detectEvery: k, thread: true, detectorInputSize: 160 }, `k=${k}, detector thread, input 160`, refs);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  console.log('');
  for (const [i, r] of table.entries()) {
    console.log(`| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`);
    if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  }
  console.log(`\nLoad at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}. Frames are decoded at ≤ 640 px wide. NME: mean landmark distance to the every-frame run, in inter-ocular distances (max: worst frame). Truth: found = share of frames showing the whole face where the run has it within 0.25 IOD of the true landmarks; NME vs truth over every frame with a face reported (a track that slid off counts). Floor (the reference row): the NME by which the every-frame run's landmarks move when each of its detector boxes moves by that detector's own frame-to-frame jitter on the video (scripts/bench-ingest/noise-floor.ts): how far every-frame detection is from itself. Scans: acquisition scans at input 608 (only while no face is followed, on frames > 1.5× the detector's input).`);
  const d = `k=${k}, detector thread (default)`;
  const mark = (ok: boolean) => (ok ? '**met**' : '**not met**');
  const one = summary[`demo, 1 video/${d}`];
  const queued = summary[`demo, 3 videos queued/${d}`];
  const hd = summary[`720p 30 fps/${d}`];
  if (one) console.log(`- demo ≥ 3× real time (≥ 75 frames/s), one video: ${mark(one.fps >= 75)} (${one.fps.toFixed(1)} frames/s, ${one.rt.toFixed(2)}×)`);
  if (queued) console.log(`- the same rate with several videos queued: ${mark(queued.fps >= 75)} (${queued.fps.toFixed(1)} frames/s, ${queued.rt.toFixed(2)}×)`);
  if (hd) console.log(`- 720p30 ≥ 1.5× real time: ${mark(hd.rt >= 1.5)} (${hd.rt.toFixed(2)}×)`);
  // The extreme roll is reported, not a target: the detector misses most of it even on every frame.
  const accRows = Object.entries(summary).filter(([key]) => key.endsWith(d) && !key.startsWith('extreme'));
  // Agreeing that there is no face is no accuracy on a video that shows one all along.
  const accOk = accRows.every(([key, v]) => v.agree >= 0.995 && v.nme <= 0.015 && (v.faces > 0 || key.includes('no face')));
  console.log(`- accuracy, ≥ 99.5 % agreement and NME ≤ 0.015 on every input: ${mark(accOk)} (${accRows.map(([key, v]) => `${key.split('/')[0]}: ${(100 * v.agree).toFixed(2)} %, ${v.nme.toFixed(4)}${v.faces === 0 ? ', no face found' : ''}`).join('; ')})`);
  const ref = 'every frame, one thread (reference)';
  // The target as the issue wrote it stays above; this says whether a miss is more than the reference's own noise.
  const floorOf = (key: string) => summary[`${key.split('/')[0]}/${ref}`]!.floor;
  const floorOk = accRows.every(([key, v]) => v.agree >= 0.995 && (v.nme <= 0.015 || v.nme <= floorOf(key)) && (v.faces > 0 || key.includes('no face')));
  console.log(`- accuracy, NME ≤ 0.015 or within the every-frame run's own floor: ${mark(floorOk)} (${accRows.map(([key, v]) => `${key.split('/')[0]}: ${v.nme.toFixed(4)} vs floor ${floorOf(key).toFixed(4)}`).join('; ')})`);
  for (const label of sets.map((x) => x.label)) {
    const r = summary[`${label}/${ref}`]!;
    const v = summary[`${label}/${d}`]!;
    if (Number.isFinite(r.truthFound)) console.log(`- against the truth, ${label}: every frame ${(100 * r.truthFound).toFixed(1)} % found, NME ${r.truthNme.toFixed(4)}; k=${k} ${(100 * v.truthFound).toFixed(1)} %, NME ${v.truthNme.toFixed(4)}`);
  }
  const none = summary[`720p, no face/${d}`];
  const noneBefore = summary[`720p, no face/k=${k}, thread, whole frame only (before)`];
  if (none && noneBefore) console.log(`- no face: ${none.fps.toFixed(1)} frames/s with the acquisition scan, ${noneBefore.fps.toFixed(1)} without (${(none.fps / noneBefore.fps).toFixed(2)}×)`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
