/**
 * Double coding: per video, a seeded subset of its sampled frames set aside for a second coder,
 * so agreement is measured on frames chosen in advance rather than on whatever both happened to
 * label. Each sampled frame gets a priority from (seed, frame) alone, and the share takes the
 * frames of lowest priority: the same seed always picks the same frames. A share is fixed once
 * set aside: when the sample grows (a larger sample, *Suggest frames*), it keeps its frames and
 * says how many it lacks of its percent; only an explicit grow (doubleCoding/create, the
 * Agreement tab's *Grow the share*) adds frames, without dropping a frame it held, so a second
 * coder never finds a finished share unfinished behind their back.
 */
import { ApiError } from '../../../shared/errors';
import type { DoubleCodingSet } from '../../../shared/types';
import type { Db } from './db';
import { getVideo } from './videos';

/** A 32-bit mix of seed and frame (splitmix-style), uniform enough to order frames by. */
export function framePriority(seed: number, frame: number): number {
  let z = (seed ^ Math.imul(frame + 1, 0x9e3779b1)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** How many of `sampled` frames a share of `percent` holds: at least one when there are any. */
export function shareSize(sampled: number, percent: number): number {
  return sampled ? Math.min(sampled, Math.max(1, Math.round((sampled * percent) / 100))) : 0;
}

/** The share: every kept frame still sampled, topped up with the lowest-priority others. */
export function chooseShare(sampled: readonly number[], kept: readonly number[], percent: number, seed: number): number[] {
  const inSample = new Set(sampled);
  const share = new Set(kept.filter((f) => inSample.has(f)));
  const order = sampled.filter((f) => !share.has(f)).sort((x, y) => framePriority(seed, x) - framePriority(seed, y) || x - y);
  const want = shareSize(sampled.length, percent);
  for (const f of order) {
    if (share.size >= want) break;
    share.add(f);
  }
  return [...share].sort((x, y) => x - y);
}

function sampledFrames(db: Db, videoId: number): number[] {
  return (
    db
      .prepare('SELECT DISTINCT sf.frame_idx AS f FROM sampled_frames sf JOIN sample_sets ss ON ss.id = sf.sample_set_id WHERE ss.video_id = ? ORDER BY f')
      .all(videoId) as { f: number }[]
  ).map((r) => r.f);
}

interface Row {
  video_id: number;
  percent: number;
  seed: number;
  created_at: string;
}

function toSet(db: Db, r: Row): DoubleCodingSet {
  const frames = (db.prepare('SELECT frame_idx AS f FROM double_coded_frames WHERE video_id = ? ORDER BY frame_idx').all(r.video_id) as { f: number }[]).map((x) => x.f);
  const sampled = sampledFrames(db, r.video_id).length;
  return { videoId: r.video_id, percent: r.percent, seed: r.seed, createdAt: r.created_at, frames, sampled, behind: Math.max(0, shareSize(sampled, r.percent) - frames.length) };
}

export function listDoubleCoding(db: Db, videoId?: number): DoubleCodingSet[] {
  const rows = (videoId === undefined ? db.prepare('SELECT * FROM double_coding ORDER BY video_id').all() : db.prepare('SELECT * FROM double_coding WHERE video_id = ?').all(videoId)) as Row[];
  return rows.map((r) => toSet(db, r));
}

export interface DoubleCodingRequest {
  videoId: number;
  percent: number;
  seed?: number;
}

/**
 * Sets aside (or grows) a video's share. A lower percent than before is refused, so no frame a
 * second coder may have labelled silently leaves the share; the first seed stays.
 */
export function createOrGrowDoubleCoding(db: Db, req: DoubleCodingRequest): DoubleCodingSet {
  const video = getVideo(db, req.videoId);
  const sampled = sampledFrames(db, req.videoId);
  if (!sampled.length) {
    throw new ApiError('invalid_argument', `${video.name} has no sampled frames yet, so there is nothing to double-code. Sample frames first (Videos tab, or \`auw sample\`).`);
  }
  const existing = db.prepare('SELECT * FROM double_coding WHERE video_id = ?').get(req.videoId) as Row | undefined;
  if (existing && req.percent < existing.percent) {
    throw new ApiError('invalid_argument', `The double-coding share of ${video.name} is already ${existing.percent} % of its sampled frames; it can grow but not shrink.`);
  }
  const seed = existing?.seed ?? req.seed ?? Math.floor(Math.random() * 2 ** 31);
  const kept = existing ? toSet(db, existing).frames : [];
  const frames = chooseShare(sampled, kept, req.percent, seed);
  return db.transaction(() => {
    if (existing) db.prepare('UPDATE double_coding SET percent = ? WHERE video_id = ?').run(req.percent, req.videoId);
    else db.prepare('INSERT INTO double_coding (video_id, percent, seed, created_at) VALUES (?, ?, ?, ?)').run(req.videoId, req.percent, seed, new Date().toISOString());
    const insert = db.prepare('INSERT OR IGNORE INTO double_coded_frames (video_id, frame_idx) VALUES (?, ?)');
    for (const f of frames) insert.run(req.videoId, f);
    return toSet(db, db.prepare('SELECT * FROM double_coding WHERE video_id = ?').get(req.videoId) as Row);
  })();
}

/**
 * After a sample grew (more sampled frames, or suggested ones): the shares stay as they were,
 * and this says, per video whose share now lacks frames of its percent, what an explicit grow
 * would add, for the job log or the answer to the request.
 */
export function sharesBehind(db: Db, videoIds: readonly number[]): string[] {
  const notes: string[] = [];
  for (const videoId of new Set(videoIds)) {
    const [set] = listDoubleCoding(db, videoId);
    if (!set?.behind) continue;
    notes.push(
      `The double-coding share of ${getVideo(db, videoId).name} stays at ${set.frames.length} frames; ${set.percent} % of its ${set.sampled} sampled frames would be ${set.frames.length + set.behind}. Grow it on the Agreement tab (or \`auw double-code --percent ${set.percent}\`) if the second coder should code more.`,
    );
  }
  return notes;
}

/**
 * Double-coding shares for several videos at once: all or none, so a refused video (a share
 * that would shrink) leaves the others as they were.
 */
export function createDoubleCodingSets(db: Db, videoIds: readonly number[], share: Omit<DoubleCodingRequest, 'videoId'>): DoubleCodingSet[] {
  return db.transaction(() => videoIds.map((videoId) => createOrGrowDoubleCoding(db, { ...share, videoId })))();
}
