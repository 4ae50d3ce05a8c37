// Frame, still and waveform extraction by streaming ffmpeg's stdout: no temp files per frame,
// and backpressure comes for free because we only read the pipe as fast as the consumer pulls.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ffmpegPath, runFfmpeg } from './ffmpeg';
import { probeHeader } from './probe';

export interface RawFrame {
  /** 0-based index in presentation order, counting every decoded frame (passthrough timing). */
  index: number;
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

export interface DecodeOptions {
  pixFmt?: 'rgb24' | 'gray';
  /** Scale to this width; height follows the aspect ratio (rounded to even) unless given. */
  width?: number;
  height?: number;
  /** Source display size, when the caller already probed (saves one ffmpeg run). */
  sourceSize?: { width: number; height: number };
  /** Start at this frame (timestamp seek; exact for constant frame rate). Needs fps. */
  startFrame?: number;
  fps?: number;
  /** Seconds to the first video frame (VideoProbe.videoStartSec); used with startFrame. */
  videoStartSec?: number;
  maxFrames?: number;
  signal?: AbortSignal;
}

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(message: string, readonly stderr: string) {
    super(message);
  }
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** Input-side seek that lands exactly on frame i: ffmpeg drops frames with t < ss, so aim half a frame early. */
function seekArgs(frame: number, fps: number, startSec: number): string[] {
  if (frame <= 0) return [];
  const t = startSec + (frame - 0.5) / fps;
  return ['-ss', t.toFixed(6)];
}

async function outputSize(path: string, opts: DecodeOptions): Promise<{ width: number; height: number }> {
  if (opts.width && opts.height) return { width: opts.width, height: opts.height };
  const src = opts.sourceSize ?? (await probeHeader(path, { signal: opts.signal })).video!;
  if (opts.width) return { width: opts.width, height: even((opts.width * src.height) / src.width) };
  if (opts.height) return { width: even((opts.height * src.width) / src.height), height: opts.height };
  return { width: src.width, height: src.height };
}

/**
 * Streams decoded frames. Breaking out of the loop, an abort or an error kills ffmpeg.
 * Each frame's `data` is a fresh buffer the caller may keep.
 */
export async function* decodeFrames(path: string, opts: DecodeOptions = {}): AsyncGenerator<RawFrame> {
  opts.signal?.throwIfAborted();
  const { width, height } = await outputSize(path, opts);
  const channels = opts.pixFmt === 'gray' ? 1 : 3;
  const frameBytes = width * height * channels;
  const start = opts.startFrame ?? 0;
  if (start > 0 && !opts.fps) throw new Error('decodeFrames: startFrame needs fps');
  const args = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    ...seekArgs(start, opts.fps ?? 25, opts.videoStartSec ?? 0),
    '-i',
    path,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    // Passthrough: one output frame per decoded frame, so indices match the probe's frame count
    // even for variable frame rate (the default would duplicate/drop frames to a constant rate).
    '-vsync',
    '0',
    ...(opts.maxFrames !== undefined ? ['-frames:v', String(opts.maxFrames)] : []),
    // area averaging when shrinking avoids aliasing in face crops
    '-vf',
    `scale=${width}:${height}:flags=area`,
    '-f',
    'rawvideo',
    '-pix_fmt',
    opts.pixFmt ?? 'rgb24',
    'pipe:1',
  ];
  const proc: ChildProcessByStdio<null, Readable, Readable> = spawn(ffmpegPath(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-16_384);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const spawnError = new Promise<never>((_, reject) => proc.on('error', reject));
  spawnError.catch(() => undefined);
  const onAbort = () => proc.kill('SIGKILL');
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  let index = start;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingLen += chunk.length;
      if (pendingLen < frameBytes) continue;
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLen);
      let off = 0;
      while (pendingLen - off >= frameBytes) {
        // Copy out: the pipe's buffers are pooled and would be overwritten later.
        const data = new Uint8Array(frameBytes);
        data.set(all.subarray(off, off + frameBytes));
        off += frameBytes;
        yield { index: index++, data, width, height, channels };
      }
      pending = off < pendingLen ? [all.subarray(off)] : [];
      pendingLen -= off;
    }
    const code = await Promise.race([exited, spawnError]);
    opts.signal?.throwIfAborted();
    if (code !== 0) throw new DecodeError(`ffmpeg failed to decode "${path}" (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`, stderr);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}

