/**
 * Playback copies for sources Chromium cannot play (AVI, Matroska, MPEG-4 Part 2, ProRes …).
 * Only playback uses the proxy: stills, crops and labels always come from the original, so
 * frame numbers stay exact whatever the proxy's encoder does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runFfmpeg } from '../ffmpeg';
import type { VideoProbe } from '../probe';

const PLAYABLE: Record<string, readonly string[]> = {
  '.mp4': ['h264', 'vp9', 'av1'],
  '.m4v': ['h264'],
  '.mov': ['h264'],
  '.webm': ['vp8', 'vp9', 'av1'],
};

export function browserPlayable(probe: Pick<VideoProbe, 'path' | 'codec'>): boolean {
  const codecs = PLAYABLE[path.extname(probe.path).toLowerCase()];
  return Boolean(codecs?.some((c) => probe.codec.toLowerCase().startsWith(c)));
}

export function proxyFileFor(projectDir: string, videoId: number): string {
  return path.join(projectDir, 'media', `video-${videoId}.proxy.mp4`);
}

/** H.264 + AAC in MP4 with the index up front, at most 720 lines: small, fast to seek. */
export async function makeProxy(probe: VideoProbe, target: string, signal?: AbortSignal): Promise<void> {
  const partial = `${target}.part.mp4`;
  const args = ['-y', '-i', probe.path, '-map', '0:v:0', ...(probe.hasAudio ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '128k'] : [])];
  args.push('-vf', "scale='min(1280,iw)':-2,format=yuv420p", '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-vsync', 'passthrough', '-movflags', '+faststart', partial);
  try {
    await runFfmpeg(args, { ...(signal ? { signal } : {}), keepStdout: false });
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}
