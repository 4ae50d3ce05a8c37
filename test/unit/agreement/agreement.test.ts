/**
 * Coders and agreement through the real handlers on a real SQLite project: the machine's coder,
 * double-coding shares, the agreement report and its errors, and a coder's own history.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compose } from '../../../src/main/compose';
import { dispatch } from '../../../src/main/api/dispatch';
import { setVideoStatus } from '../../../src/main/services/store/videos';
import { insertSuggestedSets } from '../../../src/main/services/store/samples';
import { sharesBehind } from '../../../src/main/services/store/doubleCoding';
import { makeApp, type TestApp } from '../../helpers/app';
import { addFrames, addVideo } from '../../helpers/project';
import { tmpDirs } from '../../helpers/tmp';

const tmp = tmpDirs('auw-agreement-');
let t: TestApp | null = null;
afterEach(async () => {
  await t?.app.workbench.close();
  t = null;
  tmp.cleanup();
});

/** A ready video of `frames` face frames with `percent` % of them sampled. */
async function sampledVideo(a: TestApp, frames: number, percent: number, seed = 5): Promise<{ id: number; sampled: number[] }> {
  const db = a.app.workbench.requireProject().db;
  const id = addVideo(db, { frameCount: frames });
  addFrames(db, id, frames);
  setVideoStatus(db, id, 'ready');
  await a.call('samples/create', { videoId: id, percent, seed });
  return { id, sampled: (await a.call('samples/queue', { videoId: id })).map((q) => q.frame) };
}

async function label(a: TestApp, videoId: number, coder: string, frame: number, values: Record<number, number>) {
  for (const [au, v] of Object.entries(values)) await a.call('labels/set', { videoId, frame, au: Number(au), intensity: v, annotator: coder });
}

describe('the machine coder', () => {
  it('is unset at first, then kept in the app settings beside the recent projects, across restarts', async () => {
    const root = tmp.make();
    t = await makeApp(root);
    expect(await t.call('coder/get', {})).toEqual({ name: null });
    expect(await t.call('coder/set', { name: '  alice ' })).toEqual({ name: 'alice' });
    expect((await t.fails('coder/set', { name: '   ' })).message).toMatch(/annotator name is required/);
    await t.app.workbench.close();

    const again = compose({ shell: 'cli', roots: [root], settingsDir: path.join(root, 'settings'), demoDir: null });
    const r = await dispatch(again.handlers, 'coder/get', {});
    expect(r).toEqual({ ok: true, result: { name: 'alice' } });
    const settings = JSON.parse(fs.readFileSync(path.join(root, 'settings', 'settings.json'), 'utf8')) as { recent: unknown[]; coder: string };
    expect(settings.coder).toBe('alice');
    expect(settings.recent).toHaveLength(1); // opening the project did not drop the coder, nor the reverse
  });
});

