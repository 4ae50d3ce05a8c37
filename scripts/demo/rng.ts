// Seeded randomness so the demo data (and so any benchmark on it) is reproducible.

/** murmur3's finaliser: spreads nearby seeds (1, 2, 3…) far apart. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32 on a mixed seed: raw small seeds give correlated first draws. */
export function rng(seed: number): () => number {
  let a = fmix32((seed ^ 0x9e3779b9) >>> 0);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

export function uniform(r: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * r();
}

/** Derives independent streams (per video, per purpose) from one seed. */
export function subSeed(seed: number, ...keys: number[]): number {
  let h = fmix32(seed >>> 0);
  for (const k of keys) h = fmix32((h ^ fmix32((k + 0x632be5ab) >>> 0)) >>> 0);
  return h;
}

/** Smooth 1-D noise: a few sinusoids of random low frequency and phase. */
export function smoothNoise(r: () => number, maxHz: number, terms = 3): (t: number) => number {
  const parts = Array.from({ length: terms }, () => ({ f: uniform(r, maxHz / 6, maxHz), p: uniform(r, 0, 2 * Math.PI), a: uniform(r, 0.5, 1) }));
  const norm = parts.reduce((s, q) => s + q.a, 0);
  return (t) => parts.reduce((s, q) => s + q.a * Math.sin(2 * Math.PI * q.f * t + q.p), 0) / norm;
}
