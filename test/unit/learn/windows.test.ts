import { describe, expect, it } from 'vitest';
import { planWindows, WindowMerger } from '../../../src/main/services/learn/worker/windows';

describe('planWindows', () => {
  it('covers every frame, with the last window flush with the end', () => {
    const w = planWindows(10, 4, 1, 2);
    expect(w.map((x) => x.frames[0])).toEqual([0, 2, 4, 6]);
    const covered = new Set(w.flatMap((x) => x.frames));
    expect(covered.size).toBe(10);
    const w2 = planWindows(11, 4, 1, 2);
    expect(w2[w2.length - 1]!.frames).toEqual([7, 8, 9, 10]);
  });

  it('interleaves phases for a stride > 1', () => {
    const w = planWindows(9, 3, 2, 3);
    for (const x of w) for (let k = 1; k < x.frames.length; k++) expect(x.frames[k]! - x.frames[k - 1]!).toBe(2);
    expect(new Set(w.flatMap((x) => x.frames)).size).toBe(9);
  });

  it('repeats the last frame of a video shorter than a window', () => {
    const [w] = planWindows(2, 4, 1, 2);
    expect(w).toEqual({ frames: [0, 1, 1, 1], valid: 2 });
  });
});

describe('WindowMerger', () => {
  it('averages overlapping windows and writes AU-major, NaN where no face', () => {
    const windows = planWindows(6, 4, 1, 2); // [0..3], [2..5]
    const m = new WindowMerger(6, 2);
    // Window 1 says (frame, 10·frame); window 2 says (frame + 1, 10·frame + 1).
    m.add(windows[0]!, windows[0]!.frames.flatMap((f) => [f, 10 * f]));
    m.add(windows[1]!, windows[1]!.frames.flatMap((f) => [f + 1, 10 * f + 1]));
    const face = Uint8Array.from([1, 1, 1, 1, 1, 0]);
    const out = Array.from(m.result(face));
    expect(out.slice(0, 6)).toEqual([0, 1, 2.5, 3.5, 5, NaN]);
    expect(out.slice(6, 12)).toEqual([0, 10, 20.5, 30.5, 41, NaN]);
  });

  it('ignores the padded positions of a short window', () => {
    const [w] = planWindows(2, 4, 1, 2);
    const m = new WindowMerger(2, 1);
    m.add(w!, [1, 2, 99, 99]);
    expect(Array.from(m.result())).toEqual([1, 2]);
  });
});
