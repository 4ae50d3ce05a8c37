// How each DISFA action unit moves the 68 landmarks, and a sparse onset–apex–offset schedule of
// AU events. Displacements are in units of the inter-ocular distance (IOD), along the face's own
// axes (x: from the image-left eye to the image-right eye, y: down the face), at intensity 5.
import { gaussian, rng, uniform } from './rng';

export const DISFA_AUS = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26] as const;
export type Au = (typeof DISFA_AUS)[number];

export const AU_NAMES: Record<Au, string> = {
  1: 'Inner brow raiser',
  2: 'Outer brow raiser',
  4: 'Brow lowerer',
  5: 'Upper lid raiser',
  6: 'Cheek raiser',
  9: 'Nose wrinkler',
  12: 'Lip corner puller',
  15: 'Lip corner depressor',
  17: 'Chin raiser',
  20: 'Lip stretcher',
  25: 'Lips part',
  26: 'Jaw drop',
};

/** iBUG-68 left/right mirror partner of each point. */
export const MIRROR: number[] = (() => {
  const m = new Array<number>(68);
  for (let i = 0; i < 17; i++) m[i] = 16 - i;
  for (let i = 17; i < 27; i++) m[i] = 43 - i;
  for (const i of [27, 28, 29, 30, 33, 51, 57, 62, 66]) m[i] = i;
  const pairs = [[31, 35], [32, 34], [36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46], [48, 54], [49, 53], [50, 52], [55, 59], [56, 58], [60, 64], [61, 63], [65, 67]];
  for (const [a, b] of pairs) {
    m[a!] = b!;
    m[b!] = a!;
  }
  return m;
})();

type Move = [point: number, dx: number, dy: number];

/** A move on the image-left half plus its mirror image (dx flips sign); midline points once. */
function sym(...moves: Move[]): Move[] {
  const out: Move[] = [];
  for (const [i, dx, dy] of moves) {
    out.push([i, dx, dy]);
    if (MIRROR[i] !== i) out.push([MIRROR[i]!, -dx, dy]);
  }
  return out;
}

export const AU_MOVES: Record<Au, Move[]> = {
  1: sym([21, 0.01, -0.17], [20, 0, -0.12], [19, 0, -0.06], [18, 0, -0.02]),
  2: sym([17, 0, -0.15], [18, 0, -0.15], [19, 0, -0.1], [20, 0, -0.05], [21, 0, -0.01]),
  4: sym([21, 0.07, 0.09], [20, 0.05, 0.09], [19, 0.03, 0.07], [18, 0.01, 0.04], [17, 0, 0.02], [37, 0, 0.02], [38, 0, 0.025]),
  5: sym([37, 0, -0.055], [38, 0, -0.055], [36, 0, -0.01], [39, 0, -0.005]),
  6: sym([40, 0, -0.035], [41, 0, -0.035], [36, 0, -0.012], [37, 0, 0.01], [38, 0, 0.008], [1, 0.01, -0.04], [2, 0.01, -0.05], [3, 0.01, -0.03], [31, 0, -0.015]),
  9: sym([31, 0, -0.07], [32, 0, -0.06], [33, 0, -0.055], [30, 0, -0.03], [29, 0, -0.02], [21, 0.02, 0.05], [20, 0.01, 0.03], [49, 0, -0.05], [50, 0, -0.06], [51, 0, -0.06], [61, 0, -0.04], [62, 0, -0.045], [40, 0, -0.015], [41, 0, -0.015]),
  12: sym([48, -0.13, -0.1], [60, -0.11, -0.08], [49, -0.05, -0.05], [59, -0.06, -0.05], [50, -0.015, -0.02], [58, -0.02, -0.025], [61, -0.03, -0.03], [67, -0.03, -0.03], [3, -0.01, -0.015], [4, -0.01, -0.01]),
  15: sym([48, 0.02, 0.1], [60, 0.015, 0.08], [49, 0.01, 0.03], [59, 0.01, 0.06], [58, 0, 0.03], [61, 0, 0.02], [67, 0, 0.03], [6, 0, 0.01]),
  17: sym([59, 0, -0.04], [58, 0, -0.06], [57, 0, -0.065], [67, 0, -0.04], [66, 0, -0.045], [61, 0, -0.03], [62, 0, -0.035], [50, 0, -0.02], [51, 0, -0.02], [8, 0, -0.07], [7, 0, -0.06], [6, 0, -0.035], [5, 0, -0.01], [48, 0, 0.02]),
  20: sym([48, -0.12, 0.025], [60, -0.1, 0.02], [49, -0.05, 0], [59, -0.05, 0.01], [50, -0.02, 0], [58, -0.02, 0], [61, -0.03, 0], [67, -0.03, 0], [5, -0.01, 0]),
  25: sym([61, 0, -0.02], [62, 0, -0.025], [67, 0, 0.07], [66, 0, 0.08], [59, 0, 0.05], [58, 0, 0.06], [57, 0, 0.065], [60, 0, 0.01], [55, 0, 0.05]),
  26: sym([8, 0, 0.24], [7, 0, 0.22], [6, 0, 0.17], [5, 0, 0.11], [4, 0, 0.06], [3, 0, 0.02], [57, 0, 0.2], [58, 0, 0.19], [59, 0, 0.15], [66, 0, 0.19], [67, 0, 0.17], [48, 0.01, 0.08], [60, 0.01, 0.08]),
};