export interface StillOptions {
  /** VideoProbe.videoStartSec; keeps the seek exact for files whose video starts after 0. */
  videoStartSec?: number;
  /** Scale to this width (keeps aspect). */
  width?: number;
  /** JPEG quality on ffmpeg's 2 (best) .. 31 scale. */
  quality?: number;
  /**
   * 'seek' (default): timestamp seek, fast and exact for constant frame rate.
   * 'select': decode from the start and pick the n-th frame; exact for variable frame rate, slow late in long files.
   */
  mode?: 'seek' | 'select';
  signal?: AbortSignal;
}

/** One frame as JPEG, the same frame decodeFrames yields at `frameIndex`. */
export async function extractStill(path: string, frameIndex: number, fps: number, opts: StillOptions = {}): Promise<Buffer> {
  if (!Number.isInteger(frameIndex) || frameIndex < 0) throw new RangeError(`frameIndex must be a non-negative integer, got ${frameIndex}`);
  const filters: string[] = [];
  const pre: string[] = [];
  if (opts.mode === 'select') filters.push(`select=eq(n\\,${frameIndex})`);
  else pre.push(...seekArgs(frameIndex, fps, opts.videoStartSec ?? 0));
  if (opts.width) filters.push(`scale=${opts.width}:-2:flags=area`);
  const r = await runFfmpeg(
    [
      '-v',
      'error',
      ...pre,
      '-i',
      path,
      '-map',
      '0:v:0',
      '-vsync',
      '0',
      ...(filters.length ? ['-vf', filters.join(',')] : []),
      '-frames:v',
      '1',
      '-q:v',
      String(opts.quality ?? 3),
      '-f',
      'image2pipe',
      '-vcodec',
      'mjpeg',
      'pipe:1',
    ],
    { signal: opts.signal, maxStdout: 64 * 1024 * 1024 },
  );
  if (r.stdout.length === 0)
    throw new DecodeError(`No frame ${frameIndex} in "${path}" (past the end, or undecodable): ${r.stderr.trim().split('\n').pop() ?? ''}`, r.stderr);
  return r.stdout;
}

/**
 * Waveform peaks for wavesurfer.js v7 (`peaks` option, with `duration`): one array per channel,
 * max |sample| per bucket in 0..1, `peaksPerSecond` buckets per second.
 * Without audio: one flat channel spanning `durationSec` (when given) so the timeline still lines up.
 */
export async function audioPeaks(
  path: string,
  peaksPerSecond: number,
  opts: { signal?: AbortSignal; durationSec?: number } = {},
): Promise<number[][]> {
  if (!(peaksPerSecond > 0)) throw new RangeError('peaksPerSecond must be > 0');
  const h = await probeHeader(path, opts);
  const flat = () => [new Array<number>(Math.ceil((opts.durationSec ?? h.durationSec ?? 0) * peaksPerSecond)).fill(0)];
  if (!h.audio) return flat();
  const rate = h.audio.sampleRate || 48_000;
  const ch = Math.max(1, h.audio.channels);
  const bucket = rate / peaksPerSecond;
  const peaks: number[][] = Array.from({ length: ch }, () => []);
  const cur = new Float32Array(ch);
  let sample = 0;
  let nextEdge = bucket;
  let carry = Buffer.alloc(0);
  const frameBytes = 4 * ch;
  const r = await runFfmpeg(['-v', 'error', '-i', path, '-map', '0:a:0', '-vn', '-ac', String(ch), '-ar', String(rate), '-f', 'f32le', 'pipe:1'], {
    signal: opts.signal,
    keepStdout: false,
    onStdout: (chunk) => {
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const n = Math.floor(buf.length / frameBytes);
      const view = new DataView(buf.buffer, buf.byteOffset, n * frameBytes);
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < ch; c++) {
          const v = Math.abs(view.getFloat32((i * ch + c) * 4, true));
          if (v > cur[c]!) cur[c] = v;
        }
        if (++sample >= nextEdge) {
          for (let c = 0; c < ch; c++) {
            peaks[c]!.push(Math.round(Math.min(1, cur[c]!) * 1e4) / 1e4);
            cur[c] = 0;
          }
          nextEdge += bucket;
        }
      }
      carry = Buffer.from(buf.subarray(n * frameBytes));
    },
  });
  if (r.code !== 0 && sample === 0) return flat();
  if (sample > nextEdge - bucket) for (let c = 0; c < ch; c++) peaks[c]!.push(Math.round(Math.min(1, cur[c]!) * 1e4) / 1e4);
  return peaks;
}
