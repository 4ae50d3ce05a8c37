// Renders one synthetic AU video from an identity and pipes it into ffmpeg (libx264, yuv420p).
import { spawn } from 'node:child_process';
import { writeFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { ffmpegPath } from '../../src/main/services/media/ffmpeg';
import { DISFA_AUS, deform, faceFrame, scheduleAus, type Au, type AuTrack } from './aus';
import { delaunay } from './delaunay';
import { anchorPoints, type Identity } from './identities';
import { darkenSegment, fillPolygon, lightAndNoise, warpPiecewiseAffine, type RgbImage } from './render';
import { gaussian, rng, smoothNoise, subSeed } from './rng';

export interface VideoSpec {
  identity: Identity;
  seed: number;
  frames: number;
  fps: number;
  mp4Path: string;
  withAudio: boolean;
}

export interface VideoResult {
  track: AuTrack;
  /** Rendered (true) landmark positions per frame, 136 floats each. */
  landmarks: Float32Array;
  renderMs: number;
}

const P = (lm: Float32Array, i: number): [number, number] => [lm[2 * i]!, lm[2 * i + 1]!];

/** Appearance that landmark motion alone cannot show: creases and the open mouth. */
export { drawCues as drawCuesForDebug };
function drawCues(img: RgbImage, lm: Float32Array, c: Record<Au, number>): void {
  const { ex, ey, iod: u } = faceFrame(lm);
  const at = (p: [number, number], a: number, b: number): [number, number] => [p[0] + u * (a * ex[0] + b * ey[0]), p[1] + u * (a * ex[1] + b * ey[1])];
  const sigma = Math.max(1, 0.024 * u);
  const line = (p: [number, number], q: [number, number], s: number) => darkenSegment(img, p[0], p[1], q[0], q[1], sigma, s);
  const k = (au: Au) => Math.min(5, c[au]) / 5;

  const mid: [number, number] = [(lm[42]! + lm[44]!) / 2, (lm[43]! + lm[45]!) / 2]; // between points 21 and 22
  for (const side of [-1, 1]) line(at(mid, side * 0.07, -0.06), at(mid, side * 0.06, 0.2), 0.4 * k(4));
  const bridge = P(lm, 27);
  for (const dy of [0.02, 0.07, 0.12]) line(at(bridge, -0.1, dy), at(bridge, 0.1, dy + 0.01), 0.22 * k(9));
  for (const [corner, dir, lowA, lowB] of [[36, -1, 41, 40], [45, 1, 46, 47]] as const) {
    const p = at(P(lm, corner), dir * 0.05, 0);
    for (const tilt of [-0.45, 0, 0.45]) line(p, at(p, dir * 0.13, tilt * 0.13), 0.2 * k(6));
    line(at(P(lm, lowA), 0, 0.07), at(P(lm, lowB), 0, 0.07), 0.15 * k(6));
  }
  const fold = Math.max(k(12), 0.5 * k(6), 0.6 * k(9));
  for (const [wing, corner, dir] of [[31, 48, -1], [35, 54, 1]] as const) {
    const a = at(P(lm, wing), dir * 0.06, -0.02);
    const b = at(P(lm, corner), dir * 0.06, 0.04);
    const m = at([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], dir * 0.04, 0);
    darkenSegment(img, a[0], a[1], m[0], m[1], sigma * 1.8, 0.2 * fold);
    darkenSegment(img, m[0], m[1], b[0], b[1], sigma * 1.8, 0.2 * fold);
  }
  line(at(P(lm, 57), -0.08, 0.13), at(P(lm, 57), 0.08, 0.13), 0.16 * k(17));

  const open = (Math.hypot(lm[124]! - lm[132]!, lm[125]! - lm[133]!) + Math.hypot(lm[122]! - lm[134]!, lm[123]! - lm[135]!) + Math.hypot(lm[126]! - lm[130]!, lm[127]! - lm[131]!)) / 3;
  if (open > 1) {
    const inner = lm.slice(120, 136);
    fillPolygon(img, inner, [42, 16, 20], Math.min(0.93, (open - 0.8) / 2.5));
    if (open > 4) {
      // Upper teeth: a band under the upper inner lip.
      const h = Math.min(open * 0.4, 0.09 * u);
      const teeth: number[] = [];
      for (const i of [60, 61, 62, 63, 64]) teeth.push(lm[2 * i]!, lm[2 * i + 1]!);
      for (const i of [64, 63, 62, 61, 60]) teeth.push(lm[2 * i]! + h * ey[0] * (i === 60 || i === 64 ? 0.3 : 1), lm[2 * i + 1]! + h * ey[1] * (i === 60 || i === 64 ? 0.3 : 1));
      fillPolygon(img, teeth, [196, 186, 170], Math.min(0.7, (open - 4) / 4));
    }
  }
}

/** Speech-like audio: voiced bursts while the lips are apart, over faint room noise. */
function synthAudio(track: AuTrack, frames: number, fps: number, seed: number): Buffer {
  const rate = 16_000;
  const n = Math.round((frames / fps) * rate);
  const r = rng(seed);
  const pcm = Buffer.alloc(44 + n * 2);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const f = Math.min(frames - 1, Math.floor(t * fps));
    const lips = Math.min(1, track.continuous[25][f]! / 2.5);
    const syll = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4.5 * t);
    const f0 = 130 + 25 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / rate;
    const voice = (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.3 * Math.sin(3 * phase) + 0.15 * gaussian(r)) * 0.35;
    const v = lips * syll * voice + 0.01 * gaussian(r);
    pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), 44 + 2 * i);
  }
  pcm.write('RIFF', 0, 'latin1');
  pcm.writeUInt32LE(36 + n * 2, 4);
  pcm.write('WAVEfmt ', 8, 'latin1');
  pcm.writeUInt32LE(16, 16);
  pcm.writeUInt16LE(1, 20);
  pcm.writeUInt16LE(1, 22);
  pcm.writeUInt32LE(rate, 24);
  pcm.writeUInt32LE(rate * 2, 28);
  pcm.writeUInt16LE(2, 32);
  pcm.writeUInt16LE(16, 34);
  pcm.write('data', 36, 'latin1');
  pcm.writeUInt32LE(n * 2, 40);
  return pcm;
}

