// When each AU happens in the second demo generator: independent Poisson arrivals of episodes per
// AU, a co-occurrence matrix that lets one episode trigger others (with a lag), per-AU
// onset/apex/offset duration distributions, and speech bouts that drive AU25/26 syllable by
// syllable. Deliberately unlike the first generator's fixed expression templates.
import { gaussian, rng, uniform } from '../demo/rng';
import { GEN2_AUS, type Gen2Au } from './fields';

type Au = (typeof GEN2_AUS)[number];

/** Per AU: episodes a minute, mean onset / apex / offset (s), peak weights for levels 1–5. */
const PROCESS: Record<Au, { rate: number; on: number; apex: number; off: number; peak: number[] }> = {
  1: { rate: 1.6, on: 0.25, apex: 1.0, off: 0.45, peak: [2, 3, 3, 2, 1] },
  2: { rate: 1.2, on: 0.25, apex: 1.0, off: 0.45, peak: [2, 3, 3, 2, 1] },
  4: { rate: 1.6, on: 0.4, apex: 1.8, off: 0.7, peak: [3, 3, 2, 2, 1] },
  5: { rate: 1.4, on: 0.15, apex: 0.7, off: 0.3, peak: [2, 3, 2, 2, 1] },
  6: { rate: 1.0, on: 0.5, apex: 2.2, off: 0.9, peak: [3, 3, 2, 1, 1] },
  9: { rate: 1.2, on: 0.3, apex: 0.9, off: 0.5, peak: [2, 3, 3, 1, 1] },
  12: { rate: 1.8, on: 0.55, apex: 2.6, off: 1.0, peak: [2, 3, 3, 2, 2] },
  15: { rate: 1.0, on: 0.35, apex: 1.2, off: 0.6, peak: [3, 3, 2, 1, 1] },
  17: { rate: 1.2, on: 0.3, apex: 1.2, off: 0.5, peak: [3, 3, 2, 1, 1] },
  20: { rate: 1.8, on: 0.3, apex: 1.0, off: 0.5, peak: [3, 3, 2, 1, 1] },
  25: { rate: 1.0, on: 0.2, apex: 1.2, off: 0.4, peak: [2, 3, 3, 2, 1] },
  26: { rate: 0.6, on: 0.3, apex: 1.0, off: 0.5, peak: [2, 3, 2, 2, 1] },
};

/** Co-occurrence: an episode of the key AU starts one of AU b with probability p, at scale × its peak. */
const TRIGGERS: Partial<Record<Au, [Au, number, number][]>> = {
  1: [[2, 0.6, 0.8], [5, 0.2, 0.7], [4, 0.12, 0.6]],
  2: [[1, 0.7, 0.9], [5, 0.3, 0.8], [26, 0.2, 0.8]],
  4: [[9, 0.25, 0.7], [17, 0.3, 0.8], [15, 0.2, 0.7], [5, 0.1, 0.6]],
  5: [[1, 0.3, 0.8], [2, 0.3, 0.8], [26, 0.25, 0.8]],
  6: [[12, 0.75, 1], [25, 0.3, 0.7]],
  9: [[4, 0.5, 0.8], [17, 0.3, 0.7], [25, 0.2, 0.6]],
  12: [[6, 0.55, 0.8], [25, 0.45, 0.7], [26, 0.15, 0.6]],
  15: [[17, 0.6, 0.9], [4, 0.3, 0.7], [1, 0.2, 0.7]],
  17: [[15, 0.35, 0.8], [4, 0.2, 0.6]],
  20: [[25, 0.4, 0.8], [4, 0.2, 0.6], [26, 0.15, 0.7]],
  25: [[26, 0.35, 0.7], [12, 0.1, 0.7]],
  26: [[25, 0.95, 1]],
};

export interface Gen2Track {
  /** Continuous intensity 0–5 per AU per frame (what is rendered); 45 = blink. */
  continuous: Map<Gen2Au, Float32Array>;
  /** Ground truth: integer 0–5 per AU per frame (the continuous value rounded; < 0.5 is 0). */
  truth: Map<Au, Uint8Array>;
}

/** Gamma(shape 2) with the given mean: short durations common, long ones possible. */
const gamma2 = (r: () => number, mean: number) => (-Math.log(1 - r()) - Math.log(1 - r())) * (mean / 2);
const pick = (r: () => number, w: number[]) => {
  let x = r() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) if ((x -= w[i]!) < 0) return i;
  return w.length - 1;
};
const ease = (t: number) => t * t * (3 - 2 * t);

