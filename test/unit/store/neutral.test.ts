/**
 * Neutral marks through the real handlers on a real SQLite project: per person (a subject's
 * videos together, a video without a subject on its own), which reference is in use, and bad
 * input refused with a clear error and nothing written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setSubject, setVideoStatus } from '../../../src/main/services/store/videos';
import { trainingVideos, normalisationOf } from '../../../src/main/services/learn/backend/trainingData';
import { normalisationText, referenceText } from '../../../src/shared/neutral';
import { makeApp, type TestApp } from '../../helpers/app';
import { addFrames, addVideo } from '../../helpers/project';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-neutral-');
let t: TestApp | null = null;
afterEach(async () => {
  await t?.app.workbench.close();
  t = null;
  tmp.cleanup();
});

/** A ready video of 100 frames (faces everywhere except 40–49) of `subject`. */
function video(a: TestApp, subject: string | null): number {
  const db = a.app.workbench.requireProject().db;
  const id = addVideo(db, { frameCount: 100 });
  addFrames(db, id, 100, (i) => i < 40 || i >= 50);
  if (subject !== null) setSubject(db, id, subject);
  setVideoStatus(db, id, 'ready');
  return id;
}

const rows = (a: TestApp) => (a.app.workbench.requireProject().db.prepare('SELECT count(*) AS n FROM neutral_marks').get() as { n: number }).n;

