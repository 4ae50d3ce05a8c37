import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysePacketTimes, contentHash, MediaProbeError, parseHeader, probeVideo, type ProbeErrorCode } from '../../../src/main/services/media/probe';
import { ffmpeg, tempDir } from './helpers';

const { dir, cleanup } = tempDir();
const p = (f: string) => join(dir, f);
const SRC = ['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25', '-t', '1'];
const SINE = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=22050', '-t', '1'];

beforeAll(() => {
  ffmpeg([...SRC, ...SINE, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', 'av.mp4']
    .map((a) => (a === 'av.mp4' ? p(a) : a)));
  ffmpeg([...SRC, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', p('silent.mp4')]);
  ffmpeg(['-i', p('av.mp4'), '-c', 'copy', '-metadata:s:v', 'rotate=90', p('rotated.mp4')]);
  ffmpeg([...SRC, '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=30000/1001', '-t', '1', '-map', '1:v', '-c:v', 'mjpeg', p('ntsc.mov')]);
  ffmpeg([...SRC, ...SINE, '-c:v', 'mpeg4', '-c:a', 'pcm_s16le', p('a.avi')]);
  ffmpeg([...SRC, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', p('a.mkv')]);
  ffmpeg([...SRC, ...SINE, '-c:v', 'libvpx', '-c:a', 'libopus', '-ac', '2', p('a.webm')]);
  ffmpeg(['-f', 'lavfi', '-i', "testsrc=size=64x48:rate=25,select='not(eq(mod(n\\,4)\\,1))'", '-t', '2', '-vsync', 'vfr', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', p('vfr.mkv')]);
  ffmpeg([...SINE, p('audio.m4a')]);
  writeFileSync(p('empty.mp4'), '');
  writeFileSync(p('garbage.mp4'), Buffer.concat([Buffer.from('this is not a video\n'), Buffer.alloc(4096, 7)]));
  // Cut files: without faststart the index (moov) sits at the end and is lost; with it the payload is.
  const av = readFileSync(p('av.mp4'));
  writeFileSync(p('no-moov.mp4'), av.subarray(0, Math.floor(av.length / 2)));
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25', '-t', '2', '-g', '10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', p('long.mp4')]);
  const fs = readFileSync(p('long.mp4'));
  writeFileSync(p('cut.mp4'), fs.subarray(0, Math.floor(fs.length * 0.6)));
  const mkv = readFileSync(p('a.mkv'));
  writeFileSync(p('cut.mkv'), mkv.subarray(0, Math.floor(mkv.length * 0.5)));
  // An AVI whose codec tag nobody knows.
  const avi = readFileSync(p('a.avi'));
  writeFileSync(p('unknown-codec.avi'), Buffer.from(avi.toString('latin1').replaceAll('FMP4', 'QQQQ'), 'latin1'));
}, 60_000);
afterAll(cleanup);

async function probeError(file: string): Promise<MediaProbeError> {
  try {
    await probeVideo(p(file));
  } catch (e) {
    expect(e).toBeInstanceOf(MediaProbeError);
    return e as MediaProbeError;
  }
  throw new Error(`${file} probed without error`);
}

describe('probeVideo', () => {
  it('reads an mp4 with audio', async () => {
    const r = await probeVideo(p('av.mp4'));
    expect(r).toMatchObject({ codec: 'h264', width: 64, height: 48, rotation: 0, fps: 25, frameCount: 25, frameCountMethod: 'decoded', variableFrameRate: false });
    expect(r).toMatchObject({ hasAudio: true, audioCodec: 'aac', audioSampleRate: 22050, audioChannels: 1 });
    expect(r.durationSec).toBeCloseTo(1, 5);
  });

  it('reads a silent mp4', async () => {
    const r = await probeVideo(p('silent.mp4'));
    expect(r).toMatchObject({ frameCount: 25, hasAudio: false, audioSampleRate: null });
  });

  it('swaps width and height for 90/270° rotation metadata', async () => {
    const r = await probeVideo(p('rotated.mp4'));
    expect([90, 270]).toContain(r.rotation);
    expect(r).toMatchObject({ width: 48, height: 64, codedWidth: 64, codedHeight: 48, frameCount: 25 });
  });

  it.each([
    ['ntsc.mov', 'mjpeg', 30000 / 1001, 30, false],
    ['a.avi', 'mpeg4', 25, 25, true],
    ['a.mkv', 'h264', 25, 25, false],
    ['a.webm', 'vp8', 25, 25, true],
  ])('reads %s', async (file, codec, fps, frames, audio) => {
    const r = await probeVideo(p(file));
    expect(r.codec).toBe(codec);
    expect(r.fps).toBeCloseTo(fps, 6);
    expect(r.frameCount).toBe(frames);
    expect(r.hasAudio).toBe(audio);
    expect(r.width).toBe(64);
  });

  it('reports stereo opus in webm', async () => {
    expect(await probeVideo(p('a.webm'))).toMatchObject({ audioCodec: 'opus', audioSampleRate: 48000, audioChannels: 2 });
  });

  it('counts frames exactly for variable frame rate and flags it', async () => {
    const r = await probeVideo(p('vfr.mkv'));
    expect(r.variableFrameRate).toBe(true);
    expect(r.frameCount).toBe(37); // 50 source frames less the 13 with n = 1, 5, …, 49
    expect(r.fps).toBeCloseTo(37 / r.durationSec, 3);
  });

  it('packet counting agrees on a clean file', async () => {
    expect((await probeVideo(p('a.mkv'), { countFrames: 'packets' })).frameCount).toBe(25);
  });

  it('reports decode progress', async () => {
    const seen: number[] = [];
    await probeVideo(p('silent.mp4'), { onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(25);
  });

  it.each<[string, ProbeErrorCode]>([
    ['missing.mp4', 'file-missing'],
    ['empty.mp4', 'file-empty'],
    ['garbage.mp4', 'unrecognized-format'],
    ['no-moov.mp4', 'truncated'],
    ['cut.mp4', 'truncated'],
    ['cut.mkv', 'truncated'],
    ['audio.m4a', 'no-video-stream'],
    ['unknown-codec.avi', 'unsupported-codec'],
  ])('%s fails with %s and advice', async (file, code) => {
    const e = await probeError(file);
    expect(e.code).toBe(code);
    expect(e.path).toBe(p(file));
    expect(e.message.length).toBeGreaterThan(40);
  });

  it('says how much of a cut file is still decodable', async () => {
    const e = await probeError('cut.mp4');
    expect(e.decodableFrames).toBeGreaterThan(0);
    expect(e.decodableFrames).toBeLessThan(50);
  });
});

describe('header and packet parsing', () => {
  it('parses a display-matrix rotation and "k" rates', () => {
    const h = parseHeader(
      [
        "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mov':",
        '  Duration: 00:01:02.50, start: 0.000000, bitrate: 1 kb/s',
        '    Stream #0:0(und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv), 1920x1080, 10 kb/s, 59.94 fps, 59.94 tbr, 1k tbn (default)',
        '    Side data:',
        '      displaymatrix: rotation of -90.00 degrees',
        '    Stream #0:1(und): Audio: aac (LC), 48000 Hz, 5.1, fltp, 128 kb/s (default)',
      ].join('\n'),
      'x.mov',
      1,
    );
    expect(h.durationSec).toBeCloseTo(62.5);
    expect(h.video).toMatchObject({ codec: 'hevc', rotation: 90, width: 1080, height: 1920, headerFps: 59.94 });
    expect(h.audio).toEqual({ codec: 'aac', sampleRate: 48000, channels: 6 });
  });

  it('treats one-tick timestamp jitter as constant rate and snaps NTSC rates', () => {
    const lines = ['#tb 0: 1/1000'];
    for (let i = 0; i < 300; i++) lines.push(`0, ${Math.round((i * 1001) / 30)}, ${Math.round((i * 1001) / 30)}, 33, 100, 0x0`);
    const t = analysePacketTimes(lines.join('\n'));
    expect(t.variable).toBe(false);
    expect(t.fps).toBeCloseTo(30000 / 1001, 9);
  });
});

describe('contentHash', () => {
  it('is stable, content-sensitive and reads only samples of large files', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 255;
    writeFileSync(p('big.bin'), big);
    const h1 = await contentHash(p('big.bin'));
    expect(h1).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(await contentHash(p('big.bin'))).toBe(h1);
    big.writeUInt8(big.readUInt8(4 * 1024 * 1024) ^ 1, 4 * 1024 * 1024); // inside the middle sample
    writeFileSync(p('big.bin'), big);
    const h2 = await contentHash(p('big.bin'));
    expect(h2).not.toBe(h1);
    big.writeUInt8(big.readUInt8(2 * 1024 * 1024) ^ 1, 2 * 1024 * 1024); // between samples: by design not seen
    writeFileSync(p('big.bin'), big);
    expect(await contentHash(p('big.bin'))).toBe(h2);
    expect(await contentHash(p('av.mp4'))).not.toBe(await contentHash(p('silent.mp4')));
  });
});
