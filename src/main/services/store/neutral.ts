/**
 * Neutral marks: stretches of frames a coder marked as a person's face at rest. A person is a
 * subject (all of its videos) or a video without a subject (on its own), the same grouping the
 * subject-independent splits use; where a person has marks, the learning engine normalises
 * that person's frames against the marked frames instead of each video's median.
 */
import { ApiError } from '../../../shared/errors';
import type { NeutralMark, NeutralReference, NeutralSubject, VideoRow } from '../../../shared/types';
import { personOf } from '../../../shared/people';
import type { Db } from './db';
import { getVideo, listVideos } from './videos';

interface Row {
  id: number;
  video_id: number;
  first_frame: number;
  last_frame: number;
  coder: string;
  created_at: string;
  face_frames: number;
}

const SELECT = `SELECT m.id, m.video_id, m.first_frame, m.last_frame, m.coder, m.created_at,
  (SELECT count(*) FROM frames f WHERE f.video_id = m.video_id AND f.idx BETWEEN m.first_frame AND m.last_frame AND f.face = 1) AS face_frames
  FROM neutral_marks m`;

function toMark(r: Row, names: ReadonlyMap<number, string>): NeutralMark {
  return {
    id: r.id,
    videoId: r.video_id,
    videoName: names.get(r.video_id) ?? `video ${r.video_id}`,
    firstFrame: r.first_frame,
    lastFrame: r.last_frame,
    faceFrames: r.face_frames,
    coder: r.coder,
    createdAt: r.created_at,
  };
}

/** Every person of the project (or only the one of `videoId`), with its marks and reference. */
export function listNeutral(db: Db, videoId?: number): NeutralSubject[] {
  const videos = listVideos(db);
  const only = videoId === undefined ? null : personOf(getVideo(db, videoId));
  const names = new Map(videos.map((v) => [v.id, v.name]));
  const rows = db.prepare(`${SELECT} ORDER BY m.video_id, m.first_frame, m.id`).all() as Row[];
  const people = new Map<string, NeutralSubject>();
  for (const v of videos) {
    const person = personOf(v);
    if (only !== null && person !== only) continue;
    const p = people.get(person) ?? { subject: v.subject, person, videoIds: [], reference: { kind: 'median' }, marks: [] };
    p.videoIds.push(v.id);
    people.set(person, p);
  }
  const personOfVideo = new Map(videos.map((v) => [v.id, personOf(v)]));
  for (const r of rows) people.get(personOfVideo.get(r.video_id)!)?.marks.push(toMark(r, names));
  for (const p of people.values()) p.reference = referenceOf(db, p.marks);
  return [...people.values()].sort((a, b) => a.person.localeCompare(b.person));
}

/** Distinct face frames over the marks (marks may overlap): the size of the reference. */
function referenceOf(db: Db, marks: readonly NeutralMark[]): NeutralReference {
  if (!marks.length) return { kind: 'median' };
  return { kind: 'neutral', frames: neutralFrames(db, marks).reduce((n, p) => n + p.frames.length, 0) };
}

/** Per video, the distinct marked frames that have a face, ascending. */
export function neutralFrames(db: Db, marks: readonly Pick<NeutralMark, 'videoId' | 'firstFrame' | 'lastFrame'>[]): { videoId: number; frames: number[] }[] {
  const byVideo = new Map<number, Set<number>>();
  const q = db.prepare('SELECT idx FROM frames WHERE video_id = ? AND idx BETWEEN ? AND ? AND face = 1');
  for (const m of marks) {
    const set = byVideo.get(m.videoId) ?? new Set<number>();
    for (const r of q.iterate(m.videoId, m.firstFrame, m.lastFrame) as Iterable<{ idx: number }>) set.add(r.idx);
    byVideo.set(m.videoId, set);
  }
  return [...byVideo].filter(([, s]) => s.size).map(([videoId, s]) => ({ videoId, frames: [...s].sort((a, b) => a - b) }));
}

/** The marks that make the reference of `video`'s person (across that person's videos). */
export function marksOfPerson(db: Db, video: Pick<VideoRow, 'id' | 'subject'>): NeutralMark[] {
  const videos = listVideos(db);
  const ids = video.subject === null ? [video.id] : videos.filter((v) => v.subject === video.subject).map((v) => v.id);
  const names = new Map(videos.map((v) => [v.id, v.name]));
  const rows = db.prepare(`${SELECT} WHERE m.video_id IN (${ids.map(() => '?').join(',')}) ORDER BY m.video_id, m.first_frame`).all(...ids) as Row[];
  return rows.map((r) => toMark(r, names));
}

export interface NewNeutralMark {
  videoId: number;
  firstFrame: number;
  /** Defaults to firstFrame (one frame). */
  lastFrame?: number;
  coder: string;
}

/**
 * Marks frames first…last of a video as its person's neutral face. Refused, with nothing
 * written, when the video is missing or not imported, the frames lie outside it, first > last,
 * or none of the frames has a face (a reference needs a face to read).
 */
export function addNeutralMark(db: Db, m: NewNeutralMark): NeutralMark {
  const video = getVideo(db, m.videoId);
  const last = m.lastFrame ?? m.firstFrame;
  if (video.status !== 'ready') throw new ApiError('invalid_argument', `${video.name} is not imported yet (status “${video.status}”): mark neutral frames once its import has finished.`);
  if (m.firstFrame > last) throw new ApiError('invalid_argument', `The first frame (${m.firstFrame}) comes after the last (${last}): give the segment as first…last.`);
  if (last >= video.frameCount) {
    throw new ApiError('invalid_argument', `${video.name} has frames 0–${video.frameCount - 1}; frame ${last} is outside it. Mark frames inside the video.`);
  }
  const faces = (db.prepare('SELECT count(*) AS n FROM frames WHERE video_id = ? AND idx BETWEEN ? AND ? AND face = 1').get(m.videoId, m.firstFrame, last) as { n: number }).n;
  if (!faces) {
    const what = m.firstFrame === last ? `Frame ${last}` : `Frames ${m.firstFrame}–${last}`;
    throw new ApiError('invalid_argument', `${what} of ${video.name} ${m.firstFrame === last ? 'has' : 'have'} no face, so there is nothing to take as the neutral face. Mark frames where the face was found.`);
  }
  // .all() on RETURNING: a commit that failed must throw, not read as success.
  const [row] = db
    .prepare('INSERT INTO neutral_marks (video_id, first_frame, last_frame, coder, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id')
    .all(m.videoId, m.firstFrame, last, m.coder, new Date().toISOString()) as { id: number }[];
  return marksOfPerson(db, video).find((x) => x.id === row!.id)!;
}

/** Removes one mark and returns the video it was on; refused when there is no such mark. */
export function removeNeutralMark(db: Db, markId: number): number {
  // .all() on RETURNING: a commit that failed must throw, not read as success.
  const [row] = db.prepare('DELETE FROM neutral_marks WHERE id = ? RETURNING video_id').all(markId) as { video_id: number }[];
  if (!row) throw new ApiError('not_found', `There is no neutral mark ${markId} in this project. Reload the list of marks.`);
  return row.video_id;
}

/** Removes every mark of `video`'s person (all of its videos); returns how many went. */
export function clearNeutralOfPerson(db: Db, videoId: number): number {
  const video = getVideo(db, videoId);
  const ids = marksOfPerson(db, video).map((m) => m.id);
  const del = db.prepare('DELETE FROM neutral_marks WHERE id = ?');
  db.transaction(() => ids.forEach((id) => del.run(id)))();
  return ids.length;
}