describe('neutral marks', () => {
  it('make the reference of every video of the subject, counted in distinct face frames; others keep the median', async () => {
    t = await makeApp(tmp.make());
    const a1 = video(t, 'anna');
    const a2 = video(t, 'anna');
    const b = video(t, 'ben');
    const loose = video(t, null);
    expect((await t.call('neutral/list', {})).map((p) => [p.person, p.reference])).toEqual([
      ['anna', { kind: 'median' }],
      ['ben', { kind: 'median' }],
      [`video ${loose}`, { kind: 'median' }],
    ]);
    // Frames 35–44 hold 5 face frames (40–44 have none); 43–45 overlaps and adds none.
    const p = await t.call('neutral/mark', { videoId: a1, firstFrame: 35, lastFrame: 44, coder: 'alice' });
    expect(p).toMatchObject({ person: 'anna', subject: 'anna', videoIds: [a1, a2], reference: { kind: 'neutral', frames: 5 } });
    expect(p.marks[0]).toMatchObject({ videoId: a1, firstFrame: 35, lastFrame: 44, faceFrames: 5, coder: 'alice' });
    await t.call('neutral/mark', { videoId: a2, firstFrame: 3, coder: 'alice' });
    const [anna] = await t.call('neutral/list', { videoId: a2 });
    expect(anna!.reference).toEqual({ kind: 'neutral', frames: 6 });
    expect((await t.call('neutral/list', { videoId: b }))[0]!.reference).toEqual({ kind: 'median' });

    // What the worker gets, and what a model records: the marks of both of anna's videos on each of them.
    const project = t.app.workbench.requireProject();
    const sources = trainingVideos(project.db, project.dir, undefined, { landmarks: true });
    const s1 = sources.find((s) => s.id === a1)!;
    expect(s1.neutral?.map((n) => [n.videoId, n.frames])).toEqual([
      [a1, [35, 36, 37, 38, 39]],
      [a2, [3]],
    ]);
    expect(s1.neutral?.[0]?.landmarks?.length).toBe(5 * 136);
    expect(sources.find((s) => s.id === b)!.neutral).toBeUndefined();
    expect(normalisationOf(sources)).toEqual({ anna: { kind: 'neutral', frames: 6 }, ben: { kind: 'median' }, [`video ${loose}`]: { kind: 'median' } });

    // A mark follows its video: moved to ben, it becomes ben's reference.
    setSubject(project.db, a2, 'ben');
    expect((await t.call('neutral/list', { videoId: b }))[0]!.reference).toEqual({ kind: 'neutral', frames: 1 });
  });

  it('are removed one at a time or all of a person at once', async () => {
    t = await makeApp(tmp.make());
    const a1 = video(t, 'anna');
    const a2 = video(t, 'anna');
    const b = video(t, 'ben');
    const first = await t.call('neutral/mark', { videoId: a1, firstFrame: 0, lastFrame: 9, coder: 'alice' });
    await t.call('neutral/mark', { videoId: a2, firstFrame: 0, lastFrame: 4, coder: 'alice' });
    await t.call('neutral/mark', { videoId: b, firstFrame: 0, coder: 'alice' });
    const after = await t.call('neutral/clear', { markId: first.marks[0]!.id });
    expect(after.reference).toEqual({ kind: 'neutral', frames: 5 });
    expect((await t.call('neutral/clear', { videoId: a1 })).reference).toEqual({ kind: 'median' });
    expect((await t.call('neutral/list', { videoId: b }))[0]!.reference).toEqual({ kind: 'neutral', frames: 1 });
    expect((await t.fails('neutral/clear', { videoId: a2 })).message).toMatch(/anna has no neutral frames marked/);
    expect((await t.fails('neutral/clear', { markId: 999 })).code).toBe('not_found');
    expect((await t.fails('neutral/clear', {})).message).toMatch(/either markId .* or videoId/);
  });

  it('refuse bad input with a clear error and write nothing', async () => {
    t = await makeApp(tmp.make());
    const v = video(t, 'anna');
    const cases: [Parameters<TestApp['fails']>[1], RegExp][] = [
      [{ videoId: v, firstFrame: 10, lastFrame: 5, coder: 'alice' }, /first frame must not come after the last/],
      [{ videoId: v, firstFrame: 95, lastFrame: 100, coder: 'alice' }, /frames 0–99; frame 100 is outside it/],
      [{ videoId: v, firstFrame: 40, lastFrame: 49, coder: 'alice' }, /Frames 40–49 of .* have no face/],
      [{ videoId: v, firstFrame: 42, coder: 'alice' }, /Frame 42 of .* has no face/],
      [{ videoId: 4242, firstFrame: 0, coder: 'alice' }, /no video 4242/],
      [{ videoId: v, firstFrame: -1, coder: 'alice' }, /frame numbers start at 0/],
      [{ videoId: v, firstFrame: 0, coder: '  ' }, /annotator name is required/],
    ];
    for (const [params, message] of cases) expect((await t.fails('neutral/mark', params as never)).message).toMatch(message);
    const db = t.app.workbench.requireProject().db;
    const pending = addVideo(db, { frameCount: 50 });
    expect((await t.fails('neutral/mark', { videoId: pending, firstFrame: 0, coder: 'alice' })).message).toMatch(/not imported yet/);
    expect(rows(t)).toBe(0);
    expect((await t.call('neutral/list', { videoId: v }))[0]!.reference).toEqual({ kind: 'median' });
  });

  it('go with their video when it is removed', async () => {
    t = await makeApp(tmp.make());
    const v = video(t, 'anna');
    await t.call('neutral/mark', { videoId: v, firstFrame: 0, lastFrame: 3, coder: 'alice' });
    await t.call('videos/remove', { videoId: v });
    expect(rows(t)).toBe(0);
  });
});

describe('the reference in words', () => {
  it('as the views and the CLI say it, and as a model records it per person', () => {
    expect(referenceText({ kind: 'median' })).toBe('video median');
    expect(referenceText({ kind: 'neutral', frames: 1 })).toBe('neutral (1 frame)');
    expect(referenceText({ kind: 'neutral', frames: 6 })).toBe('neutral (6 frames)');
    expect(normalisationText({ ben: { kind: 'median' }, anna: { kind: 'neutral', frames: 6 }, carl: { kind: 'median' } })).toBe('neutral face for anna (6 frames); video median for ben, carl');
    expect(normalisationText(undefined)).toBe('');
  });
});
