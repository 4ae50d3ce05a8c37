// Synthetic face videos with known per-frame AU intensities, for trying the whole workflow (and
// measuring it) without a licensed data set.
//   npx tsx scripts/demo-data.ts [--out dir] [--seconds N] [--videos N] [--subjects N] [--seed N] [--size px]
// Writes <id>.mp4, <id>.csv (frame,AU01,…,AU26 integer 0–5; frame is 0-based), <id>.landmarks.bin
// (float32 LE, 136 per frame: the rendered landmark positions) and manifest.json.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceEngine } from '../src/main/services/media/worker/faces';
import { AU_NAMES, DISFA_AUS } from './demo/aus';
import { faceCatalog, loadIdentity, type Identity } from './demo/identities';
import { subSeed } from './demo/rng';
import { readDemoArgs } from './demo/cli';
import { renderVideo } from './demo/video';

/** A demo video's true landmarks, as generateDemoData writes them (<id>.landmarks.bin): 136 float32 a frame. */
export function readDemoLandmarks(file: string): Float32Array {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

export interface DemoOptions {
  out: string;
  seconds: number;
  videos: number;
  /** People to cycle through (at most the 17 the sample photos hold); video v shows person v mod subjects. */
  subjects: number;
  seed: number;
  size: number;
  fps: number;
  /** Which video gets the synthetic audio track (the rest are silent). */
  audioVideo: number;
  log?: (msg: string) => void;
}

export interface DemoVideoEntry {
  id: string;
  file: string;
  groundTruth: string;
  landmarks: string;
  subjectId: string;
  source: string;
  frameCount: number;
  seconds: number;
  hasAudio: boolean;
  /** Share of frames with intensity ≥ 1, per AU column. */
  auPresence: Record<string, number>;
}

export interface DemoManifest {
  format: 'au-workbench-demo';
  version: 1;
  seed: number;
  fps: number;
  width: number;
  height: number;
  aus: number[];
  auColumns: string[];
  auNames: Record<string, string>;
  frameIndexBase: 0;
  videos: DemoVideoEntry[];
  generationSeconds: number;
}

export const auColumn = (au: number) => `AU${String(au).padStart(2, '0')}`;

/** The fields every manifest derives the same way from its AUs and start time. */
type DerivedFields = 'format' | 'version' | 'aus' | 'auColumns' | 'auNames' | 'frameIndexBase' | 'generationSeconds';

/** Writes <out>/manifest.json: the generator's own fields plus those every reader expects (AU columns and names, frames from 0, the time it took). */
export async function writeManifest<M extends DemoManifest>(out: string, own: Omit<M, DerivedFields>, aus: readonly number[], nameOf: (au: number) => string, t0: number): Promise<M> {
  const manifest = {
    format: 'au-workbench-demo',
    version: 1,
    ...own,
    aus: [...aus],
    auColumns: aus.map(auColumn),
    auNames: Object.fromEntries(aus.map((au) => [auColumn(au), nameOf(au)])),
    frameIndexBase: 0,
    generationSeconds: Math.round((performance.now() - t0) / 100) / 10,
  } as M;
  await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/**
 * What every generator writes per video beside it, in the one format the readers know:
 * `<id>.csv` (frame,AU01,… integer 0–5, frames from 0) and `<id>.landmarks.bin`. Returns each
 * AU column's share of frames with intensity ≥ 1.
 */
export async function writeVideoTruth(out: string, id: string, aus: readonly number[], frames: number, truth: (au: number) => ArrayLike<number>, landmarks: Float32Array): Promise<Record<string, number>> {
  const rows = [['frame', ...aus.map(auColumn)].join(',')];
  for (let f = 0; f < frames; f++) rows.push([f, ...aus.map((au) => truth(au)[f])].join(','));
  await writeFile(join(out, `${id}.csv`), rows.join('\n') + '\n');
  await writeFile(join(out, `${id}.landmarks.bin`), Buffer.from(landmarks.buffer, landmarks.byteOffset, landmarks.byteLength));
  const presence: Record<string, number> = {};
  for (const au of aus) {
    let n = 0;
    const t = truth(au);
    for (let f = 0; f < frames; f++) if (t[f]! >= 1) n++;
    presence[auColumn(au)] = Math.round((n / frames) * 1000) / 1000;
  }
  return presence;
}

/** The app's demo set (what `npm start` makes); callers override what they need. */
export const DEMO_DEFAULTS: Omit<DemoOptions, 'out' | 'log'> = { seconds: 30, videos: 6, subjects: 6, seed: 1, size: 256, fps: 25, audioVideo: 0 };

export async function generateDemoData(o: DemoOptions): Promise<DemoManifest> {
  const log = o.log ?? (() => undefined);
  const t0 = performance.now();
  await mkdir(o.out, { recursive: true });
  // A large detector input: the photos are group shots with faces ~15 % of their width.
  const engine = await FaceEngine.load({ landmarkModel: 'full', detectorInputSize: 608, minScore: 0.3 });
  const faces = (await faceCatalog(engine)).slice(0, o.subjects);
  if (faces.length < o.subjects) throw new Error(`The sample photos hold ${faces.length} usable faces; ask for at most that many subjects.`);
  const identities = new Map<number, Identity>();
  const videos: DemoVideoEntry[] = [];
  const frames = Math.round(o.seconds * o.fps);
  for (let v = 0; v < o.videos; v++) {
    const p = v % faces.length;
    const subjectId = `S${String(p + 1).padStart(2, '0')}`;
    if (!identities.has(p)) identities.set(p, await loadIdentity(engine, faces[p]!, subjectId, o.size));
    const identity = identities.get(p)!;
    // A second pass over the people gives each subject another session, never a new identity.
    const id = `${subjectId}_${Math.floor(v / faces.length) + 1}`;
    const withAudio = v === o.audioVideo;
    const res = await renderVideo({ identity, seed: subSeed(o.seed, v), frames, fps: o.fps, mp4Path: join(o.out, `${id}.mp4`), withAudio });
    const auPresence = await writeVideoTruth(o.out, id, DISFA_AUS, frames, (au) => res.track.truth[au as (typeof DISFA_AUS)[number]], res.landmarks);
    videos.push({ id, file: `${id}.mp4`, groundTruth: `${id}.csv`, landmarks: `${id}.landmarks.bin`, subjectId, source: identity.source, frameCount: frames, seconds: frames / o.fps, hasAudio: withAudio, auPresence });
    log(`${id}: ${frames} frames, render ${(res.renderMs / frames).toFixed(1)} ms/frame${withAudio ? ', with audio' : ''}`);
  }
  return writeManifest<DemoManifest>(o.out, { seed: o.seed, fps: o.fps, width: o.size, height: o.size, videos }, DISFA_AUS, (au) => AU_NAMES[au as (typeof DISFA_AUS)[number]], t0);
}

const USAGE = 'usage: npx tsx scripts/demo-data.ts [--out dir] [--seconds N] [--videos N] [--subjects N] [--seed N] [--size px]';

function parseArgs(argv: string[]): DemoOptions {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { common, whole } = readDemoArgs(argv, USAGE, { size: { type: 'string' } });
  const size = whole('size');
  return { out: join(root, '.demo-data'), ...DEMO_DEFAULTS, ...common, ...(size !== undefined ? { size } : {}) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts: DemoOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
  generateDemoData({ ...opts, log: (m) => console.log(m) })
    .then((m) => {
      const total = m.videos.reduce((s, v) => s + v.frameCount, 0);
      console.log(`wrote ${m.videos.length} videos (${total} frames) to ${opts.out} in ${m.generationSeconds} s`);
    })
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
