// The Review lanes' reduction: what each pixel column of a lane shows.
import { describe, expect, it } from 'vitest';
import { decimate } from '../../../src/renderer/src/views/Review/laneDraw';

describe('decimate', () => {
  it('gives each column the min and max of the frames it covers, and NaN where none has a face', () => {
    const v = Float32Array.from([0, 5, 1, 2, NaN, NaN, 3, 3.5]);
    const { min, max } = decimate(v, 0, 8, 4);
    expect(Array.from(min)).toEqual([0, 1, NaN, 3]);
    expect(Array.from(max)).toEqual([5, 2, NaN, 3.5]);
  });

  it('repeats a frame over the columns it spans when zoomed in past one frame per pixel', () => {
    const v = Float32Array.from([1, 2, 3, 4, 5]);
    const { min, max } = decimate(v, 1, 3, 6);
    expect(Array.from(min)).toEqual([2, 2, 2, 3, 3, 3]);
    expect(Array.from(max)).toEqual([2, 2, 2, 3, 3, 3]);
  });

  it('keeps a one-frame spike visible in a whole-hour view', () => {
    const v = new Float32Array(90_000).fill(0.5);
    v[45_123] = 4.5;
    const { min, max } = decimate(v, 0, v.length, 1200);
    expect(Math.max(...max)).toBe(4.5);
    expect(Math.min(...min)).toBe(0.5);
    expect(max.filter((x) => x === 4.5).length).toBe(1);
  });
});
