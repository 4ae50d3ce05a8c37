import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CropFlag, CropFileWriter } from '../../../src/main/services/media/cropFile';
import { clipAround, CropLibrary, randomClip, type VideoSource } from '../../../src/main/services/learn/data';
import { buildTargets } from '../../../src/main/services/learn/worker/finetune';
import { splitBySubject } from '../../../src/main/services/learn/backend/trainingData';
import { Rng } from '../../../src/shared/rng';

const video = (id: number, frameCount: number, face = (_: number) => true): VideoSource => ({
  id,
  cropFile: '',
  frameCount,
  subject: null,
  face: Uint8Array.from({ length: frameCount }, (_, i) => (face(i) ? 1 : 0)),
});

describe('clipAround', () => {
  it('always contains the labelled frame, on the stride grid, inside the video, at varying positions', () => {
    const rng = new Rng(3);
    const v = video(1, 50);
    const positions = new Set<number>();
    for (const frame of [0, 1, 7, 25, 48, 49]) {
      for (let k = 0; k < 40; k++) {
        const c = clipAround(v, frame, 8, 3, rng);
        expect(c.frames).toHaveLength(8);
        expect(c.frames).toContain(frame);
        expect(c.frames[0]).toBeGreaterThanOrEqual(0);
        expect(c.frames[7]).toBeLessThan(50);
        for (let t = 1; t < 8; t++) expect(c.frames[t]! - c.frames[t - 1]!).toBe(3);
        if (frame === 25) positions.add(c.frames.indexOf(frame));
      }
    }
    expect(positions.size).toBeGreaterThan(4); // a random position, not always the same
  });

  it('repeats edge frames for a video shorter than one clip', () => {
    const c = clipAround(video(1, 3), 1, 4, 2, new Rng(1));
    expect(c.frames).toContain(1);
    expect(c.frames.every((f) => f >= 0 && f < 3)).toBe(true);
  });
});

describe('randomClip', () => {
  it('prefers clips with faces and never picks a video too short for a clip', () => {
    const rng = new Rng(5);
    const vids = [video(1, 5), video(2, 100, (i) => i >= 50)];
    for (let k = 0; k < 30; k++) {
      const c = randomClip(vids, [5, 50], 4, 2, rng);
      expect(c.videoId).toBe(2);
    }
  });
});

describe('buildTargets', () => {
  it('marks only labelled frames × labelled AUs that have a face', () => {
    const index = new Map([[7, new Map([[10, Float32Array.from([2, NaN])], [12, Float32Array.from([1, 4])]])]]);
    const refs = [{ videoId: 7, frames: [10, 11, 12, 13] }];
    const face = Float32Array.from([1, 1, 0, 1]); // frame 12 has no face: its label is not used
    const { y, m } = buildTargets(refs, index, face, 4, 2);
    expect(Array.from(m)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(y[0]).toBe(2);
  });
});

describe('splitBySubject', () => {
  it('keeps every video of a person on one side and holds out at least one person', () => {
    const vids = [
      { id: 1, subject: 'a' },
      { id: 2, subject: 'a' },
      { id: 3, subject: 'b' },
      { id: 4, subject: 'c' },
      { id: 5, subject: null },
    ];
    const s = splitBySubject(vids, 0.25, 9);
    expect([...s.train, ...s.val].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(s.val.length).toBeGreaterThan(0);
    expect(s.val.includes(1)).toBe(s.val.includes(2));
    expect(splitBySubject(vids, 0.25, 9)).toEqual(s); // seeded
    expect(splitBySubject([{ id: 1, subject: 'a' }, { id: 2, subject: 'a' }], 0.5, 1).val).toEqual([]);
  });
});

describe('person-specific normalisation (reference = the video\'s median crop)', () => {
  // 5 face frames whose pixel 0 is 10, 200, 30, 40, 250 (median 40) and every other pixel = 7·frame,
  // plus a faceless frame of zeros that must not pull the median down.
  const S = 4;
  const frameValues = [10, 200, 30, 40, 250];
  async function store(): Promise<{ lib: (norm: boolean) => Promise<CropLibrary>; dir: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auw-ref-'));
    const file = path.join(dir, 'v.crops');
    const w = await CropFileWriter.create(file, { cropSize: S, channels: 1, fps: 25 });
    for (let f = 0; f < 6; f++) {
      if (f === 5) await w.append({ flag: CropFlag.NoFace });
      else await w.append({ flag: CropFlag.Detected, pixels: Uint8Array.from({ length: S * S }, (_, i) => (i === 0 ? frameValues[f]! : 7 * f)) });
    }
    await w.finish();
    await w.close();
    const v: VideoSource = { id: 1, cropFile: file, frameCount: 6, subject: 'A', face: Uint8Array.from([1, 1, 1, 1, 1, 0]) };
    return { dir, lib: (norm) => CropLibrary.open([v], norm ? { reference: 'video-median' } : {}) };
  }

  it('feeds frame − median face, ignoring faceless frames, and can hand back the plain frames too', async () => {
    const { lib: open, dir } = await store();
    const lib = await open(true);
    expect(lib.normalized).toBe(true);
    const out = new Float32Array(2 * S * S);
    const plain = new Float32Array(2 * S * S);
    const mask = new Float32Array(2);
    await lib.readClip({ videoId: 1, frames: [1, 4] }, null, new Rng(1), out, 0, mask, 0, plain);
    // Pixel 0: median of 10, 200, 30, 40, 250 = 40; other pixels: median of 0, 7, 14, 21, 28 = 14.
    expect(out[0]).toBeCloseTo((200 - 40) / 255 / 0.25, 5);
    expect(out[S * S]).toBeCloseTo((250 - 40) / 255 / 0.25, 5);
    expect(out[1]).toBeCloseTo((7 - 14) / 255 / 0.25, 5);
    expect(out[S * S + 1]).toBeCloseTo((28 - 14) / 255 / 0.25, 5);
    expect(plain[0]).toBeCloseTo((200 / 255 - 0.5) / 0.25, 5);
    expect(Array.from(mask)).toEqual([1, 1]);
    await lib.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('without the setting reads the plain crop, as models saved before it did', async () => {
    const { lib: open, dir } = await store();
    const lib = await open(false);
    expect(lib.normalized).toBe(false);
    const out = new Float32Array(S * S);
    await lib.readClip({ videoId: 1, frames: [2] }, null, new Rng(1), out, 0, new Float32Array(1), 0);
    expect(out[0]).toBeCloseTo((30 / 255 - 0.5) / 0.25, 5);
    await lib.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
