import type { QueueFrame, SampleSet, SampleStrategy } from '../../../shared/types';
import type { Db } from './db';
import { getVideo } from './videos';
import { ApiError } from '../../../shared/errors';
import { Rng } from '../../../shared/rng';
import { lowerBound } from '../../../shared/sorted';

interface Row {
  id: number;
  video_id: number;
  strategy: SampleStrategy;
  percent: number;
  seed: number;
  model_id: number | null;
  min_gap: number;
  created_at: string;
  frames: number;
}

const SELECT = `SELECT s.*, (SELECT count(*) FROM sampled_frames f WHERE f.sample_set_id = s.id) AS frames FROM sample_sets s`;

const toSet = (r: Row): SampleSet => ({
  id: r.id,
  videoId: r.video_id,
  strategy: r.strategy,
  percent: r.percent,
  seed: r.seed,
  modelId: r.model_id,
  minGap: r.min_gap,
  createdAt: r.created_at,
  frames: r.frames,
});

export function listSampleSets(db: Db, videoId?: number): SampleSet[] {
  const rows = videoId === undefined ? db.prepare(`${SELECT} ORDER BY s.id`).all() : db.prepare(`${SELECT} WHERE s.video_id = ? ORDER BY s.id`).all(videoId);
  return (rows as Row[]).map(toSet);
}

/** How many frames `percent` of the eligible ones is (at least one). */
export function sampleSize(eligible: number, percent: number): number {
  return Math.min(eligible, Math.max(eligible ? 1 : 0, Math.round((eligible * percent) / 100)));
}

/**
 * The random strategy draws a seeded permutation of the eligible frames and takes its first k.
 * Raising the percent later takes a longer prefix of the same permutation, so every frame
 * already chosen (and maybe labelled) stays chosen. With `minGap` > 1 a frame of the
 * permutation is skipped when it lies closer than minGap frames to one already taken (still a
 * prefix rule, so growing keeps every frame); fewer than k come back where they do not fit.
 */
export function chooseFrames(eligible: readonly number[], percent: number, strategy: SampleRequest['strategy'], seed: number, minGap = 0): number[] {
  const k = sampleSize(eligible.length, percent);
  if (strategy === 'stride') {
    const step = eligible.length / k;
    return Array.from({ length: k }, (_, i) => eligible[Math.floor(i * step + step / 2)]!);
  }
  const order = [...eligible];
  const rng = new Rng(seed);
  const rand = () => rng.next();
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  if (minGap <= 1) return order.slice(0, k);
  const taken: number[] = []; // ascending
  for (const f of order) {
    if (taken.length === k) break;
    const lo = lowerBound(taken, f);
    if ((lo > 0 && f - taken[lo - 1]! < minGap) || (lo < taken.length && taken[lo]! - f < minGap)) continue;
    taken.splice(lo, 0, f);
  }
  // In the permutation's order, as without a gap (the rank of each frame).
  const chosen = new Set(taken);
  return order.filter((f) => chosen.has(f));
}

/**
 * Growing a stride sample: its earlier frames stay, and each of the new stride's equal stretches
 * that holds none of them gets the new stride's frame, so the grown set stays evenly spread.
 */
export function growStride(eligible: readonly number[], kept: readonly number[], percent: number): number[] {
  const fresh = chooseFrames(eligible, percent, 'stride', 0);
  const step = eligible.length / Math.max(1, fresh.length);
  const position = new Map(eligible.map((f, i) => [f, i]));
  const covered = new Set(kept.filter((f) => position.has(f)).map((f) => Math.floor(position.get(f)! / step)));
  return [...kept, ...fresh.filter((_, slot) => !covered.has(slot))];
}

export interface SampleRequest {
  videoId: number;
  percent: number;
  strategy: Exclude<SampleStrategy, 'suggested'>;
  seed?: number;
  /** Random only: the minimum spacing in frames (a new set; an existing one keeps its own). */
  minGap?: number;
}

/**
 * One sample set per video and strategy: asking again with a higher percent grows the set
 * (same seed), a lower one is refused so no labelled frame silently leaves the queue.
 */
