/**
 * Short test videos of one real face: the largest face in one of face-api's demo photos,
 * found with the same face engine the app uses, cropped with margin and slowly zoomed.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
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