describe('double-coding shares', () => {
  it('set aside a seeded subset of the sampled frames, the same for the same seed, growing with the sample', async () => {
    t = await makeApp(tmp.make());
    const v = await sampledVideo(t, 400, 10); // 40 sampled frames
    expect(v.sampled).toHaveLength(40);
    const [share] = await t.call('doubleCoding/create', { videoId: v.id, percent: 25, seed: 3 });
    expect(share!.frames).toHaveLength(10);
    expect(share!.sampled).toBe(40);
    expect(share!.frames.every((f) => v.sampled.includes(f))).toBe(true);
    expect(share!.frames).toEqual([...share!.frames].sort((x, y) => x - y));

    // The same seed on the same sample picks the same frames (in another project too).
    const other = await makeApp(tmp.make());
    try {
      const w = await sampledVideo(other, 400, 10);
      expect(w.sampled).toEqual(v.sampled);
      expect((await other.call('doubleCoding/create', { videoId: w.id, percent: 25, seed: 3 }))[0]!.frames).toEqual(share!.frames);
      expect((await other.call('doubleCoding/create', { videoId: w.id, percent: 30, seed: 4 }))[0]!.seed).toBe(3); // the first seed stays
    } finally {
      await other.app.workbench.close();
    }

    // The sample grows: the share stays as it was (fixed once set aside) and says what it lacks.
    expect(share!.behind).toBe(0);
    await t.call('samples/create', { videoId: v.id, percent: 20 });
    const [kept] = await t.call('doubleCoding/list', { videoId: v.id });
    expect(kept!.sampled).toBe(80);
    expect(kept!.frames).toEqual(share!.frames);
    expect(kept!.behind).toBe(10);
    // Growing it is an explicit request: it keeps its frames and becomes 25 % of the larger sample.
    const [grown] = await t.call('doubleCoding/create', { videoId: v.id, percent: 25 });
    expect(grown!.frames).toHaveLength(20);
    expect(grown!.behind).toBe(0);
    expect(share!.frames.every((f) => grown!.frames.includes(f))).toBe(true);

    // It can grow, not shrink; nothing changes on a refusal.
    const refused = await t.fails('doubleCoding/create', { videoId: v.id, percent: 10 });
    expect(refused.message).toMatch(/already 25 % of its sampled frames; it can grow but not shrink/);
    expect((await t.call('doubleCoding/list', { videoId: v.id }))[0]!.frames).toEqual(grown!.frames);
  });

  it('stays fixed when suggested frames join the sample: a finished share is not grown behind the second coder', async () => {
    t = await makeApp(tmp.make());
    const v = await sampledVideo(t, 200, 5); // 10 sampled frames
    const [share] = await t.call('doubleCoding/create', { videoId: v.id, percent: 20, seed: 2 });
    expect(share!.frames).toHaveLength(2);
    for (const f of share!.frames) await label(t, v.id, 'bob', f, { 1: 1 });
    // Suggest frames adds five frames to the sample, the way its job stores them.
    const db = t.app.workbench.requireProject().db;
    const extra = [...Array(200).keys()].filter((f) => !v.sampled.includes(f)).slice(0, 5);
    const model = db
      .prepare("INSERT INTO models (stage, name, checkpoint, params, metrics, backend, created_at) VALUES ('finetune', 'ft', 'models/ft', '{}', '{}', 'wasm', ?)")
      .run(new Date().toISOString()).lastInsertRowid;
    insertSuggestedSets(db, Number(model), 5, new Map([[v.id, extra]]));
    expect((await t.call('samples/queue', { videoId: v.id })).length).toBe(15);
    const [after] = await t.call('doubleCoding/list', { videoId: v.id });
    expect(after!.frames).toEqual(share!.frames); // bob's share is still finished
    expect(after!.behind).toBe(1);
    expect(sharesBehind(db, [v.id])).toEqual([
      expect.stringMatching(/^The double-coding share of subject\d+\.mp4 stays at 2 frames; 20 % of its 15 sampled frames would be 3\. Grow it on the Agreement tab/),
    ]);
  });

  it('needs sampled frames, and sets up every sampled video at once', async () => {
    t = await makeApp(tmp.make());
    expect((await t.fails('doubleCoding/create', { percent: 20 })).message).toMatch(/No video has sampled frames yet/);
    const db = t.app.workbench.requireProject().db;
    const bare = addVideo(db, { frameCount: 50 });
    addFrames(db, bare, 50);
    setVideoStatus(db, bare, 'ready');
    expect((await t.fails('doubleCoding/create', { videoId: bare, percent: 20 })).message).toMatch(/has no sampled frames yet/);
    const a = await sampledVideo(t, 200, 5);
    const b = await sampledVideo(t, 300, 5);
    const sets = await t.call('doubleCoding/create', { percent: 20, seed: 1 });
    expect(sets.map((s) => [s.videoId, s.frames.length])).toEqual([
      [a.id, 2],
      [b.id, 3],
    ]);
    expect((await t.fails('doubleCoding/create', { percent: 150 })).code).toBe('invalid_argument');
  });
});

