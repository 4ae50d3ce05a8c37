// The timeline ruler (Label view; Review's lanes use the same ticks): labels from integer ms,
// at the zooms the Label view offers, for the frame rates labs record at.
import { describe, expect, it } from 'vitest';
import { frameAtTime, rulerFor, rulerLabel, rulerTicks } from '../../../src/renderer/src/views/Label/ruler';
import { formatTime } from '../../../src/renderer/src/views/Label/format';

const WIDTH = 1100; // the wave's width at 1440 px
const FPS = [25, 30000 / 1001, 30, 60];

/** The zooms the view steps through: fit, then ×1.6 per Zoom in, up to its maximum of 24 px per frame. */
function zooms(duration: number, fps: number): number[] {
  const out = [WIDTH / duration];
  while (out[out.length - 1]! * 1.6 <= fps * 24) out.push(out[out.length - 1]! * 1.6);
  return out;
}

function secondsOf(label: string): number {
  const tenths = /^(\d+)\.(\d) s$/.exec(label);
  if (tenths) return Number(tenths[1]) + Number(tenths[2]) / 10;
  const parts = label.replace(/\.(\d)$/, '').split(':').map(Number);
  const frac = /\.(\d)$/.exec(label);
  return parts.reduce((acc, p) => acc * 60 + p, 0) + (frac ? Number(frac[1]) / 10 : 0);
}

describe('ruler labels', () => {
  it('on a 20-s clip fitted to the view: 0:00 0:02 0:04 … (the floored float sums printed 0:00 0:01 0:04 0:06 0:08 0:09)', () => {
    const labels = rulerTicks(0, 20, WIDTH, 20).flatMap((t) => (t.label ? [t.label] : []));
    expect(labels).toEqual(['0:00', '0:02', '0:04', '0:06', '0:08', '0:10', '0:12', '0:14', '0:16', '0:18', '0:20']);
  });

  it('after one Zoom in on a demo video, and scrolled to an odd start', () => {
    const span = 20 / 1.6; // 12.5 s visible
    const labels = rulerTicks(3.3, span, WIDTH, 30).flatMap((t) => (t.label ? [t.label] : []));
    expect(labels).toEqual(['0:04', '0:06', '0:08', '0:10', '0:12', '0:14']);
  });

  for (const fps of FPS) {
    it(`at ${fps.toFixed(2)} fps, at every zoom and scroll: every label is a whole multiple of its spacing, evenly spaced, at the x of its time, and seeks to the frame holding that time`, () => {
      const frameCount = Math.round(20.02 * fps); // a 20-s clip
      const duration = frameCount / fps;
      for (const pxPerSec of zooms(duration, fps)) {
        const span = WIDTH / pxPerSec;
        const { tickMs, labelMs } = rulerFor(pxPerSec);
        expect(labelMs % tickMs).toBe(0);
        expect((tickMs / 1000) * pxPerSec).toBeGreaterThanOrEqual(10);
        expect((labelMs / 1000) * pxPerSec).toBeGreaterThanOrEqual(90);
        for (const start of [0, 0.1, 1 / 3, 7.77, Math.max(0, duration - span)]) {
          const ticks = rulerTicks(start, span, WIDTH, duration);
          const labelled = ticks.filter((t) => t.label !== null);
          expect(labelled.length).toBeGreaterThan(0);
          for (const t of ticks) {
            expect(Number.isInteger(t.ms)).toBe(true);
            expect(t.ms % tickMs).toBe(0);
            expect(t.ms / 1000).toBeGreaterThanOrEqual(start - 1e-9);
            expect(t.ms / 1000).toBeLessThanOrEqual(Math.min(duration, start + span) + 1e-9);
            expect(t.x).toBeCloseTo((t.ms / 1000 - start) * pxPerSec, 6);
          }
          for (const [i, t] of labelled.entries()) {
            expect(t.ms % labelMs).toBe(0);
            // The printed time is the tick's time, to the label's precision.
            expect(secondsOf(t.label!)).toBeCloseTo(t.ms / 1000, 6);
            if (i > 0) expect(t.ms - labelled[i - 1]!.ms).toBe(labelMs);
            // A click there shows the frame whose span holds that instant (its start ≤ the label's time < its end).
            const f = frameAtTime(t.ms / 1000, fps, frameCount);
            if (t.ms / 1000 < duration - 1e-9) {
              expect(f / fps).toBeLessThanOrEqual(t.ms / 1000 + 1e-9);
              expect((f + 1) / fps).toBeGreaterThan(t.ms / 1000);
            }
          }
        }
      }
    });
  }

  it('a click at 0:02 on a 25-fps video shows 0:02.00 (frame 50), even when the click time is a hair under 2 s', () => {
    expect(frameAtTime(2, 25, 500)).toBe(50);
    expect(frameAtTime(2 - 1e-12, 25, 500)).toBe(50);
    expect(formatTime(frameAtTime(2, 25, 500) / 25, true)).toBe('0:02.00');
    expect(frameAtTime(2, 30000 / 1001, 600)).toBe(59); // frame 59 runs from 1.969 s to 2.002 s
    expect(frameAtTime(99, 25, 500)).toBe(499);
  });

  it('prints tenths under a second apart, minutes and hours otherwise', () => {
    expect(rulerLabel(2400, 200)).toBe('2.4 s');
    expect(rulerLabel(62_400, 200)).toBe('1:02.4');
    expect(rulerLabel(0, 100)).toBe('0.0 s');
    expect(rulerLabel(75_000, 5000)).toBe('1:15');
    expect(rulerLabel(3_725_000, 5000)).toBe('1:02:05');
    // 0.1 s ticks summed as floats drift (0.1 × 3 = 0.30000000000000004); k × 100 ms does not.
    const labels = rulerTicks(0, 1, 1000).flatMap((t) => (t.label ? [t.label] : []));
    expect(labels).toEqual(['0.0 s', '0.1 s', '0.2 s', '0.3 s', '0.4 s', '0.5 s', '0.6 s', '0.7 s', '0.8 s', '0.9 s', '1.0 s']);
  });
});