// sym() mirrors 55 onto 59 etc.; a few midline-adjacent points were listed from both sides, so
// collapse duplicates by keeping the last entry per point.
for (const au of DISFA_AUS) {
  const seen = new Map<number, Move>();
  for (const m of AU_MOVES[au]) seen.set(m[0], m);
  AU_MOVES[au] = [...seen.values()];
}

/** Face-aligned axes and scale from landmarks: eye centres define x and the IOD. */
export function faceFrame(lm: ArrayLike<number>): { ex: [number, number]; ey: [number, number]; iod: number } {
  let lx = 0, ly = 0, rx = 0, ry = 0;
  for (let i = 36; i < 42; i++) {
    lx += lm[2 * i]! / 6;
    ly += lm[2 * i + 1]! / 6;
    rx += lm[2 * (i + 6)]! / 6;
    ry += lm[2 * (i + 6) + 1]! / 6;
  }
  const iod = Math.hypot(rx - lx, ry - ly);
  const ex: [number, number] = [(rx - lx) / iod, (ry - ly) / iod];
  return { ex, ey: [-ex[1], ex[0]], iod };
}

/** Neutral landmarks displaced by the given continuous AU intensities (0..5) plus an eye closure 0..1. */
export function deform(neutral: Float32Array, intensity: Partial<Record<Au, number>>, blink: number, out: Float32Array): Float32Array {
  out.set(neutral);
  const { ex, ey, iod } = faceFrame(neutral);
  for (const au of DISFA_AUS) {
    const c = intensity[au] ?? 0;
    if (c <= 0) continue;
    const k = (c / 5) * iod;
    for (const [i, dx, dy] of AU_MOVES[au]) {
      out[2 * i] = out[2 * i]! + k * (dx * ex[0] + dy * ey[0]);
      out[2 * i + 1] = out[2 * i + 1]! + k * (dx * ex[1] + dy * ey[1]);
    }
  }
  if (blink > 0) {
    // Upper lid travels most of the way to the (current) lower lid.
    for (const [up, low] of [[37, 41], [38, 40], [43, 47], [44, 46]] as const) {
      out[2 * up] = out[2 * up]! + blink * 0.9 * (out[2 * low]! - out[2 * up]!);
      out[2 * up + 1] = out[2 * up + 1]! + blink * 0.9 * (out[2 * low + 1]! - out[2 * up + 1]!);
    }
  }
  return out;
}

interface Template {
  /** [au, level relative to the event's level, probability the AU takes part] */
  parts: [Au, number, number][];
  weight: number;
}

// Co-occurrence as in spontaneous data: smiles (6+12, often 25), surprise (1+2+5, 25/26),
// sadness (1+4+15, 17), disgust (9 with 4), plus isolated AUs.
const TEMPLATES: Template[] = [
  { parts: [[6, 0.8, 0.9], [12, 1, 1], [25, 0.6, 0.4]], weight: 4 },
  { parts: [[1, 1, 1], [2, 0.9, 1], [5, 0.7, 0.6], [25, 0.7, 0.4], [26, 0.6, 0.3]], weight: 2 },
  { parts: [[1, 1, 1], [2, 0.9, 1]], weight: 2 },
  { parts: [[4, 1, 1]], weight: 2 },
  { parts: [[9, 1, 1], [4, 0.6, 0.4], [17, 0.5, 0.3]], weight: 1.2 },
  { parts: [[1, 0.7, 0.8], [4, 0.8, 1], [15, 1, 1], [17, 0.7, 0.5]], weight: 1.5 },
  { parts: [[17, 1, 1], [15, 0.6, 0.3]], weight: 1.2 },
  { parts: [[20, 1, 1], [25, 0.5, 0.4]], weight: 1.2 },
  { parts: [[25, 1, 1], [26, 0.8, 0.6]], weight: 2 },
  { parts: [[5, 1, 1]], weight: 0.8 },
  { parts: [[12, 1, 1]], weight: 1 },
  { parts: [[6, 1, 1]], weight: 0.5 },
];

