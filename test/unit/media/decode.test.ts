import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioPeaks, decodeFrames, extractStill } from '../../../src/main/services/media/decode';
import { probeVideo } from '../../../src/main/services/media/probe';
import { ffmpeg, GRAY_RAMP, jpegGray, mean, rampLevel, tempDir } from './helpers';

const { dir, cleanup } = tempDir();
const p = (f: string) => join(dir, f);

beforeAll(() => {
  const ramp = ['-f', 'lavfi', '-i', GRAY_RAMP, '-t', '3'];
  // B-frames (x264 default) make decode order ≠ display order: the seek logic must still land right.
  ffmpeg([...ramp, '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=16000', '-t', '3', '-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', '-c:a', 'aac', p('ramp.mp4')]);
  ffmpeg([...ramp, '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '3', '-c:v', 'libvpx', '-g', '12', '-c:a', 'libopus', p('ramp.webm')]);
  ffmpeg([...ramp, '-c:v', 'mpeg4', '-q:v', '2', '-g', '12', p('ramp.avi')]);
  ffmpeg([...ramp, '-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', p('ramp.mkv')]);
  ffmpeg(['-f', 'lavfi', '-i', `${GRAY_RAMP},select='not(eq(mod(n\\,4)\\,1))'`, '-t', '2', '-vsync', 'vfr', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', p('vfr.mkv')]);
  ffmpeg(['-i', p('ramp.mkv'), '-c', 'copy', '-metadata:s:v', 'rotate=90', p('rotated.mp4')]);
  // Stereo: left a half-amplitude tone, right silent.
  ffmpeg(['-f', 'lavfi', '-i', 'aevalsrc=0.5*sin(2*PI*440*t)|0:s=16000:d=2', '-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=25', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_s16le', p('stereo.mov')]);
}, 60_000);
afterAll(cleanup);

async function levels(file: string, opts: Parameters<typeof decodeFrames>[1] = {}): Promise<number[]> {
  const out: number[] = [];
  for await (const f of decodeFrames(p(file), { pixFmt: 'gray', ...opts })) out.push(mean(f.data));
  return out;
}

describe('decodeFrames', () => {
  it('yields every frame in order, as many as the probe counts', async () => {
    const info = await probeVideo(p('ramp.mp4'));
    const lv = await levels('ramp.mp4');
    expect(lv).toHaveLength(info.frameCount);
    lv.forEach((v, i) => expect(Math.abs(v - rampLevel(i))).toBeLessThan(2.5));
  });

  it('yields RGB frames of the right shape, optionally scaled', async () => {
    const frames = [];
    for await (const f of decodeFrames(p('ramp.mkv'), { width: 32, maxFrames: 3 })) frames.push(f);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2]);
    expect(frames[0]).toMatchObject({ width: 32, height: 24, channels: 3 });
    expect(frames[0]!.data).toHaveLength(32 * 24 * 3);
  });

  it('decodes rotated video upright, at the probed display size', async () => {
    const info = await probeVideo(p('rotated.mp4'));
    for await (const f of decodeFrames(p('rotated.mp4'), { maxFrames: 1 })) {
      expect([f.width, f.height]).toEqual([info.width, info.height]);
      expect([f.width, f.height]).toEqual([48, 64]);
    }
  });

  it('passes variable-frame-rate frames through one to one', async () => {
    const info = await probeVideo(p('vfr.mkv'));
    expect(await levels('vfr.mkv')).toHaveLength(info.frameCount);
  });

  it('resumes exactly at startFrame', async () => {
    for (const f of ['ramp.mp4', 'ramp.webm', 'ramp.avi']) {
      const info = await probeVideo(p(f));
      const lv = await levels(f, { startFrame: 37, fps: info.fps, videoStartSec: info.videoStartSec, maxFrames: 3 });
      expect(lv.map((v) => Math.round(v))).toEqual([37, 38, 39].map((n) => Math.round(rampLevel(n))));
    }
  });

  it('stops ffmpeg when aborted mid-stream', async () => {
    const ac = new AbortController();
    let n = 0;
    await expect(
      (async () => {
        for await (const _ of decodeFrames(p('ramp.mp4'), { signal: ac.signal })) if (++n === 5) ac.abort();
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(n).toBeLessThan(75);
  });

  it('stops ffmpeg when the consumer breaks out', async () => {
    let n = 0;
    for await (const f of decodeFrames(p('ramp.mp4'))) {
      n = f.index;
      if (n === 2) break;
    }
    expect(n).toBe(2);
  });
});

describe('extractStill', () => {
  it.each(['ramp.mp4', 'ramp.webm', 'ramp.avi', 'ramp.mkv'])('returns exactly the decoded frame i (%s)', async (file) => {
    const info = await probeVideo(p(file));
    const decoded = await levels(file);
    for (const i of [0, 1, 11, 12, 13, 24, 25, 50, 74]) {
      const jpg = await extractStill(p(file), i, info.fps, { videoStartSec: info.videoStartSec });
      expect(jpg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      const lum = mean(jpegGray(jpg));
      // Neighbouring frames differ by ≥ 8 gray levels; JPEG error is well under that.
      expect(Math.abs(lum - decoded[i]!), `${file} frame ${i}`).toBeLessThan(2.5);
    }
  });

  it("picks frames by count with mode 'select' (variable frame rate)", async () => {
    const decoded = await levels('vfr.mkv');
    for (const i of [0, 3, 20]) {
      const lum = mean(jpegGray(await extractStill(p('vfr.mkv'), i, 25, { mode: 'select' })));
      expect(Math.abs(lum - decoded[i]!)).toBeLessThan(2.5);
    }
  });

  it('scales and rejects frames past the end', async () => {
    const jpg = await extractStill(p('ramp.mp4'), 3, 25, { width: 32 });
    expect(jpegGray(jpg)).toHaveLength(32 * 24);
    await expect(extractStill(p('ramp.mp4'), 500, 25)).rejects.toThrow(/No frame 500/);
    await expect(extractStill(p('ramp.mp4'), -1, 25)).rejects.toThrow(RangeError);
  });
});

describe('audioPeaks', () => {
  it('gives per-channel max |sample| buckets', async () => {
    const peaks = await audioPeaks(p('stereo.mov'), 20);
    expect(peaks).toHaveLength(2);
    expect(peaks[0]!.length).toBeGreaterThanOrEqual(40);
    expect(peaks[0]!.length).toBeLessThanOrEqual(41);
    for (const v of peaks[0]!.slice(1, 39)) expect(v).toBeCloseTo(0.5, 1);
    expect(Math.max(...peaks[1]!)).toBe(0);
  });

  it('handles compressed mono audio', async () => {
    const [ch, ...rest] = await audioPeaks(p('ramp.mp4'), 10);
    expect(rest).toHaveLength(0);
    expect(ch!.length).toBeGreaterThanOrEqual(30);
    expect(Math.max(...ch!)).toBeGreaterThan(0.05);
    expect(Math.max(...ch!)).toBeLessThanOrEqual(1);
  });

  it('is one flat channel spanning the video when there is no audio', async () => {
    const peaks = await audioPeaks(p('ramp.mkv'), 10);
    expect(peaks).toHaveLength(1);
    expect(peaks[0]).toHaveLength(30);
    expect(peaks[0]!.every((v) => v === 0)).toBe(true);
  });
});
