// The page bench:lanes loads in Chromium: 12 lanes × 90,000 frames drawn by the Review view's own
// canvas code (laneDraw.ts) and by uPlot (one instance per lane, the way uPlot is meant to be
// used), on the same data. Each step resolves after the frame it drew has been presented.
import uPlot from 'uplot';
import { drawLane, fit } from '../../src/renderer/src/views/Review/laneDraw';

const FRAMES = 90_000;
const LANES = 12;
const WIDTH = 1200;
const HEIGHT = 40;
const COLOR = '#5b9cff';

/** A deterministic, smooth-ish intensity track (0–5) with 1 % no-face gaps, and 2 % labelled frames. */
function makeData(seed: number) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lanes: Float32Array[] = [];
  for (let l = 0; l < LANES; l++) {
    const v = new Float32Array(FRAMES);
    let x = 0;
    for (let f = 0; f < FRAMES; f++) {
      x += (rnd() - 0.5) * 0.3 - x * 0.01;
      v[f] = Math.max(0, Math.min(5, 1.5 + 1.2 * Math.sin(f / (200 + 37 * l)) + x));
    }
    for (let g = 0; g < 9; g++) {
      const at = Math.floor(rnd() * (FRAMES - 100));
      v.fill(Number.NaN, at, at + 100);
    }
    lanes.push(v);
  }
  const labels = new Map<number, Map<number, number>>();
  for (let i = 0; i < FRAMES * 0.02; i++) {
    const f = Math.floor(rnd() * FRAMES);
    const row = new Map<number, number>();
    for (let l = 0; l < LANES; l++) row.set(l, Math.round(lanes[l]![f]! || 0));
    labels.set(f, row);
  }
  return { lanes, labels };
}

const data = makeData(7);
const root = document.getElementById('root')!;
const presented = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

interface Variant {
  init(): void;
  range(start: number, end: number): void;
  destroy(): void;
}

function canvasLanes(noLabels = false): Variant {
  let canvases: HTMLCanvasElement[] = [];
  const draw = (start: number, end: number) => {
    canvases.forEach((c, l) => {
      // As Lanes.tsx does per AU: size for the device pixel ratio and clear, then draw.
      const ctx = fit(c)!;
      drawLane(ctx, { width: WIDTH, height: HEIGHT, range: [start, end], tracks: [{ values: data.lanes[l], color: COLOR, area: true }], labels: noLabels ? new Map() : data.labels, au: l, highlightFrame: null });
    });
  };
  return {
    init() {
      canvases = Array.from({ length: LANES }, () => {
        const c = document.createElement('canvas');
        c.style.cssText = `display:block;width:${WIDTH}px;height:${HEIGHT}px`;
        root.appendChild(c);
        return c;
      });
      draw(0, FRAMES);
    },
    range: draw,
    destroy() {
      root.replaceChildren();
      canvases = [];
    },
  };
}

function uplotLanes(): Variant {
  let plots: uPlot[] = [];
  const xs = Float64Array.from({ length: FRAMES }, (_, i) => i);
  return {
    init() {
      plots = data.lanes.map((lane, l) => {
        const ys = Array.from(lane, (v) => (v === v ? v : null));
        const marks: (number | null)[] = new Array<number | null>(FRAMES).fill(null);
        for (const [f, row] of data.labels) marks[f] = row.get(l) ?? null;
        const el = document.createElement('div');
        root.appendChild(el);
        return new uPlot(
          {
            width: WIDTH,
            height: HEIGHT,
            legend: { show: false },
            cursor: { show: false },
            scales: { x: { time: false }, y: { range: [0, 5] } },
            axes: [{ show: false }, { show: false }],
            series: [{}, { stroke: COLOR, fill: 'rgba(91,156,255,0.2)', width: 1, points: { show: false } }, { stroke: '#ffffff', paths: () => null, points: { show: true, size: 5, fill: '#ffffff' } }],
          },
          [xs as unknown as number[], ys, marks],
          el,
        );
      });
    },
    range(start, end) {
      for (const u of plots) u.setScale('x', { min: start, max: end - 1 });
    },
    destroy() {
      for (const u of plots) u.destroy();
      root.replaceChildren();
      plots = [];
    },
  };
}

const variants: Record<string, () => Variant> = { canvas: canvasLanes, uplot: uplotLanes, nolab: () => canvasLanes(true) };

/** One pass: create + first draw, then twice: zoom in to 10 s, out to the hour, a 10-min window panned by a tenth. */
async function pass(name: string): Promise<Record<string, number>> {
  const v = variants[name]!();
  const out: Record<string, number> = {};
  const step = async (key: string, run: () => void) => {
    const t0 = performance.now();
    run();
    out[`${key}Js`] = performance.now() - t0;
    await presented();
    out[key] = performance.now() - t0;
  };
  await step('init', () => v.init());
  // Twice: the second round is what a user zooming back and forth gets (first-use costs paid).
  for (const round of ['cold', 'warm']) {
    await step(`zoomIn${round}`, () => v.range(45_000, 45_250));
    await step(`zoomOut${round}`, () => v.range(0, FRAMES));
    v.range(30_000, 45_000);
    await presented();
    await step(`pan${round}`, () => v.range(31_500, 46_500));
  }
  const mem = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  out.heapMB = mem ? mem.usedJSHeapSize / 2 ** 20 : Number.NaN;
  v.destroy();
  await presented();
  return out;
}

(window as unknown as { benchLanes: typeof pass }).benchLanes = pass;
// For a look at what is measured: a variant's lanes left on the page over the whole hour.
(window as unknown as { showLanes: (name: string) => Promise<void> }).showLanes = async (name) => {
  variants[name]!().init();
  await presented();
};
document.title = 'ready';