interface Envelope {
  au: Au;
  start: number;
  onset: number;
  apex: number;
  offset: number;
  peak: number;
  wobble: number;
}

export interface AuTrack {
  /** Continuous intensity 0..5 per frame, per AU (what the animation shows). */
  continuous: Record<Au, Float32Array>;
  /** Ground truth: the continuous value rounded to the FACS integer scale 0..5. */
  truth: Record<Au, Uint8Array>;
  /** Blink closure 0..1 per frame (not an AU in the DISFA set; a realistic distractor). */
  blink: Float32Array;
}

function shuffled<T>(xs: T[], r: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const smooth = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));

/** Sparse events: most frames neutral; each event ramps up, holds and relaxes. */
export function scheduleAus(seed: number, frames: number, fps: number): AuTrack {
  const r = rng(seed);
  const seconds = frames / fps;
  const envs: Envelope[] = [];
  const totalW = TEMPLATES.reduce((s, t) => s + t.weight, 0);
  let t = uniform(r, 0.8, 2.5);
  let events = 0;
  let deck: Template[] = [];
  while (t < seconds - 1) {
    // Alternate a weighted draw (common expressions more often) with a shuffled deck of all
    // templates, so even a short video shows the rare AUs rather than leaving it to chance.
    let tpl: Template;
    if (events++ % 2 === 0) {
      let pick = r() * totalW;
      tpl = TEMPLATES.find((x) => (pick -= x.weight) < 0) ?? TEMPLATES[0]!;
    } else {
      if (deck.length === 0) deck = shuffled(TEMPLATES, r);
      tpl = deck.pop()!;
    }
    // Low intensities dominate in spontaneous data, so skew the event level downwards.
    const level = 0.8 + 4.4 * Math.pow(r(), 1.4);
    const onset = uniform(r, 0.25, 0.8);
    const apex = uniform(r, 0.5, 2.8);
    const offset = uniform(r, 0.3, 1.1);
    let took = 0;
    for (const [au, rel, p] of tpl.parts) {
      if (r() > p && took > 0) continue;
      took++;
      const peak = Math.max(0.6, Math.min(5.2, level * rel + 0.35 * gaussian(r)));
      envs.push({ au, start: t + uniform(r, 0, 0.2), onset: onset * uniform(r, 0.8, 1.2), apex, offset: offset * uniform(r, 0.8, 1.2), peak, wobble: uniform(r, 0, 2 * Math.PI) });
    }
    t += onset + apex + offset + 0.2 + Math.max(0.4, -Math.log(1 - r()) * 2.2);
  }
  const continuous = {} as Record<Au, Float32Array>;
  const truth = {} as Record<Au, Uint8Array>;
  for (const au of DISFA_AUS) {
    continuous[au] = new Float32Array(frames);
    truth[au] = new Uint8Array(frames);
  }
  for (const e of envs) {
    const c = continuous[e.au];
    const f0 = Math.max(0, Math.floor(e.start * fps));
    const f1 = Math.min(frames - 1, Math.ceil((e.start + e.onset + e.apex + e.offset) * fps));
    for (let f = f0; f <= f1; f++) {
      const s = f / fps - e.start;
      let v: number;
      if (s < e.onset) v = smooth(s / e.onset);
      else if (s < e.onset + e.apex) v = 1 + 0.06 * Math.sin(2 * Math.PI * 0.7 * s + e.wobble);
      else v = 1 - smooth((s - e.onset - e.apex) / e.offset);
      c[f] = Math.max(c[f]!, Math.min(5, Math.max(0, v * e.peak)));
    }
  }
  for (const au of DISFA_AUS) for (let f = 0; f < frames; f++) truth[au][f] = Math.round(continuous[au][f]!);
  const blink = new Float32Array(frames);
  let b = uniform(r, 0.5, 3);
  while (b < seconds) {
    const f0 = Math.floor(b * fps);
    // ~100 ms closing, ~150 ms opening
    for (let k = 0; k < 8 && f0 + k < frames; k++) blink[f0 + k] = k < 3 ? (k + 1) / 3 : Math.max(0, 1 - (k - 2) / 5);
    b += uniform(r, 2, 6);
  }
  return { continuous, truth, blink };
}