export function scheduleGen2(seed: number, frames: number, fps: number): Gen2Track {
  const r = rng(seed);
  const T = frames / fps;
  const continuous = new Map<Gen2Au, Float32Array>();
  for (const au of [...GEN2_AUS, 45 as const]) continuous.set(au, new Float32Array(frames));
  // One episode: rise (eased), apex with a slow wobble, exponential-looking decay.
  const episode = (au: Gen2Au, start: number, peak: number, on: number, apex: number, off: number) => {
    const lane = continuous.get(au)!;
    const wob = uniform(r, 0, 2 * Math.PI);
    const f0 = Math.max(0, Math.floor(start * fps)), f1 = Math.min(frames - 1, Math.ceil((start + on + apex + off) * fps));
    for (let f = f0; f <= f1; f++) {
      const t = f / fps - start;
      let e = 0;
      if (t < 0) continue;
      else if (t < on) e = ease(t / on);
      else if (t < on + apex) e = 1 + 0.12 * Math.sin(wob + 2 * Math.PI * 0.6 * (t - on));
      else if (t < on + apex + off) e = Math.pow(1 - (t - on - apex) / off, 2);
      lane[f] = Math.max(lane[f]!, Math.min(5, peak * e));
    }
  };
  for (const au of GEN2_AUS) {
    const p = PROCESS[au];
    for (let t = -r() * 2; ; ) {
      t += -Math.log(1 - r()) * (60 / p.rate);
      if (t > T) break;
      const peak = 1 + pick(r, p.peak) + uniform(r, -0.3, 0.45);
      const on = 0.08 + gamma2(r, p.on), apex = p.apex * Math.exp(0.5 * gaussian(r) - 0.125), off = 0.1 + gamma2(r, p.off);
      episode(au, t, peak, on, apex, off);
      for (const [b, prob, scale] of TRIGGERS[au] ?? []) {
        if (r() >= prob) continue;
        episode(b, t + uniform(r, -0.25, 0.6), Math.max(0.8, peak * scale * uniform(r, 0.8, 1.2)), 0.08 + gamma2(r, PROCESS[b].on), apex * uniform(r, 0.6, 1.3), 0.1 + gamma2(r, PROCESS[b].off));
      }
    }
  }
  // Speech: bouts of 1.5–5 s (about 4 a minute); each syllable opens the lips (and often the
  // jaw) for one cycle at 3.5–5.5 Hz; one syllable in five is a pause.
  const c25 = continuous.get(25)!, c26 = continuous.get(26)!;
  for (let t = r() * 5; ; ) {
    t += -Math.log(1 - r()) * 15;
    const len = uniform(r, 1.5, 5);
    if (t > T) break;
    for (let s = t; s < t + len; ) {
      const period = 1 / uniform(r, 3.5, 5.5);
      if (r() > 0.2) {
        const a25 = uniform(r, 0.8, 3.2), a26 = r() < 0.6 ? uniform(r, 0.5, 2.4) : 0;
        for (let f = Math.floor(s * fps); f <= Math.min(frames - 1, Math.ceil((s + period) * fps)); f++) {
          const x = Math.sin((Math.PI * (f / fps - s)) / period);
          if (x <= 0) continue;
          c25[f] = Math.max(c25[f]!, a25 * x * x);
          c26[f] = Math.max(c26[f]!, a26 * x * x);
        }
      }
      s += period;
    }
  }
  // Blinks (not scored): about 15 a minute, 0.2–0.35 s.
  const blink = continuous.get(45)!;
  for (let t = 0; ; ) {
    t += -Math.log(1 - r()) * 4;
    if (t > T) break;
    const d = uniform(r, 0.2, 0.35);
    for (let f = Math.floor(t * fps); f <= Math.min(frames - 1, Math.ceil((t + d) * fps)); f++) blink[f] = Math.max(blink[f]!, 5 * Math.sin((Math.PI * Math.max(0, f / fps - t)) / d));
  }
  const truth = new Map<Au, Uint8Array>();
  for (const au of GEN2_AUS) truth.set(au, Uint8Array.from(continuous.get(au)!, (x) => (x < 0.5 ? 0 : Math.min(5, Math.round(x)))));
  return { continuous, truth };
}
