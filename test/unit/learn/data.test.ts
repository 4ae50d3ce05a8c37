import { describe, expect, it } from 'vitest';
import { clipAround, randomClip, type VideoSource } from '../../../src/main/services/learn/data';
import { buildTargets } from '../../../src/main/services/learn/train';
import { splitBySubject } from '../../../src/main/services/learn/store';
import { Rng } from '../../../src/main/services/learn/rng';

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
