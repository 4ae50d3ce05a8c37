// Tiny media fixtures made with ffmpeg's lavfi sources, so tests need no binary files in git.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegPath } from '../../../src/main/services/media/ffmpeg';

export function tempDir(prefix = 'auw-media-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function ffmpeg(args: string[]): void {
  const r = spawnSync(ffmpegPath(), ['-hide_banner', '-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

/**
 * Every frame a distinct flat gray level (16 + 7n mod 200, inside video range so none clip),
 * so a frame's index can be read back from its mean brightness.
 */
export const GRAY_RAMP = "nullsrc=s=64x48:r=25,geq=lum='16+mod(N*7\\,200)':cb=128:cr=128";

/** Expected full-range gray of frame n of GRAY_RAMP (limited → full range expansion). */
export function rampLevel(n: number): number {
  return ((16 + ((n * 7) % 200) - 16) * 255) / 219;
}

export function mean(data: Uint8Array): number {
  let s = 0;
  for (const v of data) s += v;
  return s / data.length;
}

/** Decodes a JPEG (or any image) buffer to gray pixels with ffmpeg. */
export function jpegGray(buf: Buffer): Uint8Array {
  const r = spawnSync(ffmpegPath(), ['-v', 'error', '-f', 'image2pipe', '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { input: buf });
  return new Uint8Array(r.stdout);
}
