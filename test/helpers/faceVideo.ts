/**
 * Short test videos of one real face: the largest face in one of face-api's demo photos,
 * found with the same face engine the app uses, cropped with margin and slowly zoomed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { decodeFrames } from '../../src/main/services/media/decode';
import { ffmpegPath } from '../../src/main/services/media/ffmpeg';
import { FaceEngine } from '../../src/main/services/media/worker/faces';

export const DEMO_PHOTO = (n: number) => path.resolve(`node_modules/@vladmandic/face-api/demo/sample${n}.jpg`);

function decodeRgb(file: string): { data: Uint8Array; width: number; height: number } {
  const pixels = execFileSync(ffmpegPath(), ['-hide_banner', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const dims = /, (\d+)x(\d+)/.exec(
    (() => {
      try {
        execFileSync(ffmpegPath(), ['-hide_banner', '-i', file], { stdio: ['ignore', 'ignore', 'pipe'] });
        return '';
      } catch (err) {
        return String((err as { stderr?: Buffer }).stderr ?? '');
      }
    })(),
  );
  if (!dims) throw new Error(`cannot read the size of ${file}`);
  return { data: new Uint8Array(pixels), width: Number(dims[1]), height: Number(dims[2]) };
}

/** Crop rectangle (even numbers) around the largest face of a photo, with margin. */
export async function faceCrop(photo: string): Promise<{ x: number; y: number; w: number; h: number }> {
  const img = decodeRgb(photo);
  const engine = await FaceEngine.load({ landmarkModel: 'tiny', detectorInputSize: 416 });
  const faces = await engine.detect(img);
  const best = faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
  if (!best) throw new Error(`no face found in ${photo}`);
  const side = Math.min(img.width, img.height, Math.round(Math.max(best.box.width, best.box.height) * 2.4));
  const cx = best.box.x + best.box.width / 2;
  const cy = best.box.y + best.box.height / 2;
  const x = Math.max(0, Math.min(img.width - side, Math.round(cx - side / 2)));
  const y = Math.max(0, Math.min(img.height - side, Math.round(cy - side / 2)));
  const even = (v: number) => v - (v % 2);
  return { x: even(x), y: even(y), w: even(side), h: even(side) };
}

