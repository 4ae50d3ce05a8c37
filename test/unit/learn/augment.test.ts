import { describe, expect, it } from 'vitest';
import { augmentFrame, drawAugment, IDENTITY_AUGMENT, type ClipAugment } from '../../../src/main/services/learn/augment';
import { Rng } from '../../../src/shared/rng';

const S = 16;
/** A face-like gradient with a bright spot: enough structure for a warp or blur to change it. */
const face = Uint8Array.from({ length: S * S }, (_, i) => 60 + ((i % S) * 5 + Math.floor(i / S) * 3) + (i === 5 * S + 7 ? 80 : 0));

function input(frame: Uint8Array, p: ClipAugment, reference?: Uint8Array): Float32Array {
  const out = new Float32Array(S * S);
  augmentFrame(frame, S, p, new Rng(1), out, 0, undefined, reference ? { reference } : {});
  return out;
}

describe('augmentFrame with a reference face', () => {
  it('gives exactly zero for a frame equal to its reference, whatever the geometry, blur, contrast and brightness', () => {
    const rng = new Rng(4);
    for (let k = 0; k < 20; k++) {
      const p = { ...drawAugment({ scale: 0.12, shift: 0.08, rotate: 8, brightness: 0.25, contrast: 0.3, blurProb: 0.5, blurSigma: 1.2, noise: 0, flipProb: 0 }, S, rng), noise: 0 };
      const x = input(face, p, face);
      for (const v of x) expect(Math.abs(v)).toBeLessThan(1e-5);
    }
  });

  it('scales the expression residual by the contrast and ignores the brightness', () => {
    const moved = Uint8Array.from(face, (v, i) => (i >= 9 * S && i < 11 * S ? v + 20 : v));
    const plain = input(moved, IDENTITY_AUGMENT, face);
    const p: ClipAugment = { ...IDENTITY_AUGMENT, contrast: 1.25, brightness: 0.1 };
    const toned = input(moved, p, face);
    for (let i = 0; i < S * S; i++) expect(toned[i]).toBeCloseTo(1.25 * plain[i]!, 4);
    expect(plain[10 * S]).toBeCloseTo(20 / 255 / 0.25, 4);
  });

  it('adds sensor noise to the frame only', () => {
    const x = input(face, { ...IDENTITY_AUGMENT, noise: 0.05 }, face);
    const rms = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    expect(rms).toBeGreaterThan(0.1);
    expect(rms).toBeLessThan(0.3);
  });
});
