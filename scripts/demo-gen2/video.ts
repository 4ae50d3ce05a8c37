// One video of the second demo generator: per-video framing (face 30–60 % of the frame width),
// head pose (yaw/pitch within ±20°, drifting), light direction (set per video, drifting slowly),
// colour balance and sensor noise; frames piped into ffmpeg with a codec unlike the first
// generator's (MPEG-4 part 2 in AVI by default).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ffmpegPath } from '../../src/main/services/media/ffmpeg';
import type { Identity } from '../demo/identities';
import { gaussian, rng, smoothNoise, subSeed, uniform } from '../demo/rng';
import { rotation } from './face';
import { GEN2_AUS, type Intensities } from './fields';
import { frameBuffers, landmarksFor, makeBackdrop, prepareFace, renderFrame, type PreparedFace, type View } from './render';
import { scheduleGen2, type Gen2Track } from './schedule';

export type Gen2Codec = 'mpeg4' | 'mjpeg' | 'vp9';
export const CODEC_EXT: Record<Gen2Codec, string> = { mpeg4: 'avi', mjpeg: 'mkv', vp9: 'webm' };
const CODEC_ARGS: Record<Gen2Codec, string[]> = {
  mpeg4: ['-c:v', 'mpeg4', '-q:v', '4', '-pix_fmt', 'yuv420p'],
  mjpeg: ['-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p'],
  vp9: ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '34', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv420p'],
};

export interface Gen2VideoSpec {
  face: PreparedFace;
  seed: number;
  frames: number;
  fps: number;
  width: number;
  height: number;
  codec: Gen2Codec;
  path: string;
}

export interface Gen2VideoResult {
  track: Gen2Track;
  landmarks: Float32Array;
  renderMs: number;
  /** The per-video settings drawn (for the manifest's reader and for debugging). */
  setting: { faceShare: number; yawDeg: number; pitchDeg: number; lightAzimuthDeg: number; lightElevationDeg: number };
}

const DEG = Math.PI / 180;

/** Pose, framing and light at time t for one video (all drawn from `seed`). */
export function viewSchedule(seed: number, face: PreparedFace, width: number, height: number) {
  const r = rng(seed);
  // Face width 30–60 % of the frame's, but brows to chin always inside its height.
  const fit = (0.92 * height) / (face.chinV - face.browV + 0.25);
  const faceShare = Math.min(uniform(r, 0.3, 0.6), (fit * face.faceWidth) / width);
  const scale0 = (faceShare * width) / face.faceWidth;
  const yaw0 = uniform(r, -11, 11), pitch0 = uniform(r, -7, 7);
  const yawN = smoothNoise(r, 0.12), yawJ = smoothNoise(r, 0.5), pitchN = smoothNoise(r, 0.1), rollN = smoothNoise(r, 0.15);
  const zoomN = smoothNoise(r, 0.05), txN = smoothNoise(r, 0.08), tyN = smoothNoise(r, 0.08);
  const az0 = uniform(r, -60, 60), el0 = uniform(r, 5, 45), azN = smoothNoise(r, 0.04), elN = smoothNoise(r, 0.04);
  const ambient = uniform(r, 0.45, 0.65);
  // The pivot (nose level) goes where the brows-to-chin span is centred, give or take.
  const cx0 = width / 2 + uniform(r, -0.08, 0.08) * width;
  const cy0 = height / 2 + scale0 * (0.8 - (face.browV + face.chinV) / 2) + uniform(r, -0.04, 0.04) * height;
  const clamp = (x: number) => Math.max(-20, Math.min(20, x));
  const view = (t: number): View => {
    const yaw = clamp(yaw0 + 9 * yawN(t) + 2 * yawJ(t));
    const pitch = clamp(pitch0 + 7 * pitchN(t));
    const roll = 4 * rollN(t);
    const az = (az0 + 12 * azN(t)) * DEG, el = (el0 + 6 * elN(t)) * DEG;
    return {
      R: rotation(yaw * DEG, pitch * DEG, roll * DEG),
      cx: cx0 + 0.05 * width * txN(t),
      cy: cy0 + 0.04 * height * tyN(t),
      scale: scale0 * (1 + 0.04 * zoomN(t)),
      light: [Math.sin(az) * Math.cos(el), -Math.sin(el), Math.cos(az) * Math.cos(el)],
      ambient,
    };
  };
  return { view, setting: { faceShare, yawDeg: yaw0, pitchDeg: pitch0, lightAzimuthDeg: az0, lightElevationDeg: el0 } };
}

let noise: Int8Array | null = null;

export async function renderGen2Video(spec: Gen2VideoSpec): Promise<Gen2VideoResult> {
  const { face, frames, fps, width: W, height: H } = spec;
  const track = scheduleGen2(subSeed(spec.seed, 11), frames, fps);
  const { view, setting } = viewSchedule(subSeed(spec.seed, 12), face, W, H);
  const r = rng(subSeed(spec.seed, 13));
  const gain = uniform(r, 0.88, 1.1), wb = [uniform(r, 0.93, 1.07), 1, uniform(r, 0.93, 1.07)];
  const gainN = smoothNoise(r, 0.1);
  if (!noise) {
    const nr = rng(777);
    noise = new Int8Array(1 << 20).map(() => Math.round(2 * gaussian(nr)));
  }
  const backdrop = makeBackdrop(face, W, H, uniform(r, 1.3, 1.8));
  const fb = frameBuffers(face, W, H);
  const frame = new Uint8Array(W * H * 3);
  const landmarks = new Float32Array(frames * 136);
  const ff = spawn(ffmpegPath(), ['-hide_banner', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', String(fps), '-i', 'pipe:0', ...CODEC_ARGS[spec.codec], '-g', String(2 * fps), spec.path], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = once(ff, 'close');
  let renderMs = 0;
  const c: Intensities = {};
  for (let f = 0; f < frames; f++) {
    const t0 = performance.now();
    for (const au of [...GEN2_AUS, 45 as const]) c[au] = track.continuous.get(au)![f]!;
    const v = view(f / fps);
    renderFrame(face, c, v, fb, backdrop, frame);
    landmarks.set(landmarksFor(face, c, v), f * 136);
    const g = gain * (1 + 0.04 * gainN(f / fps));
    let k = Math.floor(r() * noise.length);
    for (let i = 0; i < frame.length; i++) {
      const x = frame[i]! * g * wb[i % 3]! + noise[k]!;
      if (++k === noise.length) k = 0;
      frame[i] = x < 0 ? 0 : x > 255 ? 255 : x;
    }
    renderMs += performance.now() - t0;
    if (!ff.stdin.write(Buffer.from(frame))) await once(ff.stdin, 'drain');
  }
  ff.stdin.end();
  const [code] = (await done) as [number | null];
  if (code !== 0) throw new Error(`ffmpeg failed writing ${spec.path}: ${err}`);
  return { track, landmarks, renderMs, setting };
}

export { prepareFace, type Identity };