describe('agreement between two coders', () => {
  it('says what to do when fewer than two coders labelled', async () => {
    t = await makeApp(tmp.make());
    const v = await sampledVideo(t, 100, 10);
    const none = await t.fails('agreement/compute', {});
    expect(none.code).toBe('invalid_argument');
    expect(none.message).toMatch(/Agreement needs labels from two coders, but nobody has labelled this project yet\. Set aside a double-coding share/);
    await label(t, v.id, 'alice', v.sampled[0]!, { 1: 2 });
    expect((await t.fails('agreement/compute', {})).message).toMatch(/but only alice has labelled this project/);
    expect((await t.fails('agreement/compute', { videoId: v.id })).message).toMatch(/only alice has labelled subject\d+\.mp4/);
  });

  it('scores the frames and AUs both coders labelled, per AU and on average, and lists the largest disagreements', async () => {
    t = await makeApp(tmp.make());
    const v = await sampledVideo(t, 200, 10);
    const [f0, f1, f2, f3, f4] = v.sampled as [number, number, number, number, number];
    // alice codes five frames; bob the first four, one AU differently on two of them.
    const alice = [
      { 1: 0, 2: 1, 12: 3 },
      { 1: 1, 2: 2, 12: 4 },
      { 1: 2, 2: 0, 12: 0 },
      { 1: 3, 2: 5, 12: 1 },
      { 1: 4, 2: 4, 12: 4 },
    ];
    const bob: Record<number, number>[] = [{ 1: 0, 2: 1, 12: 3 }, { 1: 1, 2: 2, 12: 1 }, { 1: 2, 2: 0, 12: 0 }, { 1: 5, 2: 5 }];
    for (const [i, f] of [f0, f1, f2, f3, f4].entries()) await label(t, v.id, 'alice', f, alice[i]!);
    for (const [i, f] of [f0, f1, f2, f3].entries()) await label(t, v.id, 'bob', f, bob[i]!);
    await label(t, v.id, 'carol', f4, { 1: 4 }); // a third coder: shares one label with alice, none with bob

    const r = await t.call('agreement/compute', {});
    expect([r.coderA, r.coderB]).toEqual(['alice', 'bob']); // the pair with the most labels in common
    expect(r.frames).toBe(4);
    expect(r.minN).toBe(20); // below it the Agreement tab and \`auw agreement\` warn about ICC and kappa
    expect(r.perAu.map((m) => [m.au, m.n])).toEqual([
      [1, 4],
      [2, 4],
      [12, 3],
    ]);
    const au = (n: number) => r.perAu.find((m) => m.au === n)!;
    expect(au(2)).toMatchObject({ icc: 1, r: 1, mae: 0, kappa: 1 });
    expect(au(1).mae).toBeCloseTo(0.5, 10); // |3 − 5| once in four
    expect(au(12).mae).toBeCloseTo(1, 10); // |4 − 1| once in three
    // Reference values (sklearn / R psych, as in reference-values.test.ts) for these pairs.
    expect(au(1).icc!).toBeCloseTo(0.8421052632, 4);
    expect(au(1).kappa!).toBeCloseTo(0.7142857143, 4);
    expect(r.mean.aus).toBe(3);
    // Occurrence at A (1): AU1 present on the same three frames for both; at D (4) they agree on 3 of 4, kappa 0.
    expect(r.presenceAt).toBe(1);
    expect(au(1)).toMatchObject({ occurrence: 1, occurrenceKappa: 1 });
    const atD = await t.call('agreement/compute', { presenceAt: 4 });
    expect(atD.perAu.find((m) => m.au === 1)).toMatchObject({ occurrence: 0.75, occurrenceKappa: 0 });
    // 95 % bootstrap intervals over frames, around the figure.
    const [lo, hi] = au(1).iccCi!;
    expect(lo).toBeLessThanOrEqual(au(1).icc!);
    expect(hi).toBeGreaterThanOrEqual(au(1).icc!);
    expect(au(1).kappaCi).toHaveLength(2);
    expect((await t.fails('agreement/compute', { presenceAt: 0 })).code).toBe('invalid_argument');
    expect(r.mean.mae).toBeCloseTo((0.5 + 0 + 1) / 3, 4);
    expect(r.disagreements).toEqual([
      { videoId: v.id, videoName: expect.stringMatching(/\.mp4$/), frame: f1, au: 12, a: 4, b: 1, diff: 3 },
      { videoId: v.id, videoName: expect.stringMatching(/\.mp4$/), frame: f3, au: 1, a: 3, b: 5, diff: 2 },
    ]);
    expect(r.coders.map((c) => [c.name, c.labels, c.frames])).toEqual([
      ['alice', 15, 5],
      ['bob', 11, 4],
      ['carol', 1, 1],
    ]);

    // A chosen pair, in the order given; and the errors that say what to do.
    const ac = await t.call('agreement/compute', { coderA: 'carol', coderB: 'alice' });
    expect([ac.coderA, ac.coderB, ac.frames]).toEqual(['carol', 'alice', 1]);
    expect((await t.call('agreement/compute', { coderA: 'carol' })).coderB).toBe('alice');
    expect((await t.fails('agreement/compute', { coderA: 'dave' })).message).toMatch(/"dave" has no labels in this project\. Coders there: alice, bob, carol/);
    expect((await t.fails('agreement/compute', { coderA: 'bob', coderB: 'bob' })).message).toMatch(/two different coders/);
    expect((await t.fails('agreement/compute', { coderA: 'bob', coderB: 'carol' })).message).toMatch(/bob and carol have not labelled any frame and AU in common/);
    expect((await t.call('agreement/compute', { limit: 1 })).disagreements).toHaveLength(1);
  });

  it("shows a coder only their own history (the second coder must not see the first one's values)", async () => {
    t = await makeApp(tmp.make());
    const v = await sampledVideo(t, 100, 10);
    await label(t, v.id, 'alice', v.sampled[0]!, { 1: 3 });
    await label(t, v.id, 'bob', v.sampled[0]!, { 1: 1, 2: 2 });
    const bobs = await t.call('labels/history', { videoId: v.id, annotator: 'bob' });
    expect(bobs.map((c) => [c.annotator, c.au, c.newIntensity])).toEqual([
      ['bob', 2, 2],
      ['bob', 1, 1],
    ]);
    expect(await t.call('labels/history', { videoId: v.id })).toHaveLength(3);
  });
});
