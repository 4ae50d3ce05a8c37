import type { Db } from '../../src/main/services/store/db';
import { insertVideo, type NewVideo } from '../../src/main/services/store/videos';

let hashCounter = 0;

/** Inserts a video row as ingest would (no real media file is needed by the store). */
export function addVideo(db: Db, overrides: Partial<NewVideo> = {}): number {
  hashCounter += 1;
  return insertVideo(db, {
    path: `/videos/subject${hashCounter}.mp4`,
    contentHash: `hash-${process.pid}-${hashCounter}`,
    subject: null,
    fps: 25,
    frameCount: 100,
    duration: 4,
    width: 320,
    height: 240,
    sizeBytes: 123_456,
    hasAudio: false,
    codec: 'h264',
    videoStartSec: 0,
    variableFps: false,
    ...overrides,
  });
}

/** Writes face-detection rows for frames 0..count-1; `face(i)` says whether frame i has a face. */
export function addFrames(db: Db, videoId: number, count: number, face: (i: number) => boolean = () => true): void {
  const insert = db.prepare('INSERT INTO frames (video_id, idx, face, score) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(videoId, i, face(i) ? 1 : 0, face(i) ? 0.9 : null);
  })();
}
