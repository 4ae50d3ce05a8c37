import { describe, expect, it } from 'vitest';
import { fixed } from '../../../src/shared/numbers';

describe('fixed (numbers in tables)', () => {
  it('never prints -0.00: a value that rounds to zero is 0', () => {
    expect(fixed(-0.001)).toBe('0.00');
    expect(fixed(-0)).toBe('0.00');
    expect(fixed(-0.0004, 3)).toBe('0.000');
    expect(fixed(-0.4, 0)).toBe('0');
    expect(fixed(-0.005 - 1e-9)).toBe('-0.01');
    expect(fixed(-0.25)).toBe('-0.25');
    expect(fixed(0.126)).toBe('0.13');
  });
  it('prints – where there is no number', () => {
    for (const v of [null, undefined, NaN, Infinity, -Infinity]) expect(fixed(v)).toBe('–');
  });
});