let noiseTable: Int8Array | null = null;

export async function renderVideo(spec: VideoSpec): Promise<VideoResult> {
  const { identity, frames, fps } = spec;
  const { width: W, height: H } = identity.image;
  const track = scheduleAus(subSeed(spec.seed, 1), frames, fps);
  const r = rng(subSeed(spec.seed, 2));
  if (!noiseTable) {
    const nr = rng(12345);
    noiseTable = new Int8Array(1 << 20).map(() => Math.round(2.5 * gaussian(nr)));
  }
  const rot = smoothNoise(r, 0.25), tx = smoothNoise(r, 0.2), ty = smoothNoise(r, 0.2), sc = smoothNoise(r, 0.15);
  const gain = smoothNoise(r, 0.08), gx = smoothNoise(r, 0.05), gy = smoothNoise(r, 0.05);

  const neutral = identity.landmarks;
  const { ring, border } = anchorPoints(neutral, W, H);
  const src = Float32Array.from([...neutral, ...ring, ...border]);
  const tris = delaunay(src);
  const dst = new Float32Array(src.length);
  dst.set(border, 136 + ring.length);
  const moved = new Float32Array(136);
  const truthLm = new Float32Array(frames * 136);
  let cx = 0, cy = 0;
  for (let i = 0; i < 68; i++) {
    cx += neutral[2 * i]! / 68;
    cy += neutral[2 * i + 1]! / 68;
  }

  let audioPath: string | null = null;
  if (spec.withAudio) {
    audioPath = spec.mp4Path.replace(/\.mp4$/, '.tmp.wav');
    await writeFile(audioPath, synthAudio(track, frames, fps, subSeed(spec.seed, 3)));
  }
  const args = ['-hide_banner', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', String(fps), '-i', 'pipe:0'];
  if (audioPath) args.push('-i', audioPath);
  args.push('-map', '0:v', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', String(2 * fps), '-pix_fmt', 'yuv420p');
  if (audioPath) args.push('-map', '1:a', '-c:a', 'aac', '-b:a', '64k');
  args.push('-movflags', '+faststart', spec.mp4Path);
  const ff = spawn(ffmpegPath(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = once(ff, 'close');

  let renderMs = 0;
  const c = {} as Record<Au, number>;
  for (let f = 0; f < frames; f++) {
    const t0 = performance.now();
    const t = f / fps;
    for (const au of DISFA_AUS) c[au] = track.continuous[au][f]!;
    deform(neutral, c, track.blink[f]!, moved);
    // Head motion: a small similarity about the face centre (±3°, ±5 px, ±3 %).
    const th = (3 * Math.PI) / 180 * rot(t);
    const s = 1 + 0.03 * sc(t);
    const a = s * Math.cos(th), b = s * Math.sin(th);
    const ox = 5 * tx(t), oy = 4 * ty(t);
    const n = 68 + ring.length / 2;
    for (let i = 0; i < n; i++) {
      const x = (i < 68 ? moved[2 * i]! : ring[2 * (i - 68)]!) - cx;
      const y = (i < 68 ? moved[2 * i + 1]! : ring[2 * (i - 68) + 1]!) - cy;
      dst[2 * i] = cx + ox + a * x - b * y;
      dst[2 * i + 1] = cy + oy + b * x + a * y;
    }
    const frame: RgbImage = { data: new Uint8Array(W * H * 3), width: W, height: H };
    warpPiecewiseAffine(identity.image, src, dst, tris, frame);
    const lmNow = dst.subarray(0, 136);
    truthLm.set(lmNow, f * 136);
    drawCues(frame, lmNow, c);
    lightAndNoise(frame, 1 + 0.08 * gain(t), 0.18 * gx(t), 0.08 * gy(t), noiseTable, Math.floor(r() * noiseTable.length));
    renderMs += performance.now() - t0;
    if (!ff.stdin.write(frame.data)) await once(ff.stdin, 'drain');
  }
  ff.stdin.end();
  const [code] = (await done) as [number | null];
  if (audioPath) await rm(audioPath, { force: true });
  if (code !== 0) throw new Error(`ffmpeg failed writing ${spec.mp4Path}: ${err}`);
  return { track, landmarks: truthLm, renderMs };
}
