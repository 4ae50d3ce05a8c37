import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/errors';
import { DISFA_AUS } from '../../../src/shared/aus';
import { labelHistory, labelsForFrame, labelsForVideo, setLabel } from '../../../src/main/services/store/labels';
import { Project } from '../../../src/main/services/store/project';
import { getVideo, listVideos, setSubject } from '../../../src/main/services/store/videos';
import { addVideo } from '../../helpers/project';
import { caught, tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-labels-');
let project: Project;
let videoId: number;

beforeEach(() => {
  project = Project.create(path.join(tmp.make(), 'proj'), { name: 'Labels', auSet: { preset: 'disfa' } });
  videoId = addVideo(project.db, { frameCount: 100, path: '/data/S001.mp4' });
});

afterEach(() => {
  project.close();
  tmp.cleanup();
});

function code(err: unknown): string {
  expect(err).toBeInstanceOf(ApiError);
  return (err as ApiError).code;
}

describe('setLabel refuses bad input with API errors', () => {
  it('refuses an AU outside the project AU set', () => {
    const err = caught(() => setLabel(project.db, { videoId, frame: 0, au: 7, annotator: 'a', intensity: 2 }, DISFA_AUS));
    expect(code(err)).toBe('invalid_argument');
    expect((err as Error).message).toMatch(/AU7 is not in this project's AU set \(1, 2, 4/);
  });

  it('refuses a frame past the end (frames count from 0)', () => {
    expect(setLabel(project.db, { videoId, frame: 99, au: 12, annotator: 'a', intensity: 1 }, DISFA_AUS)).not.toBeNull();
    const err = caught(() => setLabel(project.db, { videoId, frame: 100, au: 12, annotator: 'a', intensity: 1 }, DISFA_AUS));
    expect(code(err)).toBe('invalid_argument');
    expect((err as Error).message).toMatch(/Frame 100 is past the end of S001\.mp4 \(100 frames, numbered from 0\)/);
  });

  it('refuses an unknown video', () => {
    const err = caught(() => setLabel(project.db, { videoId: 4242, frame: 0, au: 12, annotator: 'a', intensity: 1 }, DISFA_AUS));
    expect(code(err)).toBe('not_found');
    expect((err as Error).message).toMatch(/no video 4242/);
  });

  it('leaves nothing written after a refusal', () => {
    caught(() => setLabel(project.db, { videoId, frame: 500, au: 12, annotator: 'a', intensity: 1 }, DISFA_AUS));
    expect(labelsForVideo(project.db, videoId)).toEqual([]);
    expect(labelHistory(project.db, videoId, undefined, 100)).toEqual([]);
  });
});

describe('CHECK constraints at the SQL level', () => {
  const insert = (intensity: number, au = 12, frame = 0, annotator = 'a') =>
    project.db
      .prepare('INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(videoId, frame, au, annotator, intensity, new Date().toISOString());

  it('rejects an intensity outside 0..5 even when code bypasses validation', () => {
    expect(() => insert(9)).toThrow(expect.objectContaining({ name: 'SqliteError', code: 'SQLITE_CONSTRAINT_CHECK' }));
    expect(() => insert(-1)).toThrow(/CHECK constraint failed/);
    // The store itself does not range-check intensity: the contract does, and SQL is the backstop.
    expect(() => setLabel(project.db, { videoId, frame: 0, au: 12, annotator: 'a', intensity: 7 }, DISFA_AUS)).toThrow(/CHECK constraint failed/);
    expect(labelsForVideo(project.db, videoId)).toEqual([]);
  });

  it('rejects other out-of-range columns', () => {
    expect(() => insert(1, 0)).toThrow(/CHECK constraint failed/); // AU 0
    expect(() => insert(1, 100)).toThrow(/CHECK constraint failed/); // AU 100
    expect(() => insert(1, 12, -1)).toThrow(/CHECK constraint failed/); // negative frame
    expect(() => insert(1, 12, 0, '')).toThrow(/CHECK constraint failed/); // empty annotator
    expect(() => project.db.prepare("UPDATE videos SET status = 'done' WHERE id = ?").run(videoId)).toThrow(/CHECK constraint failed/);
  });

  it('rejects a wrongly typed value (STRICT tables)', () => {
    expect(() =>
      project.db
        .prepare('INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(videoId, 0, 12, 'a', 'three', 'now'),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('rejects a label for a video that does not exist (foreign key)', () => {
    expect(() =>
      project.db
        .prepare('INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(9999, 0, 12, 'a', 1, 'now'),
    ).toThrow(/FOREIGN KEY constraint failed/);
  });
});

describe('label writes and history', () => {
  it('inserts, updates and removes labels, and the triggers record each change', () => {
    const first = setLabel(project.db, { videoId, frame: 10, au: 12, annotator: 'ann', intensity: 2 }, DISFA_AUS);
    expect(first).toMatchObject({ videoId, frame: 10, au: 12, annotator: 'ann', intensity: 2 });
    const second = setLabel(project.db, { videoId, frame: 10, au: 12, annotator: 'ann', intensity: 5 }, DISFA_AUS);
    expect(second).toMatchObject({ intensity: 5 });
    // Same value again: no history row (the update trigger fires only on a change).
    setLabel(project.db, { videoId, frame: 10, au: 12, annotator: 'ann', intensity: 5 }, DISFA_AUS);
    expect(setLabel(project.db, { videoId, frame: 10, au: 12, annotator: 'ann', intensity: null }, DISFA_AUS)).toBeNull();

    expect(labelsForFrame(project.db, videoId, 10)).toEqual([]);
    const history = labelHistory(project.db, videoId, 10, 100);
    // Newest first.
    expect(history.map((h) => [h.oldIntensity, h.newIntensity])).toEqual([
      [5, null],
      [2, 5],
      [null, 2],
    ]);
    expect(history.every((h) => h.au === 12 && h.annotator === 'ann' && h.frame === 10 && h.videoId === videoId)).toBe(true);
    expect(history.every((h) => !Number.isNaN(Date.parse(h.changedAt)))).toBe(true);
  });

  it('records changes made by plain SQL too, so no code path can skip the history', () => {
    const db = project.db;
    db.prepare("INSERT INTO labels (video_id, frame_idx, au, annotator, intensity, updated_at) VALUES (?, 3, 1, 'sql', 1, 't1')").run(videoId);
    db.prepare("UPDATE labels SET intensity = 3, updated_at = 't2' WHERE video_id = ? AND frame_idx = 3").run(videoId);
    db.prepare('DELETE FROM labels WHERE video_id = ? AND frame_idx = 3').run(videoId);
    const rows = db.prepare('SELECT old_intensity, new_intensity, changed_at FROM label_history ORDER BY id').all() as {
      old_intensity: number | null;
      new_intensity: number | null;
      changed_at: string;
    }[];
    expect(rows.map((r) => [r.old_intensity, r.new_intensity])).toEqual([
      [null, 1],
      [1, 3],
      [3, null],
    ]);
    expect(rows.slice(0, 2).map((r) => r.changed_at)).toEqual(['t1', 't2']);
    expect(rows[2]!.changed_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('keeps annotators apart, filters history by frame and honours the limit', () => {
    setLabel(project.db, { videoId, frame: 1, au: 1, annotator: 'ann', intensity: 1 }, DISFA_AUS);
    setLabel(project.db, { videoId, frame: 1, au: 1, annotator: 'bob', intensity: 4 }, DISFA_AUS);
    setLabel(project.db, { videoId, frame: 2, au: 26, annotator: 'ann', intensity: 0 }, DISFA_AUS);
    expect(labelsForFrame(project.db, videoId, 1).map((l) => [l.annotator, l.intensity])).toEqual([
      ['ann', 1],
      ['bob', 4],
    ]);
    expect(labelsForVideo(project.db, videoId).map((l) => [l.frame, l.au])).toEqual([
      [1, 1],
      [1, 1],
      [2, 26],
    ]);
    expect(labelHistory(project.db, videoId, 2, 100)).toHaveLength(1);
    expect(labelHistory(project.db, videoId, undefined, 2)).toHaveLength(2);
    // An intensity of 0 (absent) is a label, not a removal.
    expect(labelsForFrame(project.db, videoId, 2)).toMatchObject([{ au: 26, intensity: 0 }]);
  });

  it('counts labelled frames in the video list and deletes labels with their video', () => {
    setLabel(project.db, { videoId, frame: 5, au: 1, annotator: 'a', intensity: 1 }, DISFA_AUS);
    setLabel(project.db, { videoId, frame: 5, au: 2, annotator: 'a', intensity: 1 }, DISFA_AUS);
    setLabel(project.db, { videoId, frame: 6, au: 2, annotator: 'a', intensity: 1 }, DISFA_AUS);
    expect(getVideo(project.db, videoId).labelled).toBe(2);
    expect(setSubject(project.db, videoId, 'S001').subject).toBe('S001');
    project.db.prepare('DELETE FROM videos WHERE id = ?').run(videoId);
    expect(listVideos(project.db)).toEqual([]);
    expect(project.db.prepare('SELECT count(*) AS n FROM labels').get()).toEqual({ n: 0 });
  });
});
