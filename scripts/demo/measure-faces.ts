// Benchmark of the face pipeline on the demo videos, against their known landmarks.
//   npx tsx scripts/demo/measure-faces.ts [--dir .demo-data] [--landmark full|tiny] [--every k] [--input 224] [--videos n]
// Prints per-video: share of frames with our face, landmark error (mean point distance / IOD),
// and per-frame decode, detector and landmark times.
import { readFile } from 'node:fs/promises';
import { readDemoLandmarks } from '../demo-data';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrames } from '../../src/main/services/media/decode';
import { FaceEngine, FaceTracker, type FaceObservation } from '../../src/main/services/media/worker/faces';
import { faceFrame } from './aus';

export interface FaceMeasure {
  video: string;
  frames: number;
  found: number;
  /** Found and on the right face (mean error < 0.25 IOD). */
  correct: number;
  meanNme: number;
  decodeMs: number;
  detectMsPerCall: number;
  landmarkMsPerFace: number;
  detectCalls: number;
  totalMsPerFrame: number;
}

export function nme(pred: Float32Array, truth: ArrayLike<number>): number {
  const { iod } = faceFrame(truth);
  let s = 0;
  for (let i = 0; i < 68; i++) s += Math.hypot(pred[2 * i]! - truth[2 * i]!, pred[2 * i + 1]! - truth[2 * i + 1]!);
  return s / 68 / iod;
}

export async function measureVideo(engine: FaceEngine, mp4: string, truthLm: Float32Array | null, every: number, batch = 8): Promise<FaceMeasure> {
  const tracker = new FaceTracker(engine, { detectEvery: every });
  const before = { ...engine.timings };
  let frames = 0, found = 0, correct = 0, nmeSum = 0, decodeMs = 0;
  const t0 = performance.now();
  let pending: { data: Uint8Array; width: number; height: number; index: number }[] = [];
  const flush = async () => {
    const obs: (FaceObservation | null)[] = await tracker.processBatch(pending);
    obs.forEach((o, k) => {
      if (!o) return;
      found++;
      if (truthLm) {
        const i = pending[k]!.index;
        const e = nme(o.landmarks, truthLm.subarray(i * 136, i * 136 + 136));
        if (e < 0.25) {
          correct++;
          nmeSum += e;
        }
      } else correct++;
    });
    pending = [];
  };
  let td = performance.now();
  for await (const f of decodeFrames(mp4)) {
    decodeMs += performance.now() - td;
    frames++;
    pending.push(f);
    if (pending.length >= batch) await flush();
    td = performance.now();
  }
  await flush();
  const total = performance.now() - t0;
  const t = engine.timings;
  const calls = t.detectCalls - before.detectCalls;
  return {
    video: mp4.split(/[\\/]/).pop()!,
    frames,
    found,
    correct,
    meanNme: correct ? nmeSum / correct : NaN,
    decodeMs: decodeMs / frames,
    detectMsPerCall: calls ? (t.detectMs - before.detectMs) / calls : 0,
    landmarkMsPerFace: (t.landmarkMs - before.landmarkMs) / Math.max(1, t.landmarkFaces - before.landmarkFaces),
    detectCalls: calls,
    totalMsPerFrame: total / frames,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (k: string, d: string) => {
    const i = args.indexOf(k);
    return i >= 0 && args[i + 1] ? args[i + 1]! : d;
  };
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = resolve(get('--dir', join(root, '.demo-data')));
  const landmarkModel = get('--landmark', 'full') as 'full' | 'tiny';
  const every = Number(get('--every', '1'));
  const input = Number(get('--input', '224'));
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { videos: { file: string; landmarks: string }[] };
  const engine = await FaceEngine.load({ landmarkModel, detectorInputSize: input });
  const rows: FaceMeasure[] = [];
  // Decode alone (nothing else competing in this process) for the raw rgb24 pipe rate.
  let decoded = 0;
  const td = performance.now();
  for (const v of manifest.videos) for await (const _ of decodeFrames(join(dir, v.file))) decoded++;
  const decodeOnly = (performance.now() - td) / decoded;
  for (const v of manifest.videos.slice(0, Number(get('--videos', '999')))) {
    rows.push(await measureVideo(engine, join(dir, v.file), readDemoLandmarks(join(dir, v.landmarks)), every));
  }
  const pct = (a: number, b: number) => ((100 * a) / b).toFixed(1) + ' %';
  console.log(`landmark=${landmarkModel} detectEvery=${every} detectorInput=${input}; decode alone: ${decodeOnly.toFixed(2)} ms/frame`);
  console.log('| video | frames | face found | on target | NME (IOD) | decode wait ms/frame | detect ms/call | landmark ms/face | total ms/frame |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(`| ${r.video} | ${r.frames} | ${pct(r.found, r.frames)} | ${pct(r.correct, r.frames)} | ${r.meanNme.toFixed(3)} | ${r.decodeMs.toFixed(2)} | ${r.detectMsPerCall.toFixed(1)} | ${r.landmarkMsPerFace.toFixed(1)} | ${r.totalMsPerFrame.toFixed(1)} |`);
  const sum = (f: (r: FaceMeasure) => number) => rows.reduce((s, r) => s + f(r), 0);
  const n = sum((r) => r.frames);
  console.log(
    `| all | ${n} | ${pct(sum((r) => r.found), n)} | ${pct(sum((r) => r.correct), n)} | ${(sum((r) => r.meanNme * r.correct) / sum((r) => r.correct)).toFixed(3)} | ${(sum((r) => r.decodeMs * r.frames) / n).toFixed(2)} | ${(sum((r) => r.detectMsPerCall * r.detectCalls) / sum((r) => r.detectCalls)).toFixed(1)} | ${(sum((r) => r.landmarkMsPerFace * r.frames) / n).toFixed(1)} | ${(sum((r) => r.totalMsPerFrame * r.frames) / n).toFixed(1)} |`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
