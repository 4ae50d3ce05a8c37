// The second demo-video generator (issue 23): semi-synthetic AU videos made independently of
// scripts/demo-data.ts, so a model tuned on one renderer can be checked on another. Same photos
// and the same output format (manifest.json, <id>.csv ground truth, <id>.landmarks.bin), but
// its own AU displacement fields and shading (scripts/demo-gen2/fields.ts), 3-D head pose,
// zoom and lighting (render.ts, video.ts), AU timing (schedule.ts) and video size/codec.
//   npx tsx scripts/demo-gen2.ts [--out dir] [--videos N] [--subjects N] [--seconds N] [--seed N]
//                                [--width px --height px] [--fps N] [--codec mpeg4|mjpeg|vp9]
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceEngine } from '../src/main/services/media/worker/faces';
import { auInfo } from '../src/shared/aus';
import { writeManifest, writeVideoTruth, type DemoManifest, type DemoVideoEntry } from './demo-data';
import { faceCatalog, loadIdentity } from './demo/identities';
import { subSeed } from './demo/rng';
import { readDemoArgs } from './demo/cli';
import { GEN2_AUS } from './demo-gen2/fields';
import { CODEC_EXT, prepareFace, renderGen2Video, type Gen2Codec, type Gen2VideoResult } from './demo-gen2/video';
import type { PreparedFace } from './demo-gen2/render';

export interface Gen2Options {
  out: string;
  videos: number;
  subjects: number;
  seconds: number;
  seed: number;
  width: number;
  height: number;
  fps: number;
  codec: Gen2Codec;
  log?: (msg: string) => void;
}

/** The manifest readers already accept, plus what this generator drew per video. */
export type Gen2Manifest = Omit<DemoManifest, 'videos'> & { generator: 'gen2'; codec: Gen2Codec; videos: (DemoVideoEntry & { setting: Gen2VideoResult['setting'] })[] };

export const GEN2_DEFAULTS: Omit<Gen2Options, 'out' | 'log'> = { videos: 12, subjects: 12, seconds: 40, seed: 1, width: 320, height: 240, fps: 25, codec: 'mpeg4' };

/** Identity photo side (px): eye distance 0.2 of it ≈ 77 px, the largest face the frames show. */
const PHOTO_SIZE = 384;

export async function generateGen2Data(o: Gen2Options): Promise<Gen2Manifest> {
  const log = o.log ?? (() => undefined);
  const t0 = performance.now();
  await mkdir(o.out, { recursive: true });
  const engine = await FaceEngine.load({ landmarkModel: 'full', detectorInputSize: 608, minScore: 0.3 });
  const faces = (await faceCatalog(engine)).slice(0, o.subjects);
  if (faces.length < o.subjects) throw new Error(`The sample photos hold ${faces.length} usable faces; ask for at most that many subjects.`);
  const prepared = new Map<number, PreparedFace>();
  const videos: Gen2Manifest['videos'] = [];
  const frames = Math.round(o.seconds * o.fps);
  for (let v = 0; v < o.videos; v++) {
    const p = v % faces.length;
    const subjectId = `S${String(p + 1).padStart(2, '0')}`;
    if (!prepared.has(p)) prepared.set(p, prepareFace(await loadIdentity(engine, faces[p]!, subjectId, PHOTO_SIZE)));
    const face = prepared.get(p)!;
    const id = `${subjectId}_${Math.floor(v / faces.length) + 1}`;
    const file = `${id}.${CODEC_EXT[o.codec]}`;
    const res = await renderGen2Video({ face, seed: subSeed(o.seed, 2000 + v), frames, fps: o.fps, width: o.width, height: o.height, codec: o.codec, path: join(o.out, file) });
    const auPresence = await writeVideoTruth(o.out, id, GEN2_AUS, frames, (au) => res.track.truth.get(au as (typeof GEN2_AUS)[number])!, res.landmarks);
    const setting = Object.fromEntries(Object.entries(res.setting).map(([k, x]) => [k, Math.round(x * 100) / 100])) as Gen2VideoResult['setting'];
    videos.push({ id, file, groundTruth: `${id}.csv`, landmarks: `${id}.landmarks.bin`, subjectId, source: face.identity.source, frameCount: frames, seconds: frames / o.fps, hasAudio: false, auPresence, setting });
    log(`${id}: ${frames} frames, render ${(res.renderMs / frames).toFixed(1)} ms/frame, face ${Math.round(setting.faceShare * 100)} % of the width, yaw ${setting.yawDeg}°, light ${setting.lightAzimuthDeg}°/${setting.lightElevationDeg}°`);
  }
  return writeManifest<Gen2Manifest>(o.out, { generator: 'gen2', codec: o.codec, seed: o.seed, fps: o.fps, width: o.width, height: o.height, videos }, GEN2_AUS, (au) => auInfo(au).name, t0);
}

const USAGE = 'usage: npx tsx scripts/demo-gen2.ts [--out dir] [--videos N] [--subjects N] [--seconds N] [--seed N] [--width px] [--height px] [--fps N] [--codec mpeg4|mjpeg|vp9]';

function parseArgs(argv: string[]): Gen2Options {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { values, common, positive } = readDemoArgs(argv, USAGE, { width: { type: 'string' }, height: { type: 'string' }, fps: { type: 'string' }, codec: { type: 'string' } });
  const o: Gen2Options = { out: join(root, '.demo-data', 'gen2'), ...GEN2_DEFAULTS, ...common };
  // Even sizes: yuv420p halves both sides.
  const width = positive('width');
  const height = positive('height');
  const fps = positive('fps');
  if (width !== undefined) o.width = 2 * Math.round(width / 2);
  if (height !== undefined) o.height = 2 * Math.round(height / 2);
  if (fps !== undefined) o.fps = fps;
  const codec = values.codec;
  if (codec !== undefined) {
    if (typeof codec !== 'string') throw new Error('--codec is mpeg4, mjpeg or vp9');
    if (codec !== 'mpeg4' && codec !== 'mjpeg' && codec !== 'vp9') throw new Error('--codec is mpeg4, mjpeg or vp9');
    o.codec = codec;
  }
  return o;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts: Gen2Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
  generateGen2Data({ ...opts, log: (m) => console.log(m) })
    .then((m) => console.log(`wrote ${m.videos.length} videos (${m.videos.reduce((s, v) => s + v.frameCount, 0)} frames) to ${opts.out} in ${m.generationSeconds} s`))
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
