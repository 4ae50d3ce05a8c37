import { describe, expect, it } from 'vitest';
import { apportion, jumpAt, percentiles, rankSuggestions, spreadPick, type SuggestVideo } from '../../../src/main/services/learn/backend/suggest';

/** One AU lane per function of the frame. */
function video(id: number, frameCount: number, lanes: ((f: number) => number)[], committee: ((f: number) => number)[] | null, taken: number[] = [], face = (_f: number) => true): SuggestVideo {
  const track = (fs: ((f: number) => number)[]) => {
    const out = new Float32Array(fs.length * frameCount);
    fs.forEach((fn, a) => {
      for (let f = 0; f < frameCount; f++) out[a * frameCount + f] = face(f) ? fn(f) : NaN;
    });
    return out;
  };
  const candidates = Uint8Array.from({ length: frameCount }, (_, f) => (face(f) && !taken.includes(f) ? 1 : 0));
  return { id, frameCount, candidates, taken, network: track(lanes), committee: committee ? track(committee) : null };
}

describe('suggestion ranking', () => {
  it('percentiles share the mean rank on ties and leave NaN at 0', () => {
    expect([...percentiles(Float64Array.from([3, 1, 1, NaN, 5]))]).toEqual([2 / 3, 1 / 6, 1 / 6, 0, 1]);
  });

  it('apportions a count in proportion, by largest remainder, summing to the count', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(7, [100, 300, 0])).toEqual([2, 5, 0]);
    expect(apportion(5, [0, 0])).toEqual([0, 0]);
  });

  it('keeps picks apart and away from taken frames, and relaxes the gap when the quota needs it', () => {
    // The best frames sit together at 50..54: with a gap of 10 only one of them is taken first.
    const ranked = [50, 51, 52, 53, 54, 10, 90, 30];
    expect(spreadPick(ranked, 3, [], 10).sort((a, b) => a - b)).toEqual([10, 50, 90]);
    expect(spreadPick(ranked, 2, [48], 10)).toEqual([10, 90]);
    // More than fits at the gap: it halves until all are placed, best first.
    expect(spreadPick([1, 2, 3, 4], 4, [], 8).sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
  });

  it('measures a jump as the larger step into or out of the frame', () => {
    const v = video(1, 5, [(f) => (f >= 3 ? 4 : 0)], null);
    expect(jumpAt(v, 1, 2)).toBe(4);
    expect(jumpAt(v, 1, 3)).toBe(4);
    expect(jumpAt(v, 1, 0)).toBe(0);
  });

  it('ranks where the committee disagrees and the track jumps first, never a taken or faceless frame', () => {
    const n = 200;
    // The network and the committee agree except around frame 120; the track steps at 40.
    const v = video(
      7,
      n,
      [(f) => (f >= 40 ? 2 : 0), () => 1],
      [(f) => (f >= 40 ? 2 : 0) + (Math.abs(f - 120) < 3 ? 3 : 0), () => 1],
      [0, 100],
      (f) => f % 50 !== 49,
    );
    const out = rankSuggestions([v], 2, 4).get(7)!;
    expect(out).toHaveLength(4);
    const frames = out.map((s) => s.frame);
    expect(frames.some((f) => Math.abs(f - 120) < 3)).toBe(true);
    expect(frames.some((f) => f === 39 || f === 40)).toBe(true);
    for (const f of frames) {
      expect(f % 50).not.toBe(49);
      expect([0, 100]).not.toContain(f);
    }
    // Best first.
    for (let i = 1; i < out.length; i++) expect(out[i]!.score).toBeLessThanOrEqual(out[i - 1]!.score);
  });

  it('spreads the count over the videos by their candidate frames and ranks by jumps alone without a committee', () => {
    const a = video(1, 300, [(f) => Math.sin(f / 3)], null);
    const b = video(2, 100, [(f) => Math.sin(f / 3)], null);
    const out = rankSuggestions([a, b], 1, 8);
    expect(out.get(1)).toHaveLength(6);
    expect(out.get(2)).toHaveLength(2);
    // No two suggestions of a video within the even-spread half gap (300 / (2 · 6) = 25 frames).
    const fa = out.get(1)!.map((s) => s.frame).sort((x, y) => x - y);
    for (let i = 1; i < fa.length; i++) expect(fa[i]! - fa[i - 1]!).toBeGreaterThanOrEqual(25);
    expect(Number.isNaN(out.get(1)![0]!.disagreement)).toBe(true);
  });
});