export function createOrGrowSampleSet(db: Db, req: SampleRequest): SampleSet {
  const video = getVideo(db, req.videoId);
  const eligible = (db.prepare('SELECT idx FROM frames WHERE video_id = ? AND face = 1 ORDER BY idx').all(req.videoId) as { idx: number }[]).map((r) => r.idx);
  if (!eligible.length) {
    throw new ApiError('invalid_argument', `${video.name} has no frames with a face yet, so there is nothing to sample. Import it (face detection) first.`);
  }
  const existing = db.prepare('SELECT * FROM sample_sets WHERE video_id = ? AND strategy = ? ORDER BY id DESC LIMIT 1').get(req.videoId, req.strategy) as Row | undefined;
  if (existing && req.percent < existing.percent) {
    throw new ApiError('invalid_argument', `The ${req.strategy} sample of ${video.name} is already ${existing.percent} %; it can grow but not shrink.`);
  }
  if (req.strategy === 'stride' && (req.minGap ?? 0) > 1) {
    throw new ApiError('invalid_argument', 'A minimum spacing is for random samples; a stride sample is evenly spaced already.');
  }
  if (existing && req.minGap !== undefined && req.minGap !== existing.min_gap && !(req.minGap <= 1 && existing.min_gap <= 1)) {
    throw new ApiError('invalid_argument', `The random sample of ${video.name} keeps its frames at least ${existing.min_gap} frames apart; it grows with that spacing (leave the spacing out, or give ${existing.min_gap}).`);
  }
  const minGap = existing?.min_gap ?? (req.strategy === 'random' ? (req.minGap ?? 0) : 0);
  const seed = existing?.seed ?? req.seed ?? Math.floor(Math.random() * 2 ** 31);
  const kept = existing
    ? (db.prepare('SELECT frame_idx FROM sampled_frames WHERE sample_set_id = ? ORDER BY rank').all(existing.id) as { frame_idx: number }[]).map((r) => r.frame_idx)
    : [];
  const frames = existing && req.strategy === 'stride' ? growStride(eligible, kept, req.percent) : chooseFrames(eligible, req.percent, req.strategy, seed, minGap);
  const wanted = sampleSize(eligible.length, req.percent);
  if (frames.length < wanted) {
    throw new ApiError(
      'invalid_argument',
      `${req.percent} % of ${video.name}'s ${eligible.length} face frames is ${wanted} frames, but only ${frames.length} fit ${minGap} frames apart. Choose a smaller spacing or share.`,
    );
  }
  return db.transaction(() => {
    const setId =
      existing?.id ??
      Number(
        db
          .prepare('INSERT INTO sample_sets (video_id, strategy, percent, seed, min_gap, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(req.videoId, req.strategy, req.percent, seed, minGap, new Date().toISOString()).lastInsertRowid,
      );
    if (existing) db.prepare('UPDATE sample_sets SET percent = ? WHERE id = ?').run(req.percent, setId);
    // New frames rank after the kept ones (a frame's rank must never collide with a kept frame's).
    const insert = db.prepare('INSERT INTO sampled_frames (sample_set_id, frame_idx, rank) VALUES (?, ?, ?)');
    const have = new Set(kept);
    let rank = (db.prepare('SELECT coalesce(max(rank) + 1, 0) AS next FROM sampled_frames WHERE sample_set_id = ?').get(setId) as { next: number }).next;
    for (const frame of frames) {
      if (have.has(frame)) continue;
      have.add(frame);
      insert.run(setId, frame, rank++);
    }
    return toSet(db.prepare(`${SELECT} WHERE s.id = ?`).get(setId) as Row);
  })();
}

/** The labelling queue: every sampled frame of the video, in time order, with its label count and whether a suggestion put it there. */
export function labellingQueue(db: Db, videoId: number): QueueFrame[] {
  getVideo(db, videoId);
  const rows = db
    .prepare(
      `SELECT sf.frame_idx AS frame, min(sf.rank) AS rank, max(ss.strategy = 'suggested') AS suggested,
              (SELECT count(DISTINCT l.au) FROM labels l WHERE l.video_id = ss.video_id AND l.frame_idx = sf.frame_idx) AS labelled
       FROM sampled_frames sf JOIN sample_sets ss ON ss.id = sf.sample_set_id
       WHERE ss.video_id = ? GROUP BY sf.frame_idx ORDER BY sf.frame_idx`,
    )
    .all(videoId) as { frame: number; rank: number; suggested: number; labelled: number }[];
  return rows.map((r) => ({ videoId, frame: r.frame, rank: r.rank, labelledAus: r.labelled, suggested: r.suggested === 1 }));
}

/** Frames of the video that are sampled (by any strategy) or labelled (by any coder), ascending. */
export function takenFrames(db: Db, videoId: number): number[] {
  return (
    db
      .prepare(
        `SELECT frame_idx AS f FROM sampled_frames sf JOIN sample_sets ss ON ss.id = sf.sample_set_id WHERE ss.video_id = ?
         UNION SELECT frame_idx FROM labels WHERE video_id = ? ORDER BY f`,
      )
      .all(videoId, videoId) as { f: number }[]
  ).map((r) => r.f);
}

/**
 * Stores one suggested set per video (frames best first: rank 0 is the top suggestion), each
 * remembering the model that ranked it. Every call makes new sets: suggestions from a later
 * model add to the queue, they never replace frames already suggested (or labelled).
 */
export function insertSuggestedSets(db: Db, modelId: number, percent: number, perVideo: ReadonlyMap<number, readonly number[]>): SampleSet[] {
  return db.transaction(() => {
    const sets: SampleSet[] = [];
    const now = new Date().toISOString();
    const insert = db.prepare('INSERT INTO sampled_frames (sample_set_id, frame_idx, rank) VALUES (?, ?, ?)');
    for (const [videoId, frames] of perVideo) {
      if (!frames.length) continue;
      getVideo(db, videoId);
      const setId = Number(
        db.prepare("INSERT INTO sample_sets (video_id, strategy, percent, seed, model_id, created_at) VALUES (?, 'suggested', ?, 0, ?, ?)").run(videoId, percent, modelId, now).lastInsertRowid,
      );
      frames.forEach((f, rank) => insert.run(setId, f, rank));
      sets.push(toSet(db.prepare(`${SELECT} WHERE s.id = ?`).get(setId) as Row));
    }
    return sets;
  })();
}