/** Writes an mp4 of one face (optionally with a tone) and returns its path. */
export async function makeFaceVideo(out: string, opts: { photo?: number; seconds?: number; audio?: boolean; size?: number } = {}): Promise<string> {
  const photo = DEMO_PHOTO(opts.photo ?? 1);
  const c = await faceCrop(photo);
  const size = opts.size ?? 240;
  const seconds = opts.seconds ?? 1.6;
  const audio = opts.audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000'] : [];
  execFileSync(ffmpegPath(), [
    '-loglevel', 'error', '-y', '-loop', '1', '-i', photo, ...audio,
    '-t', String(seconds), '-r', '25',
    '-vf', `crop=${c.w}:${c.h}:${c.x}:${c.y},scale=${size}:${size},zoompan=z='1+0.003*on':d=1:s=${size}x${size}:fps=25,format=yuv420p`,
    '-c:v', 'libx264', ...(opts.audio ? ['-c:a', 'aac', '-shortest'] : []),
    out,
  ]);
  return out;
}

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty: where a source pixel lands in the output frame. */
export interface Placement {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Placement that scales by `scale`, rotates by `angle` (radians) about the source point (cx, cy) and puts that point at (ox, oy). */
export function placement(scale: number, angle: number, cx: number, cy: number, ox: number, oy: number): Placement {
  const a = scale * Math.cos(angle);
  const b = scale * Math.sin(angle);
  return { a, b, tx: ox - (a * cx - b * cy), ty: oy - (b * cx + a * cy) };
}

/**
 * A face video with known landmarks, moved: each frame of `src` (whose true landmarks are `truth`,
 * 136 floats per frame, e.g. a demo video's) is placed into a width×height frame of grey `fill` by
 * `place(frame)`, bilinear. Returns the true landmarks of the new video, frame by frame.
 */
export async function makePlacedFaceVideo(
  src: string,
  truth: Float32Array,
  out: string,
  o: { width: number; height: number; fps: number; fill?: number; frames?: number; place: (frame: number) => Placement },
): Promise<Float32Array> {
  const { width: W, height: H } = o;
  const ff = spawn(ffmpegPath(), ['-hide_banner', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', String(o.fps), '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', out], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const closed = once(ff, 'close');
  const moved: number[] = [];
  const fill = o.fill ?? 96;
  for await (const f of decodeFrames(src, { pixFmt: 'rgb24' })) {
    if (o.frames !== undefined && f.index >= o.frames) break;
    if ((f.index + 1) * 136 > truth.length) throw new Error(`${src} has more frames than its truth (${truth.length / 136})`);
    const p = o.place(f.index);
    const d = p.a * p.a + p.b * p.b;
    // Inverse placement: output pixel → source pixel.
    const ia = p.a / d;
    const ib = -p.b / d;
    const itx = -(ia * p.tx - ib * p.ty);
    const ity = -(ib * p.tx + ia * p.ty);
    const frame = new Uint8Array(W * H * 3).fill(fill);
    // Only the source's footprint needs sampling; the rest stays grey.
    const corners = [[0, 0], [f.width, 0], [0, f.height], [f.width, f.height]].map(([x, y]) => [p.a * x! - p.b * y! + p.tx, p.b * x! + p.a * y! + p.ty]);
    const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]!))));
    const x1 = Math.min(W - 1, Math.ceil(Math.max(...corners.map((c) => c[0]!))));
    const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]!))));
    const y1 = Math.min(H - 1, Math.ceil(Math.max(...corners.map((c) => c[1]!))));
    for (let v = y0; v <= y1; v++) {
      for (let u = x0; u <= x1; u++) {
        const sx = ia * u - ib * v + itx;
        const sy = ib * u + ia * v + ity;
        if (sx < 0 || sy < 0 || sx > f.width - 1 || sy > f.height - 1) continue;
        const xi = Math.min(f.width - 2, Math.floor(sx));
        const yi = Math.min(f.height - 2, Math.floor(sy));
        const fx = sx - xi;
        const fy = sy - yi;
        const i00 = (yi * f.width + xi) * 3;
        const i10 = i00 + 3;
        const i01 = i00 + f.width * 3;
        const i11 = i01 + 3;
        const o3 = (v * W + u) * 3;
        for (let c = 0; c < 3; c++) {
          const top = f.data[i00 + c]! * (1 - fx) + f.data[i10 + c]! * fx;
          const bottom = f.data[i01 + c]! * (1 - fx) + f.data[i11 + c]! * fx;
          frame[o3 + c] = Math.round(top * (1 - fy) + bottom * fy);
        }
      }
    }
    for (let k = 0; k < 68; k++) {
      const x = truth[f.index * 136 + 2 * k]!;
      const y = truth[f.index * 136 + 2 * k + 1]!;
      moved.push(p.a * x - p.b * y + p.tx, p.b * x + p.a * y + p.ty);
    }
    if (!ff.stdin.write(frame)) await once(ff.stdin, 'drain');
  }
  ff.stdin.end();
  const [code] = (await closed) as [number | null];
  if (code !== 0) throw new Error(`ffmpeg failed writing ${out}: ${err}`);
  return Float32Array.from(moved);
}

/**
 * A lavfi source of 1280×720 at 30 fps showing no face: smooth moving waves. Not testsrc2: the
 * tiny detector takes one of its shapes for a face.
 */
export const noFaceSource = (seconds: number) => `nullsrc=s=1280x720:r=30:d=${seconds},geq=lum='128+50*sin(X/37+N/9)*cos(Y/23-N/13)':cb=128:cr=128`;
