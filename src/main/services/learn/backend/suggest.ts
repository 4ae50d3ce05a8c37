/**
 * Which unlabelled frames a label would teach the most: the ranking behind *Suggest frames*.
 * No TensorFlow.js and no SQLite: the job (suggestJob.ts) hands in the tracks it read.
 *
 * Two signals per frame, each turned into a percentile over all candidate frames so neither
 * dominates by scale, then averaged:
 * - disagreement: how far the network and a second, different model (the HOG + geometry ridge
 *   baseline, fit on the same labels) are apart, mean |Δ| over the AUs — query by committee
 *   with two learners that fail in different ways;
 * - jump: how suddenly the network's track changes at the frame (DeepLabCut's "jump"
 *   criterion for outlier frames), the larger of the steps to the previous and the next frame.
 * Diversity: each video gets a share of the suggestions proportional to its candidate frames,
 * and within a video the picks keep a minimum distance from each other and from frames already
 * sampled or labelled, so they do not cluster in one second of one video. The distance starts
 * at half the spacing an even spread would have and halves until the video's share is filled.
 */
import { lowerBound } from '../../../../shared/sorted';

export interface SuggestVideo {
  id: number;
  frameCount: number;
  /** 1 where a frame may be suggested: a face, not sampled, not labelled. */
  candidates: Uint8Array;
  /** Frames already sampled or labelled (the suggestions keep their distance from them too). */
  taken: readonly number[];
  /** The network's track, AU-major (a · frameCount + f), NaN without a face. */
  network: Float32Array;
  /** The second model's track in the same layout, or null when there is none (jump only). */
  committee: Float32Array | null;
}

export interface Suggestion {
  frame: number;
  /** Average of the two percentiles, 0..1. */
  score: number;
  disagreement: number;
  jump: number;
}

/** Mean |network − committee| over the AUs at frame f (NaN when either is missing). */
export function disagreementAt(v: SuggestVideo, aus: number, f: number): number {
  if (!v.committee) return NaN;
  let sum = 0;
  let n = 0;
  for (let a = 0; a < aus; a++) {
    const d = Math.abs(v.network[a * v.frameCount + f]! - v.committee[a * v.frameCount + f]!);
    if (Number.isFinite(d)) {
      sum += d;
      n++;
    }
  }
  return n ? sum / n : NaN;
}

/** Mean over the AUs of the larger step of the network's track into and out of frame f. */
export function jumpAt(v: SuggestVideo, aus: number, f: number): number {
  let sum = 0;
  let n = 0;
  for (let a = 0; a < aus; a++) {
    const at = (g: number) => (g >= 0 && g < v.frameCount ? v.network[a * v.frameCount + g]! : NaN);
    const here = at(f);
    if (!Number.isFinite(here)) continue;
    const steps = [Math.abs(here - at(f - 1)), Math.abs(at(f + 1) - here)].filter(Number.isFinite);
    if (!steps.length) continue;
    sum += Math.max(...steps);
    n++;
  }
  return n ? sum / n : NaN;
}

/** Percentile of each value among the finite ones (ties share the mean rank); NaN stays NaN → 0. */
export function percentiles(values: Float64Array): Float64Array {
  const idx = Array.from(values.keys()).filter((i) => Number.isFinite(values[i]!));
  idx.sort((a, b) => values[a]! - values[b]!);
  const out = new Float64Array(values.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]!] === values[idx[i]!]) j++;
    const p = idx.length > 1 ? (i + j) / 2 / (idx.length - 1) : 1;
    for (let k = i; k <= j; k++) out[idx[k]!] = p;
    i = j + 1;
  }
  return out;
}

/** `count` split over the videos in proportion to `weights`, by largest remainder. */
export function apportion(count: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!total) return weights.map(() => 0);
  const exact = weights.map((w) => (count * w) / total);
  const out = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, left = count - out.reduce((a, b) => a + b, 0); k < order.length && left > 0; k++, left--) out[order[k]![1]]!++;
  return out;
}

/** Whether the sorted `a` holds a value closer than `gap` to f. */
function within(a: readonly number[], f: number, gap: number): boolean {
  const i = lowerBound(a, f - gap + 1);
  return i < a.length && a[i]! < f + gap;
}

/** Up to `quota` frames of `ranked` (best first), each at least `gap` frames from the others and from `taken`; the gap halves until the quota is met. */
export function spreadPick(ranked: readonly number[], quota: number, taken: readonly number[], gap: number): number[] {
  const chosen: number[] = [];
  const blocked = [...taken].sort((a, b) => a - b);
  const inUse = new Set<number>();
  for (let g = Math.max(0, Math.floor(gap)); chosen.length < quota; g = Math.floor(g / 2)) {
    for (const f of ranked) {
      if (chosen.length >= quota) break;
      if (inUse.has(f) || (g > 0 && within(blocked, f, g))) continue;
      chosen.push(f);
      inUse.add(f);
      blocked.splice(lowerBound(blocked, f), 0, f);
    }
    if (g === 0) break;
  }
  return chosen;
}

/**
 * The suggestions per video, best first: `count` frames in all (fewer where there are fewer
 * candidates). `aus` is the number of AU lanes in the tracks.
 */
export function rankSuggestions(videos: readonly SuggestVideo[], aus: number, count: number): Map<number, Suggestion[]> {
  const cand: { v: number; f: number }[] = [];
  videos.forEach((v, vi) => {
    for (let f = 0; f < v.frameCount; f++) if (v.candidates[f]) cand.push({ v: vi, f });
  });
  const dis = Float64Array.from(cand, (c) => disagreementAt(videos[c.v]!, aus, c.f));
  const jmp = Float64Array.from(cand, (c) => jumpAt(videos[c.v]!, aus, c.f));
  const pd = percentiles(dis);
  const pj = percentiles(jmp);
  const withCommittee = dis.some(Number.isFinite);
  const scored = cand.map((c, i) => ({ ...c, score: withCommittee ? (pd[i]! + pj[i]!) / 2 : pj[i]!, disagreement: dis[i]!, jump: jmp[i]! }));
  const perVideo = videos.map(() => [] as typeof scored);
  for (const s of scored) perVideo[s.v]!.push(s);
  const quotas = apportion(Math.min(count, cand.length), perVideo.map((list) => list.length));
  const out = new Map<number, Suggestion[]>();
  videos.forEach((v, vi) => {
    const list = perVideo[vi]!.sort((a, b) => b.score - a.score || a.f - b.f);
    const quota = quotas[vi]!;
    if (!quota) return;
    const gap = list.length / (2 * (quota + v.taken.length));
    const picked = new Set(spreadPick(list.map((s) => s.f), quota, v.taken, gap));
    out.set(
      v.id,
      list.filter((s) => picked.has(s.f)).map((s) => ({ frame: s.f, score: s.score, disagreement: s.disagreement, jump: s.jump })),
    );
  });
  return out;
}
