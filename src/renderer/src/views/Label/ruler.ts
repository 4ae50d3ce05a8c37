/**
 * The time ruler of the Label timeline and the Review lanes, in integer milliseconds: each tick
 * is k × the tick spacing, so a label is never a floored float sum (1.9999… s printed as "0:01").
 */

/** Tick and label spacings, ms. */
const NICE_MS = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];

/** Ruler spacing for a zoom level, ms: a notch every ≥ 10 px, a time label every ≥ 90 px, on a notch. */
export function rulerFor(pxPerSec: number): { tickMs: number; labelMs: number } {
  const tickMs = NICE_MS.find((ms) => (ms / 1000) * pxPerSec >= 10) ?? 3_600_000;
  const labelMs = NICE_MS.find((ms) => (ms / 1000) * pxPerSec >= 90 && ms % tickMs === 0) ?? 3_600_000;
  return { tickMs, labelMs };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A label at `ms` (a multiple of labelMs): "0:04", "1:02:05", or tenths when labels are under a second apart ("2.4 s", "1:02.4"). */
export function rulerLabel(ms: number, labelMs: number): string {
  if (labelMs < 1000) {
    const tenths = Math.round(ms / 100);
    const sec = Math.floor(tenths / 10);
    const frac = tenths % 10;
    return sec < 60 ? `${sec}.${frac} s` : `${Math.floor(sec / 60)}:${pad2(sec % 60)}.${frac}`;
  }
  const sec = Math.round(ms / 1000);
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return h ? `${h}:${pad2(m)}:${pad2(sec % 60)}` : `${m}:${pad2(sec % 60)}`;
}

export interface RulerTick {
  /** The tick's time, an integer number of ms. */
  ms: number;
  /** Its x in the visible window, px. */
  x: number;
  /** The time printed at it, or null for a plain notch. */
  label: string | null;
}

/**
 * The ticks in a window that shows `spanSec` seconds from `startSec` in `widthPx` pixels, up to
 * `endSec` (the video's end).
 */
export function rulerTicks(startSec: number, spanSec: number, widthPx: number, endSec = Infinity): RulerTick[] {
  if (!(spanSec > 0) || !(widthPx > 0)) return [];
  const { tickMs, labelMs } = rulerFor(widthPx / spanSec);
  const startMs = startSec * 1000;
  const lastMs = Math.min(endSec, startSec + spanSec) * 1000;
  const ticks: RulerTick[] = [];
  // (+ 0: a start a hair under 0 would make k −0, and ms −0)
  for (let k = Math.ceil(startMs / tickMs - 1e-9) + 0; k * tickMs <= lastMs + 1e-6; k++) {
    const ms = k * tickMs;
    ticks.push({ ms, x: ((ms - startMs) / 1000 / spanSec) * widthPx, label: ms % labelMs === 0 ? rulerLabel(ms, labelMs) : null });
  }
  return ticks;
}

/** The frame on screen at `sec` (a click's time): the frame whose span holds it, without flooring 50 − 1e-12 to 49. */
export function frameAtTime(sec: number, fps: number, frameCount: number): number {
  return Math.max(0, Math.min(frameCount - 1, Math.floor(sec * fps + 1e-6)));
}
